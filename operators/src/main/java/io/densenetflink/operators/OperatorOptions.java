package io.densenetflink.operators;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.densenetflink.model.engine.Devices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Every option of the DenseNet operator, each declared once: a Flink {@link ConfigOption} (key, type, default,
 * description) and the check its values must pass. {@link InferenceOptions} reads its values through them, and the
 * Kafka job exposes them under the same keys (its {@code JobOptions} refers to these declarations, defaults and
 * checks included). Options without a default are sized for the slot when it opens, or unbounded, as described.
 */
public final class OperatorOptions {

    /**
     * An option and its check: null when a value is fine, else what is wrong with it.
     *
     * @param <T> the value's type
     */
    public record Checked<T>(ConfigOption<T> option, Function<T, String> check) {

        /** What is wrong with {@code value}, or null. */
        public String problem(T value) {
            return value == null ? null : check.apply(value);
        }
    }

    private static final List<Checked<?>> ALL = new ArrayList<>();

    public static final Checked<String> DEVICE = define(key("device").stringType().defaultValue("auto")
            .withDescription("Where inference runs: auto (the GPU Flink's external resource framework assigned,"
                    + " else the CPU), cpu or gpu:N."), OperatorOptions::deviceProblem);

    public static final Checked<Integer> BATCH_SIZE = define(key("batch-size").intType().defaultValue(32)
            .withDescription("A batch closes at this many frames."), positive());

    public static final Checked<Duration> MAX_DELAY = define(key("max-delay").durationType()
            .defaultValue(Duration.ofMillis(50)).withDeprecatedKeys("max-delay-ms").withDescription("A batch also"
                    + " closes when its oldest frame has waited this long (max-delay-ms, in milliseconds, is still"
                    + " read)."), notNegative());

    public static final Checked<Duration> LATENCY_BUDGET = define(key("latency-budget").durationType()
            .defaultValue(Duration.ZERO).withDescription("Close a batch early when its oldest frame's event time is"
                    + " older than this; 0 = off."), notNegative());

    public static final Checked<Integer> DECODE_THREADS = define(key("decode-threads").intType().defaultValue(1)
            .withDescription("Image decoding threads per slot."), positive());

    public static final Checked<Integer> INFERENCE_THREADS = define(key("inference-threads").intType()
            .defaultValue(0).withDescription("MXNet threads per slot; 0 = the task manager's cores /"
                    + " slots-per-task-manager."), notNegativeInt());

    public static final Checked<Integer> SLOTS_PER_TASK_MANAGER = define(key("slots-per-task-manager").intType()
            .defaultValue(0).withDescription("Slots sharing one task manager's cores, for the thread count above;"
                    + " 0 = the operator's parallelism."), notNegativeInt());

    public static final Checked<Integer> MAX_IN_FLIGHT = define(key("max-in-flight").intType().noDefaultValue()
            .withDescription("Frames one slot holds at most (queued, decoding or in inference); beyond it the"
                    + " operator backpressures and frames wait in Kafka. Unset: 4 x batch-size."), positive());

    public static final Checked<Integer> TOP_K = define(key("top-k").intType().defaultValue(5)
            .withDescription("Classes per result, most probable first."), positive());

    public static final Checked<Duration> INFERENCE_TIMEOUT = define(key("inference-timeout").durationType()
            .defaultValue(Duration.ofMinutes(10)).withDescription("A frame not classified within this becomes a"
                    + " TIMEOUT dead letter instead of failing the job."), positiveDuration());

    public static final Checked<MemorySize> MAX_IN_FLIGHT_BYTES = define(key("max-in-flight-bytes").memoryType()
            .noDefaultValue().withDescription("Encoded bytes (payload and headers) one slot holds at most; beyond"
                    + " it the operator backpressures, a larger frame is admitted alone. Unset: a quarter of the task"
                    + " manager's heap / slots-per-task-manager, at most 256mb."), positiveSize());

    public static final Checked<MemorySize> MAX_DECODE_BYTES = define(key("max-decode-bytes").memoryType()
            .noDefaultValue().withDescription("Heap one slot's image decodes may take at once, weighed from each"
                    + " frame's header (width x height x bands x bytes per sample, and the copies decoding makes); a"
                    + " frame waits for room, and one that alone needs more is a TOO_LARGE dead letter. Unset: a"
                    + " quarter of the task manager's heap / slots-per-task-manager."), positiveSize());

    public static final Checked<Duration> FORWARD_TIMEOUT = define(key("forward-timeout").durationType()
            .defaultValue(Duration.ofMinutes(2)).withDescription("One batch through the network taking longer than"
                    + " this fails the task (Flink restarts it from the checkpoint): a hung engine. Shorter than"
                    + " inference-timeout."), positiveDuration());

    public static final Checked<Integer> SYSTEMIC_FAILURE_THRESHOLD = define(key("systemic-failure-threshold")
            .intType().defaultValue(2).withDescription("Batches in a row whose every frame failed, with the model"
                    + " failing on a known-good frame too, that fail the task (broken model, lost device) instead of"
                    + " dead-lettering frames."), positive());

    public static final Checked<Integer> BISECTION_BUDGET = define(key("bisection-budget").intType()
            .noDefaultValue().withDescription("Forwards one failed batch may spend isolating its failing frames."
                    + " Unset: 4 x log2(batch-size), at least 4."), positive());

    public static final Checked<Integer> BATCH_SIZE_RECOVERY_BATCHES = define(key("batch-size-recovery-batches")
            .intType().defaultValue(20).withDescription("After an out-of-memory error halved the batch size,"
                    + " successful batches in a row that raise it by one again."), positive());

    public static final Checked<Duration> MODEL_POLL_INTERVAL = define(key("model-poll-interval").durationType()
            .defaultValue(Duration.ofSeconds(10)).withDescription("A model repository: how often each slot looks"
                    + " for a newer complete version, which it loads beside the serving one and serves from the next"
                    + " checkpoint on; 0 = never (the version served at start stays)."), notNegative());

    public static final Checked<MemorySize> MAX_SWAP_BYTES = define(key("max-swap-bytes").memoryType()
            .noDefaultValue().withDescription("A model repository: the most weight bytes (the serving version's and"
                    + " the new one's together: their files, or four bytes per parameter of an architecture when"
                    + " that is more) a slot may hold during a swap; a newer version beyond it is refused and the"
                    + " serving one stays. Unset: no bound."), positiveSize());

    public static final Checked<String> NAME = define(key("name").stringType().defaultValue("densenet")
            .withDescription("The operator's name and uid prefix (distinct per use in one job)."),
            s -> s.isBlank() ? "must not be blank" : null);

    private OperatorOptions() {}

    /** Every option, in declaration order. */
    public static List<Checked<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    private static <T> Checked<T> define(ConfigOption<T> option, Function<T, String> check) {
        Checked<T> checked = new Checked<>(option, check);
        ALL.add(checked);
        return checked;
    }

    private static String deviceProblem(String device) {
        try {
            Devices.parse(device.equals("auto") ? "cpu" : device);
            return null;
        } catch (IllegalArgumentException e) {
            return "must be auto, cpu or gpu:N";
        }
    }

    private static Function<Integer, String> positive() {
        return n -> n > 0 ? null : "must be > 0";
    }

    private static Function<Integer, String> notNegativeInt() {
        return n -> n >= 0 ? null : "must be >= 0";
    }

    private static Function<Duration, String> notNegative() {
        return d -> d.isNegative() ? "must be >= 0" : null;
    }

    private static Function<Duration, String> positiveDuration() {
        return d -> d.isNegative() || d.isZero() ? "must be > 0" : null;
    }

    private static Function<MemorySize, String> positiveSize() {
        return m -> m.getBytes() > 0 ? null : "must be > 0";
    }
}
