package io.densenetflink.operators;

import io.densenetflink.model.inference.EngineMode;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the DenseNet operator. Immutable and serializable; build with {@link #builder(String)} (a
 * model directory) or {@link #builder(SlotClassifierFactory)}.
 *
 * <p>Defaults: batches of up to 32 frames, closed after 50 ms at most; one decode thread per slot; the
 * compiled engine; device {@code auto}; inference threads = the task manager's cores / its slots; at most
 * 4 batches' worth of frames in flight per slot; top-5; a frame not classified within 10 minutes fails as
 * {@code TIMEOUT} instead of failing the job.
 */
public final class InferenceOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    private final SlotClassifierFactory classifier;
    private final String device;
    private final int maxBatchSize;
    private final Duration maxDelay;
    private final Duration latencyBudget;
    private final int decodeThreads;
    private final int inferenceThreads;
    private final int slotsPerTaskManager;
    private final int maxInFlight;
    private final int topK;
    private final Duration timeout;
    private final String name;

    private InferenceOptions(Builder b) {
        this.classifier = Objects.requireNonNull(b.classifier, "classifier");
        this.device = b.device;
        this.maxBatchSize = b.maxBatchSize;
        this.maxDelay = b.maxDelay;
        this.latencyBudget = b.latencyBudget;
        this.decodeThreads = b.decodeThreads;
        this.inferenceThreads = b.inferenceThreads;
        this.slotsPerTaskManager = b.slotsPerTaskManager;
        this.maxInFlight = b.maxInFlight > 0 ? b.maxInFlight : 4 * b.maxBatchSize;
        this.topK = b.topK;
        this.timeout = b.timeout;
        this.name = b.name;
        require(maxBatchSize > 0, "maxBatchSize must be > 0");
        require(!maxDelay.isNegative(), "maxDelay must be >= 0");
        require(!latencyBudget.isNegative(), "latencyBudget must be >= 0 (0 = off)");
        require(decodeThreads > 0, "decodeThreads must be > 0");
        require(inferenceThreads >= 0, "inferenceThreads must be >= 0 (0 = cores / slots)");
        require(slotsPerTaskManager >= 0, "slotsPerTaskManager must be >= 0 (0 = the operator's parallelism)");
        require(maxInFlight >= maxBatchSize, "maxInFlight must be >= maxBatchSize, or a batch could never fill");
        require(topK > 0, "topK must be > 0");
        require(timeout.toMillis() > 0, "timeout must be > 0");
        require(name != null && !name.isBlank(), "name must not be blank");
        io.densenetflink.model.engine.Devices.parse(device.equals("auto") ? "cpu" : device); // syntax check
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("inference options: " + message);
        }
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

    /** {@code auto}, {@code cpu} or {@code gpu:N}. */
    public String device() {
        return device;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    /** Close a batch early when its oldest frame's event time is older than this; zero = off. */
    public Duration latencyBudget() {
        return latencyBudget;
    }

    public int decodeThreads() {
        return decodeThreads;
    }

    /** OpenMP threads for a slot's inference; 0 = cores / slots per task manager. */
    public int inferenceThreads() {
        return inferenceThreads;
    }

    /** Slots sharing one task manager's cores; 0 = assume the operator's parallelism shares them. */
    public int slotsPerTaskManager() {
        return slotsPerTaskManager;
    }

    /** Frames one slot holds at most (queued, decoding or in inference); beyond it the operator backpressures. */
    public int maxInFlight() {
        return maxInFlight;
    }

    public int topK() {
        return topK;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Operator name and uid prefix (distinct per use in one job). */
    public String name() {
        return name;
    }

    public Builder toBuilder() {
        Builder b = new Builder(classifier);
        b.device = device;
        b.maxBatchSize = maxBatchSize;
        b.maxDelay = maxDelay;
        b.latencyBudget = latencyBudget;
        b.decodeThreads = decodeThreads;
        b.inferenceThreads = inferenceThreads;
        b.slotsPerTaskManager = slotsPerTaskManager;
        b.maxInFlight = maxInFlight;
        b.topK = topK;
        b.timeout = timeout;
        b.name = name;
        return b;
    }

    @Override
    public String toString() {
        return "InferenceOptions{model=" + classifier.describe() + ", device=" + device + ", maxBatchSize="
                + maxBatchSize + ", maxDelay=" + maxDelay.toMillis() + "ms, latencyBudget="
                + latencyBudget.toMillis() + "ms, decodeThreads=" + decodeThreads + ", inferenceThreads="
                + inferenceThreads + ", maxInFlight=" + maxInFlight + ", topK=" + topK + "}";
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private final SlotClassifierFactory classifier;
        private String device = "auto";
        private int maxBatchSize = 32;
        private Duration maxDelay = Duration.ofMillis(50);
        private Duration latencyBudget = Duration.ZERO;
        private int decodeThreads = 1;
        private int inferenceThreads;
        private int slotsPerTaskManager;
        private int maxInFlight;
        private int topK = 5;
        private Duration timeout = Duration.ofMinutes(10);
        private String name = "densenet";

        private Builder(SlotClassifierFactory classifier) {
            this.classifier = classifier;
        }

        public Builder device(String d) {
            this.device = d;
            return this;
        }

        public Builder maxBatchSize(int n) {
            this.maxBatchSize = n;
            return this;
        }

        public Builder maxDelay(Duration d) {
            this.maxDelay = d;
            return this;
        }

        public Builder latencyBudget(Duration d) {
            this.latencyBudget = d;
            return this;
        }

        public Builder decodeThreads(int n) {
            this.decodeThreads = n;
            return this;
        }

        public Builder inferenceThreads(int n) {
            this.inferenceThreads = n;
            return this;
        }

        public Builder slotsPerTaskManager(int n) {
            this.slotsPerTaskManager = n;
            return this;
        }

        /** 0 = 4 x maxBatchSize. */
        public Builder maxInFlight(int n) {
            this.maxInFlight = n;
            return this;
        }

        public Builder topK(int k) {
            this.topK = k;
            return this;
        }

        public Builder timeout(Duration d) {
            this.timeout = d;
            return this;
        }

        public Builder name(String n) {
            this.name = n;
            return this;
        }

        public InferenceOptions build() {
            return new InferenceOptions(this);
        }
    }
}
