package io.densenetflink.job.settings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The job's command line, read the same way by the cluster entry point ({@code DenseNetJob.main}) and by {@code
 * bin/densenet run}: {@code --KEY VALUE} or {@code --KEY=VALUE} for every setting of {@link JobOptions}, {@code
 * --config FILE} for a properties file (the command line wins whatever the order), and the {@link KafkaScope}
 * options ({@code --kafka-property NAME=VALUE}, ...) for Kafka client properties.
 */
public final class JobArguments {

    /** The option naming a properties file. */
    public static final String CONFIG = "--config";

    private JobArguments() {}

    /**
     * The settings the arguments give, not yet {@linkplain JobSettings#validate() validated}.
     *
     * @throws IllegalArgumentException for an unknown option, a missing or unreadable value, naming it
     */
    public static JobSettings parse(List<String> args) throws IOException {
        List<String[]> options = new ArrayList<>();
        Path config = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "' (options start with --)");
            }
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            String value;
            if (eq > 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new IllegalArgumentException(name + ": a value is missing");
            }
            if (name.equals(CONFIG)) {
                config = Path.of(value);
            } else {
                options.add(new String[] {name, value});
            }
        }
        JobSettings settings = config == null ? new JobSettings() : JobSettings.fromFile(config);
        for (String[] option : options) {
            apply(settings, option[0], option[1]);
        }
        return settings;
    }

    private static void apply(JobSettings settings, String name, String value) {
        for (KafkaScope scope : KafkaScope.values()) {
            if (scope.flag().equals(name)) {
                int eq = value.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(name + ": expected NAME=VALUE, got '" + value + "'");
                }
                settings.setKafka(scope, value.substring(0, eq).trim(), value.substring(eq + 1));
                return;
            }
        }
        String key = name.substring(2);
        if (KafkaScope.scopeOf(key) == null && JobOptions.byKey(key).isEmpty()) {
            throw new IllegalArgumentException("unknown option " + name + " (--help lists them)");
        }
        settings.set(key, value);
    }

    /** One line per option, for help texts: {@code --KEY VALUE  description (default ...)}. */
    public static String usage() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("  %-40s %s%n", CONFIG + " FILE",
                "A properties file with any of these settings, KEY=VALUE (the command line wins)."));
        for (JobSetting<?> s : JobOptions.all()) {
            String help = s.description() + (s.required() ? " Required." : "")
                    + (s.defaultText() != null ? " Default: " + s.defaultText() + "." : "");
            out.append(String.format("  %-40s %s%n", "--" + s.key() + " " + s.valueLabel(), help));
        }
        for (KafkaScope scope : KafkaScope.values()) {
            out.append(String.format("  %-40s %s%n", scope.flag() + " NAME=VALUE", scope.description()));
        }
        return out.toString();
    }

    /**
     * The settings as a Markdown table (setting, default, meaning), for the README, which a test keeps equal to
     * this.
     */
    public static String markdownTable() {
        StringBuilder out = new StringBuilder("| setting | default | meaning |\n| --- | --- | --- |\n");
        for (JobSetting<?> s : JobOptions.all()) {
            String key = "`" + s.key() + "`";
            for (String former : s.formerKeys()) {
                key += " (or `" + former + "`)";
            }
            String value = s.required() ? "required" : s.defaultText() == null ? "-" : "`" + s.defaultText() + "`";
            out.append("| ").append(key).append(" ").append(s.valueLabel().replace("|", "\\|")).append(" | ")
                    .append(value).append(" | ").append(s.description().replace("|", "\\|")).append(" |\n");
        }
        for (KafkaScope scope : KafkaScope.values()) {
            out.append("| `").append(scope.prefix()).append("NAME` (").append(scope.flag()).append(" NAME=VALUE) | - | ")
                    .append(scope.description()).append(" |\n");
        }
        return out.toString();
    }
}
