package io.densenetflink.job.settings;

import io.densenetflink.operators.InferenceOptions;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;

/**
 * One setting of the job, defined once: a Flink {@link ConfigOption} (its key is the properties-file key and,
 * with two dashes, the command-line option; type, default and description), the label of its value in help
 * texts, the check its values must pass and, for a setting of the DenseNet operator, the {@link
 * InferenceOptions.Builder} method it feeds. {@link JobOptions} declares them all.
 *
 * @param <T> the value's type
 */
public final class JobSetting<T> {

    private final ConfigOption<T> option;
    private final String valueLabel;
    private final boolean required;
    private final Function<T, String> problem;
    private final BiConsumer<InferenceOptions.Builder, T> operator;

    JobSetting(ConfigOption<T> option, String valueLabel, boolean required, Function<T, String> problem,
            BiConsumer<InferenceOptions.Builder, T> operator) {
        this.option = Objects.requireNonNull(option, "option");
        this.valueLabel = Objects.requireNonNull(valueLabel, "valueLabel");
        this.required = required;
        this.problem = problem;
        this.operator = operator;
    }

    /** The key in a properties file; {@code --KEY} on the command line. */
    public String key() {
        return option.key();
    }

    public ConfigOption<T> option() {
        return option;
    }

    /** What the value looks like, for help texts: {@code N}, {@code DURATION}, {@code exactly-once|at-least-once}. */
    public String valueLabel() {
        return valueLabel;
    }

    /** True when the job cannot run without a value (there is no default). */
    public boolean required() {
        return required;
    }

    /** True for a setting of the DenseNet operator (passed to {@link InferenceOptions}). */
    public boolean isOperatorSetting() {
        return operator != null;
    }

    /** The description, as plain text. */
    public String description() {
        return PlainText.of(option.description());
    }

    /** The default as it would be written in a properties file, or null when there is none. */
    public String defaultText() {
        return option.hasDefaultValue() ? format(option.defaultValue()) : null;
    }

    /** Keys this setting was known by before, still accepted. */
    public Iterable<String> formerKeys() {
        return () -> java.util.stream.StreamSupport.stream(option.fallbackKeys().spliterator(), false)
                .map(k -> k.getKey()).iterator();
    }

    /**
     * Reads a value from text, as Flink reads its own configuration (durations such as {@code 500ms}, {@code 10s},
     * {@code 2min}, {@code 1h}; sizes such as {@code 256kb}; enum values by name, any case), and checks it.
     *
     * @throws IllegalArgumentException naming the setting, the text and what was expected
     */
    public T parse(String text) {
        T value;
        try {
            value = Configuration.fromMap(Map.of(key(), text.trim())).get(option);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key() + ": cannot read '" + text + "' (expected " + valueLabel + ")");
        }
        check(value);
        return value;
    }

    /** Throws an {@link IllegalArgumentException} naming the setting when {@code value} is not allowed. */
    public void check(T value) {
        String why = value == null || problem == null ? null : problem.apply(value);
        if (why != null) {
            throw new IllegalArgumentException(key() + ": " + why + ", got " + format(value));
        }
    }

    /** Hands {@code value} to the operator's builder (nothing for a setting that is not the operator's). */
    public void configure(InferenceOptions.Builder builder, T value) {
        if (operator != null && value != null) {
            operator.accept(builder, value);
        }
    }

    /** {@code value} as text this setting reads back. */
    public String format(T value) {
        if (value instanceof Duration d) {
            return TimeUtils.formatWithHighestUnit(d).replace(" ", "");
        }
        if (value instanceof MemorySize m) {
            return m.toString().replace(" ", "");
        }
        if (value instanceof Enum<?> e) {
            return e.toString().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        return String.valueOf(value);
    }

    @Override
    public String toString() {
        return key();
    }
}
