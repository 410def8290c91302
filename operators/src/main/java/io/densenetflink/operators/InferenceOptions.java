package io.densenetflink.operators;

// Every option this class reads, declared once in OperatorOptions.
import static io.densenetflink.operators.OperatorOptions.*;

import io.densenetflink.model.inference.EngineMode;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * Settings of the DenseNet operator: the model ({@link SlotClassifierFactory}) and a value for each of the {@link
 * OperatorOptions}, where every option's default, meaning and check are declared. Immutable and serializable;
 * build with {@link #builder(String)} (a model directory) or {@link #builder(SlotClassifierFactory)}.
 *
 * <p>Failures that are not a frame's fault fail the task, so that Flink restarts it and replays the frames from the
 * last checkpoint: a forward running longer than {@code forward-timeout}, the inference thread dying, or {@code
 * systemic-failure-threshold} batches in a row in which every frame failed while the model also failed on a
 * known-good input. Out of memory halves the batch size limit; {@code batch-size-recovery-batches} successful full
 * batches in a row raise it by one.
 */
public final class InferenceOptions implements Serializable {

    private static final long serialVersionUID = 2L;

    private final SlotClassifierFactory classifier;
    /** The values set; an option not set has its declared default. */
    private final Configuration values;

    private InferenceOptions(SlotClassifierFactory classifier, Configuration values) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.values = values;
        for (OperatorOptions.Checked<?> option : OperatorOptions.all()) {
            check(option);
        }
        require(maxInFlight() >= maxBatchSize(), MAX_IN_FLIGHT, "must be >= batch-size, or a batch could never fill");
        require(forwardTimeout().compareTo(timeout()) < 0, FORWARD_TIMEOUT, "(" + forwardTimeout() + ") must be"
                + " shorter than inference-timeout (" + timeout() + "), or a hung forward would turn its frames into"
                + " TIMEOUT dead letters before it fails the task");
        require(bisectionBudget() >= Math.max(1, halvings(maxBatchSize())), BISECTION_BUDGET, "must be at least"
                + " log2(batch-size) = " + halvings(maxBatchSize()) + " (enough to reach one frame of a full batch)");
    }

    private <T> void check(OperatorOptions.Checked<T> option) {
        String problem = values.getOptional(option.option()).map(option::problem).orElse(null);
        require(problem == null, option, problem + ", got " + values.get(option.option()));
    }

    private static void require(boolean ok, OperatorOptions.Checked<?> option, String message) {
        if (!ok) {
            throw new IllegalArgumentException("inference options: " + option.option().key() + " " + message);
        }
    }

    /** Halvings from a batch of {@code n} down to one frame: ceil(log2(n)). */
    private static int halvings(int n) {
        return 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1));
    }

    /** Options for the DenseNet model directory {@code modelDirectory}, compiled engine. */
    public static Builder builder(String modelDirectory) {
        return new Builder(new DenseNetClassifierFactory(modelDirectory, EngineMode.COMPILED));
    }

    /** Options for a custom model (e.g. another engine mode, or a wrapped classifier). */
    public static Builder builder(SlotClassifierFactory classifier) {
        return new Builder(classifier);
    }

    public SlotClassifierFactory classifier() {
        return classifier;
    }

    /** The value of {@code option}: the one set, else its default (null for an unset option without one). */
    public <T> T get(OperatorOptions.Checked<T> option) {
        return values.get(option.option());
    }

    /** {@code auto}, {@code cpu} or {@code gpu:N}; see {@link OperatorOptions#DEVICE}. */
    public String device() {
        return get(DEVICE);
    }

    public int maxBatchSize() {
        return get(BATCH_SIZE);
    }

    public Duration maxDelay() {
        return get(MAX_DELAY);
    }

    /** Zero = off. */
    public Duration latencyBudget() {
        return get(LATENCY_BUDGET);
    }

    public int decodeThreads() {
        return get(DECODE_THREADS);
    }

    /** 0 = cores / slots per task manager. */
    public int inferenceThreads() {
        return get(INFERENCE_THREADS);
    }

    /** 0 = assume the operator's parallelism shares the task manager. */
    public int slotsPerTaskManager() {
        return get(SLOTS_PER_TASK_MANAGER);
    }

    /** Frames one slot holds at most; unset: 4 x {@link #maxBatchSize()}. */
    public int maxInFlight() {
        Integer n = get(MAX_IN_FLIGHT);
        return n != null ? n : 4 * maxBatchSize();
    }

    /** 0 = sized for the slot when it opens (a quarter of the heap / slots, at most 256 MiB). */
    public long maxInFlightBytes() {
        return bytes(get(MAX_IN_FLIGHT_BYTES));
    }

    /** 0 = sized for the slot when it opens (a quarter of the heap / slots). */
    public long maxDecodeBytes() {
        return bytes(get(MAX_DECODE_BYTES));
    }

    /** Shorter than {@link #timeout()}. */
    public Duration forwardTimeout() {
        return get(FORWARD_TIMEOUT);
    }

    public int systemicFailureThreshold() {
        return get(SYSTEMIC_FAILURE_THRESHOLD);
    }

    /**
     * Forwards one failed batch may spend isolating its failing frames; unset: 4 x log2({@link #maxBatchSize()}), at
     * least 4 (enough to isolate two failing frames per batch).
     */
    public int bisectionBudget() {
        Integer n = get(BISECTION_BUDGET);
        return n != null ? n : Math.max(4, 4 * halvings(maxBatchSize()));
    }

    public int batchSizeRecoveryBatches() {
        return get(BATCH_SIZE_RECOVERY_BATCHES);
    }

    /** Zero = never look for a newer version. */
    public Duration modelPollInterval() {
        return get(MODEL_POLL_INTERVAL);
    }

    /** 0 = no bound. */
    public long maxSwapBytes() {
        return bytes(get(MAX_SWAP_BYTES));
    }

    public int topK() {
        return get(TOP_K);
    }

    /** A frame not classified within this is a {@code TIMEOUT} dead letter. */
    public Duration timeout() {
        return get(INFERENCE_TIMEOUT);
    }

    /** Operator name and uid prefix (distinct per use in one job). */
    public String name() {
        return get(NAME);
    }

    private static long bytes(MemorySize size) {
        return size == null ? 0 : size.getBytes();
    }

    public Builder toBuilder() {
        Builder b = new Builder(classifier);
        b.values.addAll(values);
        return b;
    }

    @Override
    public String toString() {
        return "InferenceOptions{model=" + classifier.describe() + ", " + values.toMap() + "}";
    }

    /** Builder; {@link #build()} checks every value. Each named method sets one of the {@link OperatorOptions}. */
    public static final class Builder {
        private final SlotClassifierFactory classifier;
        private final Configuration values = new Configuration();

        private Builder(SlotClassifierFactory classifier) {
            this.classifier = classifier;
        }

        /** Sets {@code option}; null leaves it at its default. */
        public <T> Builder set(OperatorOptions.Checked<T> option, T value) {
            if (value == null) {
                values.removeConfig(option.option());
            } else {
                values.set(option.option(), value);
            }
            return this;
        }

        public Builder device(String d) {
            return set(DEVICE, d);
        }

        public Builder maxBatchSize(int n) {
            return set(BATCH_SIZE, n);
        }

        public Builder maxDelay(Duration d) {
            return set(MAX_DELAY, d);
        }

        public Builder latencyBudget(Duration d) {
            return set(LATENCY_BUDGET, d);
        }

        public Builder decodeThreads(int n) {
            return set(DECODE_THREADS, n);
        }

        public Builder inferenceThreads(int n) {
            return set(INFERENCE_THREADS, n);
        }

        public Builder slotsPerTaskManager(int n) {
            return set(SLOTS_PER_TASK_MANAGER, n);
        }

        /** 0 = 4 x maxBatchSize. */
        public Builder maxInFlight(int n) {
            return set(MAX_IN_FLIGHT, n == 0 ? null : n);
        }

        /** 0 = sized for the slot. */
        public Builder maxInFlightBytes(long bytes) {
            return set(MAX_IN_FLIGHT_BYTES, size(bytes));
        }

        /** 0 = sized for the slot. */
        public Builder maxDecodeBytes(long bytes) {
            return set(MAX_DECODE_BYTES, size(bytes));
        }

        public Builder forwardTimeout(Duration d) {
            return set(FORWARD_TIMEOUT, d);
        }

        public Builder systemicFailureThreshold(int batches) {
            return set(SYSTEMIC_FAILURE_THRESHOLD, batches);
        }

        /** 0 = 4 x log2(maxBatchSize), at least 4. */
        public Builder bisectionBudget(int forwards) {
            return set(BISECTION_BUDGET, forwards == 0 ? null : forwards);
        }

        public Builder batchSizeRecoveryBatches(int batches) {
            return set(BATCH_SIZE_RECOVERY_BATCHES, batches);
        }

        public Builder modelPollInterval(Duration d) {
            return set(MODEL_POLL_INTERVAL, d);
        }

        /** 0 = no bound. */
        public Builder maxSwapBytes(long bytes) {
            return set(MAX_SWAP_BYTES, size(bytes));
        }

        public Builder topK(int k) {
            return set(TOP_K, k);
        }

        public Builder timeout(Duration d) {
            return set(INFERENCE_TIMEOUT, d);
        }

        public Builder name(String n) {
            return set(NAME, n);
        }

        /** {@code bytes} as a size; 0 (or less, which the check then refuses) as given. */
        private static MemorySize size(long bytes) {
            return bytes == 0 ? null : bytes < 0 ? new MemorySize(0) : new MemorySize(bytes);
        }

        public InferenceOptions build() {
            return new InferenceOptions(classifier, values.clone());
        }
    }
}
