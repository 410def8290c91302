package io.densenetflink.model.train;

import io.densenetflink.model.DenseNetConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that defines one training run: architecture, schedule, optimiser, augmentation, data split,
 * seed and where the outputs go. Each setting is declared once, as a component here; the constructor validates
 * and names a bad setting as {@link #fixedSettings()} does ({@code batch_size}): the library speaks of settings,
 * a command line of its flags.
 *
 * <p>The optimiser is SGD with momentum and weight decay (MXNet's fused {@code sgd_mom_update}), the
 * learning rate follows a cosine from {@link #learningRate()} to 0 over all epochs, the loss is softmax
 * cross-entropy. Augmentation: a random {@code side x side} crop of the image zero-padded by {@link
 * #padding()} pixels on each side, and a horizontal flip with probability 1/2.
 *
 * @param validationSize training images held out (never trained on) to measure accuracy after every epoch
 * @param limit use only the first {@code limit} training images (before the split); 0 = all
 * @param threads OpenMP threads, or with {@code autoThreads} the most the tuner may use
 * @param autoThreads choose between 1 and {@code threads} OpenMP threads by measured step time, re-checked every
 *     few minutes (for machines shared with other work). Needs MXNet's NaiveEngine (the default set up by {@code
 *     MxEngineSetup} unless {@code MXNET_ENGINE_TYPE} names another), under which operators run on the calling
 *     thread so the count can change at run time; otherwise the trainer says so and keeps {@code OMP_NUM_THREADS}
 * @param outDir the model artifact directory written after every epoch
 * @param checkpointDir where checkpoints go (default {@code outDir/checkpoint})
 * @param dataSource where the data came from, recorded in the artifact's provenance
 */
public record TrainingSettings(
        DenseNetConfig architecture,
        int epochs,
        int batchSize,
        float learningRate,
        float momentum,
        float weightDecay,
        long seed,
        int validationSize,
        int limit,
        int padding,
        boolean flip,
        int threads,
        boolean autoThreads,
        Path outDir,
        Path checkpointDir,
        boolean resume,
        String name,
        String version,
        int evalBatchSize,
        String dataSource) {

    // Defaults, declared once: the builder starts from them, and the command line shows and uses them.
    public static final int DEFAULT_BATCH_SIZE = 64;
    public static final float DEFAULT_LEARNING_RATE = 0.1f;
    public static final float DEFAULT_MOMENTUM = 0.9f;
    public static final float DEFAULT_WEIGHT_DECAY = 1e-4f;
    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_VALIDATION_SIZE = 5000;
    public static final int DEFAULT_PADDING = 2;

    /** Validates every setting, naming the bad one as {@link #fixedSettings()} does. */
    public TrainingSettings {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(outDir, "outDir");
        checkpointDir = checkpointDir != null ? checkpointDir : outDir.resolve("checkpoint");
        dataSource = dataSource == null ? "" : dataSource;
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
            this.dataSource = v;
            return this;
        }

        public TrainingSettings build() {
            return new TrainingSettings(architecture, epochs, batchSize, learningRate, momentum, weightDecay, seed,
                    validationSize, limit, padding, flip, threads, autoThreads, outDir, checkpointDir, resume, name,
                    version, evalBatchSize, dataSource);
        }
    }
}
