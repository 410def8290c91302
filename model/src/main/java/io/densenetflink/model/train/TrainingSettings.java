package io.densenetflink.model.train;

import io.densenetflink.model.DenseNetConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that defines one training run: architecture, schedule, optimiser, augmentation, data split,
 * seed and where the outputs go. Immutable; {@link Builder#build()} validates and names the bad setting as
 * {@link #fixedSettings()} does ({@code batch_size}): the library speaks of settings, a command line of its flags.
 *
 * <p>The optimiser is SGD with momentum and weight decay (MXNet's fused {@code sgd_mom_update}), the
 * learning rate follows a cosine from {@link #learningRate()} to 0 over all epochs, the loss is softmax
 * cross-entropy. Augmentation: a random {@code side x side} crop of the image zero-padded by {@link
 * #padding()} pixels on each side, and a horizontal flip with probability 1/2.
 */
public final class TrainingSettings {

    // Defaults, declared once: the builder starts from them, and the command line shows and uses them.
    public static final int DEFAULT_BATCH_SIZE = 64;
    public static final float DEFAULT_LEARNING_RATE = 0.1f;
    public static final float DEFAULT_MOMENTUM = 0.9f;
    public static final float DEFAULT_WEIGHT_DECAY = 1e-4f;
    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_VALIDATION_SIZE = 5000;
    public static final int DEFAULT_PADDING = 2;

    private final DenseNetConfig architecture;
    private final int epochs;
    private final int batchSize;
    private final float learningRate;
    private final float momentum;
    private final float weightDecay;
    private final long seed;
    private final int validationSize;
    private final int limit;
    private final int padding;
    private final boolean flip;
    private final int threads;
    private final boolean autoThreads;
    private final Path outDir;
    private final Path checkpointDir;
    private final boolean resume;
    private final String name;
    private final String version;
    private final int evalBatchSize;
    private final String dataSource;

    private TrainingSettings(Builder b) {
        this.architecture = Objects.requireNonNull(b.architecture, "architecture");
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.learningRate = b.learningRate;
        this.momentum = b.momentum;
        this.weightDecay = b.weightDecay;
        this.seed = b.seed;
        this.validationSize = b.validationSize;
        this.limit = b.limit;
        this.padding = b.padding;
        this.flip = b.flip;
        this.threads = b.threads;
        this.autoThreads = b.autoThreads;
        this.outDir = Objects.requireNonNull(b.outDir, "outDir");
        this.checkpointDir = b.checkpointDir != null ? b.checkpointDir : b.outDir.resolve("checkpoint");
        this.resume = b.resume;
        this.name = b.name;
        this.version = b.version;
        this.evalBatchSize = b.evalBatchSize;
        this.dataSource = b.dataSource;
        require(epochs > 0, "epochs must be > 0, got " + epochs);
        require(batchSize > 0, "batch_size must be > 0, got " + batchSize);
        require(learningRate > 0 && Float.isFinite(learningRate), "learning_rate must be > 0, got " + learningRate);
        require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got " + momentum);
        require(weightDecay >= 0 && Float.isFinite(weightDecay), "weight_decay must be >= 0, got " + weightDecay);
        require(validationSize >= 0, "validation_size must be >= 0, got " + validationSize);
        require(limit >= 0, "limit must be >= 0 (0 = all), got " + limit);
        require(padding >= 0, "padding must be >= 0, got " + padding);
        require(threads > 0, "threads must be > 0, got " + threads);
        require(evalBatchSize > 0, "eval_batch_size must be > 0, got " + evalBatchSize);
        require(name != null && !name.isBlank(), "name must not be empty");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public DenseNetConfig architecture() {
        return architecture;
    }

    public int epochs() {
        return epochs;
    }

    public int batchSize() {
        return batchSize;
    }

    public float learningRate() {
        return learningRate;
    }

    public float momentum() {
        return momentum;
    }

    public float weightDecay() {
        return weightDecay;
    }

    public long seed() {
        return seed;
    }

    /** Training images held out (never trained on) to measure accuracy after every epoch. */
    public int validationSize() {
        return validationSize;
    }

    /** Use only the first {@code limit} training images (before the split); 0 = all. */
    public int limit() {
        return limit;
    }

    public int padding() {
        return padding;
    }

    public boolean flip() {
        return flip;
    }

    /** OpenMP threads, or with {@link #autoThreads()} the most the tuner may use. */
    public int threads() {
        return threads;
    }

    /**
     * Choose between 1 and {@link #threads()} OpenMP threads by measured step time, re-checked every few minutes
     * (for machines shared with other work). Needs MXNet's NaiveEngine (the default set up by {@code
     * MxEngineSetup} unless {@code MXNET_ENGINE_TYPE} names another), under which operators run on the calling
     * thread so the count can change at run time; otherwise the trainer says so and keeps {@code
     * OMP_NUM_THREADS}.
     */
    public boolean autoThreads() {
        return autoThreads;
    }

    /** The model artifact directory written after every epoch. */
    public Path outDir() {
        return outDir;
    }

    /** Where checkpoints go (default {@code outDir/checkpoint}). */
    public Path checkpointDir() {
        return checkpointDir;
    }

    public boolean resume() {
        return resume;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public int evalBatchSize() {
        return evalBatchSize;
    }

    /** Where the data came from, recorded in the artifact's provenance. */
    public String dataSource() {
        return dataSource;
    }

    /**
     * The settings that must not change when a run is resumed (the epoch count may grow), as recorded in
     * checkpoints and in the artifact's provenance.
     */
    public Map<String, Object> fixedSettings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch_size", batchSize);
        m.put("learning_rate", (double) learningRate);
        m.put("momentum", (double) momentum);
        m.put("weight_decay", (double) weightDecay);
        m.put("seed", seed);
        m.put("validation_size", validationSize);
        m.put("limit", limit);
        m.put("padding", padding);
        m.put("flip", flip);
        return m;
    }

    public Builder toBuilder() {
        return builder(architecture, outDir).epochs(epochs).batchSize(batchSize).learningRate(learningRate)
                .momentum(momentum).weightDecay(weightDecay).seed(seed).validationSize(validationSize).limit(limit)
                .padding(padding).flip(flip).threads(threads).autoThreads(autoThreads).checkpointDir(checkpointDir).resume(resume).name(name)
                .version(version).evalBatchSize(evalBatchSize).dataSource(dataSource);
    }

    /** A builder starting from the {@code DEFAULT_} settings. */
    public static Builder builder(DenseNetConfig architecture, Path outDir) {
        Builder b = new Builder();
        b.architecture = architecture;
        b.outDir = outDir;
        return b;
    }

    /** Builder with the defaults of {@link #builder(DenseNetConfig, Path)}. */
    public static final class Builder {
        private DenseNetConfig architecture;
        private int epochs = 1;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private float learningRate = DEFAULT_LEARNING_RATE;
        private float momentum = DEFAULT_MOMENTUM;
        private float weightDecay = DEFAULT_WEIGHT_DECAY;
        private long seed = DEFAULT_SEED;
        private int validationSize = DEFAULT_VALIDATION_SIZE;
        private int limit;
        private int padding = DEFAULT_PADDING;
        private boolean flip = true;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private boolean autoThreads;
        private Path outDir;
        private Path checkpointDir;
        private boolean resume;
        private String name = "densenet";
        private String version = "1";
        private int evalBatchSize = 250;
        private String dataSource = "";

        private Builder() {}

        public Builder epochs(int v) {
            this.epochs = v;
            return this;
        }

        public Builder batchSize(int v) {
            this.batchSize = v;
            return this;
        }

        public Builder learningRate(float v) {
            this.learningRate = v;
            return this;
        }

        public Builder momentum(float v) {
            this.momentum = v;
            return this;
        }

        public Builder weightDecay(float v) {
            this.weightDecay = v;
            return this;
        }

        public Builder seed(long v) {
            this.seed = v;
            return this;
        }

        public Builder validationSize(int v) {
            this.validationSize = v;
            return this;
        }

        public Builder limit(int v) {
            this.limit = v;
            return this;
        }

        public Builder padding(int v) {
            this.padding = v;
            return this;
        }

        public Builder flip(boolean v) {
            this.flip = v;
            return this;
        }

        public Builder threads(int v) {
            this.threads = v;
            return this;
        }

        public Builder autoThreads(boolean v) {
            this.autoThreads = v;
            return this;
        }

        public Builder checkpointDir(Path v) {
            this.checkpointDir = v;
            return this;
        }

        public Builder resume(boolean v) {
            this.resume = v;
            return this;
        }

        public Builder name(String v) {
            this.name = v;
            return this;
        }

        public Builder version(String v) {
            this.version = v;
            return this;
        }

        public Builder evalBatchSize(int v) {
            this.evalBatchSize = v;
            return this;
        }

        public Builder dataSource(String v) {
            this.dataSource = v == null ? "" : v;
            return this;
        }

        public TrainingSettings build() {
            return new TrainingSettings(this);
        }
    }
}
