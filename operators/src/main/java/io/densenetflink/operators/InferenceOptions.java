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
 * 4 batches' worth of frames in flight per slot, and at most a quarter of the heap's share of the slot (256
 * MiB at most) in encoded bytes; top-5; a frame not classified within 10 minutes fails as {@code TIMEOUT}
 * instead of failing the job. A model repository is polled for newer versions every 10 seconds; a swap's
 * memory is not bounded.
 *
 * <p>Failures that are not a frame's fault fail the task, so that Flink restarts it and replays the frames
 * from the last checkpoint: a forward running longer than 2 minutes, the inference thread dying, or 2
 * batches in a row in which every frame failed while the model also failed on a known-good input. Out of
 * memory lowers the batch size limit (halving it); 20 successful full batches in a row raise it by one.
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
    private final long maxInFlightBytes;
    private final long maxDecodeBytes;
    private final Duration forwardTimeout;
    private final int systemicFailureThreshold;
    private final int bisectionBudget;
    private final int batchSizeRecoveryBatches;
    private final Duration modelPollInterval;
    private final long maxSwapBytes;
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
        this.maxInFlightBytes = b.maxInFlightBytes;
        this.maxDecodeBytes = b.maxDecodeBytes;
        this.forwardTimeout = b.forwardTimeout;
        this.systemicFailureThreshold = b.systemicFailureThreshold;
        this.bisectionBudget = b.bisectionBudget > 0 ? b.bisectionBudget : defaultBisectionBudget(b.maxBatchSize);
        this.batchSizeRecoveryBatches = b.batchSizeRecoveryBatches;
        this.modelPollInterval = b.modelPollInterval;
        this.maxSwapBytes = b.maxSwapBytes;
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
        require(maxInFlightBytes >= 0, "maxInFlightBytes must be >= 0 (0 = sized for the slot)");
        require(maxDecodeBytes >= 0, "maxDecodeBytes must be >= 0 (0 = sized for the slot)");
        require(forwardTimeout.toMillis() > 0, "forwardTimeout must be > 0");
        require(forwardTimeout.compareTo(timeout) < 0, "forwardTimeout (" + forwardTimeout + ") must be shorter"
                + " than timeout (" + timeout + "), or a hung forward would turn its frames into TIMEOUT dead"
                + " letters before it fails the task");
        require(systemicFailureThreshold > 0, "systemicFailureThreshold must be > 0");
        require(bisectionBudget >= Math.max(1, halvings(maxBatchSize)), "bisectionBudget must be at least"
                + " log2(maxBatchSize) = " + halvings(maxBatchSize) + " (enough to reach one frame of a full batch),"
                + " or 0 = 4 x log2(maxBatchSize)");
        require(batchSizeRecoveryBatches > 0, "batchSizeRecoveryBatches must be > 0");
        require(!modelPollInterval.isNegative(), "modelPollInterval must be >= 0 (0 = no live updates)");
        require(maxSwapBytes >= 0, "maxSwapBytes must be >= 0 (0 = no bound)");
        require(topK > 0, "topK must be > 0");
        require(timeout.toMillis() > 0, "timeout must be > 0");
        require(name != null && !name.isBlank(), "name must not be blank");
        io.densenetflink.model.engine.Devices.parse(device.equals("auto") ? "cpu" : device); // syntax check
    }

    /** Forwards that isolate one failing frame in a full batch (two per halving), twice over. */
    private static int defaultBisectionBudget(int maxBatchSize) {
        return Math.max(4, 4 * halvings(maxBatchSize));
    }

    /** Halvings from a batch of {@code n} down to one frame: ceil(log2(n)). */
    private static int halvings(int n) {
        return 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1));
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

    /**
     * {@code auto}, {@code cpu} or {@code gpu:N}. {@code auto} leases one of the GPUs Flink's external resource
     * framework gave the task manager (each slot the least-held one) and runs on the CPU, with a warning,
     * where the engine has no CUDA support; {@code gpu:N} fails {@code open()} there.
     */
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

    /**
     * Encoded bytes (payload and headers) one slot holds at most, counted from {@code asyncInvoke} until the
     * frame and every frame before it have been answered (when the ordered output can emit it). Beyond it
     * {@code asyncInvoke} waits, which backpressures like {@link #maxInFlight()}; a frame larger than the
     * bound is admitted alone. 0 = sized for the slot when it opens: a quarter of the JVM heap divided by the
     * slots sharing it (see {@link #slotsPerTaskManager()}), at most 256 MiB.
     */
    public long maxInFlightBytes() {
        return maxInFlightBytes;
    }

    /**
     * Heap bytes a slot's image decodes may take at once, weighed from each frame's header; 0 = a quarter of the
     * heap / slots.
     */
    public long maxDecodeBytes() {
        return maxDecodeBytes;
    }

    /**
     * A forward (one batch through the network) running longer than this fails the task at once with the
     * cause, rather than every frame waiting for its {@link #timeout()}. Must be shorter than the timeout.
     */
    public Duration forwardTimeout() {
        return forwardTimeout;
    }

    /**
     * Batches in a row in which every frame failed while the model also failed on a known-good input (the
     * last frame it classified): that many make a systemic failure (model broken, device lost, native library
     * crashed), which fails the task so Flink restarts it and replays its frames from the checkpoint. The
     * frames of the batches before are retried, never dead-lettered.
     */
    public int systemicFailureThreshold() {
        return systemicFailureThreshold;
    }

    /**
     * Forwards one failed batch may spend isolating its failing frames by bisection (depth first, so each
     * round answers at least one frame). Frames not reached within it run again in a later batch; the budget
     * keeps a batch full of failing frames from costing 2n-1 forwards at once. Default 4 x log2(maxBatchSize),
     * at least 4: enough to isolate two failing frames per batch; at least log2(maxBatchSize).
     */
    public int bisectionBudget() {
        return bisectionBudget;
    }

    /**
     * After an out-of-memory error halved the slot's batch size limit, this many successful batches in a row
     * at the current limit raise it by one (additive increase), up to {@link #maxBatchSize()}.
     */
    public int batchSizeRecoveryBatches() {
        return batchSizeRecoveryBatches;
    }

    /**
     * How often each slot looks for a newer complete version when the model is a {@linkplain
     * io.densenetflink.model.artifact.ModelRepository repository} of numbered versions; zero = never (the
     * version served at start, or the one a checkpoint recorded, serves until the job restarts).
     */
    public Duration modelPollInterval() {
        return modelPollInterval;
    }

    /**
     * The most weight bytes (the serving version's plus the candidate's weight files) a slot may hold while it
     * swaps versions; a newer version that would exceed it is refused and the serving one stays. 0 = no bound.
     */
    public long maxSwapBytes() {
        return maxSwapBytes;
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
        b.maxInFlightBytes = maxInFlightBytes;
        b.maxDecodeBytes = maxDecodeBytes;
        b.forwardTimeout = forwardTimeout;
        b.systemicFailureThreshold = systemicFailureThreshold;
        b.bisectionBudget = bisectionBudget;
        b.batchSizeRecoveryBatches = batchSizeRecoveryBatches;
        b.modelPollInterval = modelPollInterval;
        b.maxSwapBytes = maxSwapBytes;
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
                + inferenceThreads + ", maxInFlight=" + maxInFlight + ", maxInFlightBytes=" + maxInFlightBytes + ", maxDecodeBytes=" + maxDecodeBytes
                + ", forwardTimeout=" + forwardTimeout.toMillis() + "ms, systemicFailureThreshold="
                + systemicFailureThreshold + ", bisectionBudget=" + bisectionBudget + ", batchSizeRecoveryBatches="
                + batchSizeRecoveryBatches + ", modelPollInterval=" + modelPollInterval.toMillis() + "ms, maxSwapBytes="
                + maxSwapBytes + ", topK=" + topK + ", timeout=" + timeout.toMillis() + "ms}";
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
        private long maxInFlightBytes;
        private long maxDecodeBytes;
        private Duration forwardTimeout = Duration.ofMinutes(2);
        private int systemicFailureThreshold = 2;
        private int bisectionBudget;
        private int batchSizeRecoveryBatches = 20;
        private Duration modelPollInterval = Duration.ofSeconds(10);
        private long maxSwapBytes;
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

        /** 0 = sized for the slot (a quarter of the heap / slots, at most 256 MiB). */
        public Builder maxInFlightBytes(long bytes) {
            this.maxInFlightBytes = bytes;
            return this;
        }

        /**
         * Heap bytes a slot's decodes may take at once; a frame that alone needs more is a {@code TOO_LARGE} dead
         * letter. 0 = sized for the slot (a quarter of the heap / slots).
         */
        public Builder maxDecodeBytes(long bytes) {
            this.maxDecodeBytes = bytes;
            return this;
        }

        public Builder forwardTimeout(Duration d) {
            this.forwardTimeout = d;
            return this;
        }

        public Builder systemicFailureThreshold(int batches) {
            this.systemicFailureThreshold = batches;
            return this;
        }

        /** 0 = 4 x log2(maxBatchSize), at least 4. */
        public Builder bisectionBudget(int forwards) {
            this.bisectionBudget = forwards;
            return this;
        }

        public Builder batchSizeRecoveryBatches(int batches) {
            this.batchSizeRecoveryBatches = batches;
            return this;
        }

        /** Zero = no live updates. */
        public Builder modelPollInterval(Duration d) {
            this.modelPollInterval = d;
            return this;
        }

        /** 0 = no bound. */
        public Builder maxSwapBytes(long bytes) {
            this.maxSwapBytes = bytes;
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
