package io.densenetflink.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.console.ProgressBar;
import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.nn.DenseNetNetwork;
import io.densenetflink.model.weights.TorchvisionImporter;
import io.densenetflink.model.weights.TorchvisionWeights;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains a DenseNet from scratch on a labelled grey image set with DJL on the MXNet engine, using the
 * project's own eager block ({@link DenseNetNetwork}).
 *
 * <p>One call runs epochs {@code first .. settings.epochs()}: a seeded split holds out {@link
 * TrainingSettings#validationSize()} training images for validation (never trained on); every epoch shuffles
 * the rest, augments each batch on the CPU ({@link Augmenter}), runs forward and backward inside a {@link
 * GradientCollector} (MXNet's BatchNorm uses batch statistics only while autograd records), updates with
 * {@link MomentumSgd} on a cosine schedule, measures validation loss and accuracy in inference mode, writes a
 * checkpoint and (re)writes the model artifact. With {@link TrainingSettings#resume()} it continues after the
 * checkpoint's last completed epoch with its weights, momentum, update count and elapsed time.
 *
 * <p>Reproducible for a fixed seed as far as the engine allows: the split, shuffles and augmentation come from
 * seeded {@link Random}s and MXNet's generator is seeded before initialisation and every epoch; oneDNN kernels
 * may still sum in a different order from run to run.
 */
public final class DenseNetTrainer {

    private static final String NAIVE_ENGINE = "NaiveEngine";

    private DenseNetTrainer() {}

    /**
     * Trains on {@code data} (every image, or the first {@link TrainingSettings#limit()}) and writes the model
     * artifact into {@link TrainingSettings#outDir()}.
     *
     * @param labels the class names, one per class of the architecture
     * @param log where progress bars and per-epoch lines go (stderr on the command line), or null
     */
    public static TrainingResult train(TrainingSettings settings, LabeledImages data, List<String> labels,
            PrintStream log) throws IOException, ModelLoadException {
        return new Run(settings, data, labels, log).run();
    }

    /** The held-out and training halves of a data set: sorted image indices. */
    record Split(int[] train, int[] validation) {

        /** A seeded random split of {@code count} images, {@code validation} of them held out. */
        static Split of(int count, int validation, long seed) {
            if (validation >= count) {
                throw new IllegalArgumentException("--validation-size " + validation + " leaves no training images"
                        + " out of " + count);
            }
            int[] order = permutation(count, new Random(seed ^ 0x5DEECE66DL));
            int[] held = Arrays.copyOf(order, validation);
            int[] rest = Arrays.copyOfRange(order, validation, count);
            Arrays.sort(held);
            Arrays.sort(rest);
            return new Split(rest, held);
        }
    }

    static int[] permutation(int n, Random rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** One training run's state. */
    private static final class Run {
        private final TrainingSettings s;
        private final DenseNetConfig config;
        private final List<String> labels;
        private final PrintStream log;
        private final LabeledImages train;
        private final LabeledImages validation;
        private final Engine engine;

        Run(TrainingSettings settings, LabeledImages data, List<String> labels, PrintStream log) {
            this.s = settings;
            this.config = settings.architecture();
            this.labels = List.copyOf(labels);
            this.log = log;
            if (config.numClasses() != labels.size()) {
                throw new IllegalArgumentException("the architecture has " + config.numClasses()
                        + " classes but the data set " + labels.size());
            }
            if (config.inputChannels() != 1) {
                throw new IllegalArgumentException("the data set is grey (1 channel): set the architecture's"
                        + " input channels to 1, not " + config.inputChannels());
            }
            int side = Math.min(data.rows(), data.cols());
            if (DenseNetNetwork.minimumInputSize(config) > side) {
                throw new IllegalArgumentException("the architecture needs inputs of at least "
                        + DenseNetNetwork.minimumInputSize(config) + "x" + DenseNetNetwork.minimumInputSize(config)
                        + " (too many transitions for the " + config.stem().id() + " stem), the images are "
                        + data.rows() + "x" + data.cols());
            }
            LabeledImages used = settings.limit() > 0 ? data.first(settings.limit()) : data;
            Split split = Split.of(used.count(), settings.validationSize(), settings.seed());
            this.train = used.select(split.train());
            this.validation = used.select(split.validation());
            this.engine = Engine.getEngine(MxEngineSetup.ENGINE);
        }

        TrainingResult run() throws IOException, ModelLoadException {
            Checkpoint.State resumed = null;
            if (!Checkpoint.exists(s.checkpointDir()) && s.resume()) {
                say("no checkpoint in " + s.checkpointDir() + ": starting at epoch 1");
            }
            if (Checkpoint.exists(s.checkpointDir())) {
                if (!s.resume()) {
                    throw new IllegalArgumentException("a checkpoint already exists in " + s.checkpointDir()
                            + ": add --resume to continue that run, or choose another --out");
                }
                resumed = Checkpoint.read(s.checkpointDir());
                checkCompatible(resumed);
            }
            float mean;
            float std;
            if (resumed != null) {
                mean = resumed.mean();
                std = resumed.std();
            } else {
                double[] stats = train.pixelMeanStd();
                mean = round4(stats[0]);
                std = round4(stats[1]);
            }
            PixelNormaliser normaliser = new PixelNormaliser(mean, std);
            Augmenter augmenter = new Augmenter(s.padding(), s.flip(), normaliser);

            ThreadTuner tuner = null;
            if (s.autoThreads() && s.threads() > 1) {
                // MxEngineSetup selects the NaiveEngine when the environment names no engine type.
                String engineType = System.getenv("MXNET_ENGINE_TYPE");
                if (engineType == null || NAIVE_ENGINE.equals(engineType)) {
                    tuner = new ThreadTuner(s.threads());
                } else {
                    say("--threads auto needs MXNet's NaiveEngine (MXNET_ENGINE_TYPE is " + engineType + ": the"
                            + " threaded engine runs operators on its own threads, which keep OMP_NUM_THREADS);"
                            + " using OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
                }
            }
            int threads = tuner != null ? tuner.next() : s.threads();
            MxEngineSetup.useThreads(threads);
            engine.setRandomSeed((int) s.seed());
            try (NDManager manager = engine.newBaseManager(Device.cpu())) {
                Block block = DenseNetNetwork.create(config, manager);
                Map<String, Parameter> named = TorchvisionWeights.parameters(block);
                MomentumSgd sgd = new MomentumSgd(named, s.momentum(), s.weightDecay(), manager);
                int firstEpoch = 1;
                long step = 0;
                double seconds = 0;
                List<EpochStats> history = new ArrayList<>();
                if (resumed != null) {
                    try (NDManager staging = manager.newSubManager()) {
                        String where = s.checkpointDir().resolve(resumed.weights()).toString();
                        TorchvisionWeights.load(block, Checkpoint.readTensors(s.checkpointDir(), resumed.weights(),
                                staging), where);
                        sgd.restore(Checkpoint.readTensors(s.checkpointDir(), resumed.optimizer(), staging),
                                s.checkpointDir().resolve(resumed.optimizer()).toString());
                    }
                    firstEpoch = resumed.epoch() + 1;
                    step = resumed.step();
                    seconds = resumed.trainingSeconds();
                    history.addAll(resumed.history());
                    say(String.format(Locale.ROOT, "resuming from %s: %d epoch(s) done, continuing at epoch %d of %d",
                            s.checkpointDir(), resumed.epoch(), firstEpoch, s.epochs()));
                }
                say(String.format(Locale.ROOT, "training %s (%,d parameters) on %,d images, validating on %,d;"
                        + " batch %d, lr %s cosine, momentum %s, weight decay %s, seed %d, %s thread(s)",
                        config, DenseNetNetwork.countLearnable(block), train.count(), validation.count(),
                        s.batchSize(), s.learningRate(), s.momentum(), s.weightDecay(), s.seed(),
                        tuner != null ? "1.." + s.threads() + " (auto)" : Integer.toString(s.threads())));

                int batch = Math.min(s.batchSize(), train.count());
                int stepsPerEpoch = train.count() / batch;
                LearningRateSchedule schedule = new LearningRateSchedule(s.learningRate(),
                        (long) stepsPerEpoch * s.epochs());
                ParameterStore store = new ParameterStore(manager, false);
                Loss loss = new SoftmaxCrossEntropyLoss();
                int size = train.imageSize();
                Shape inputShape = new Shape(batch, 1, train.rows(), train.cols());
                float[] x = new float[batch * size];
                float[] y = new float[batch];
                ModelArtifact artifact = null;

                for (int epoch = firstEpoch; epoch <= s.epochs(); epoch++) {
                    long start = System.nanoTime();
                    long seed = Checkpoint.epochSeed(s.seed(), epoch);
                    Random rng = new Random(seed);
                    engine.setRandomSeed((int) (seed ^ (seed >>> 32)));
                    int[] order = permutation(train.count(), rng);
                    double lossSum = 0;
                    long correct = 0;
                    long seen = 0;
                    float rate = schedule.at(step);
                    ProgressBar bar = new ProgressBar(log == null ? null : new PrintWriter(log, true),
                            String.format(Locale.ROOT, "epoch %d/%d", epoch, s.epochs()), stepsPerEpoch, "img",
                            ProgressBar.stderrIsTerminal(), 60);
                    for (int b = 0; b < stepsPerEpoch; b++) {
                        if (tuner != null && tuner.next() != threads) {
                            threads = tuner.next();
                            MxEngineSetup.useThreads(threads);
                        }
                        long stepStart = System.nanoTime();
                        augmenter.fill(train, order, b * batch, batch, rng, x, y);
                        rate = schedule.at(step);
                        float lossValue;
                        float[] logits;
                        try (NDManager scope = manager.newSubManager()) {
                            NDArray input = scope.create(x, inputShape);
                            NDArray target = scope.create(y, new Shape(batch));
                            NDArray out;
                            NDArray l;
                            try (GradientCollector collector = engine.newGradientCollector()) {
                                out = block.forward(store, new NDList(input), true).singletonOrThrow();
                                l = loss.evaluate(new NDList(target), new NDList(out));
                                collector.backward(l);
                            }
                            sgd.step(rate);
                            lossValue = l.getFloat();
                            logits = out.toFloatArray();
                        }
                        if (!Float.isFinite(lossValue)) {
                            throw new IllegalStateException(String.format(Locale.ROOT,
                                    "the loss became %s at epoch %d, batch %d: lower --lr (now %s)", lossValue,
                                    epoch, b + 1, s.learningRate()));
                        }
                        if (tuner != null) {
                            tuner.record((System.nanoTime() - stepStart) / 1e9);
                        }
                        step++;
                        lossSum += lossValue * batch;
                        correct += countCorrect(logits, y, batch, config.numClasses());
                        seen += batch;
                        bar.update(b + 1, seen, String.format(Locale.ROOT, " loss %.4f acc %.2f%% lr %.4f%s",
                                lossSum / seen, 100.0 * correct / seen, rate, tuner != null ? " " + threads + " thr" : ""));
                    }
                    bar.finish();
                    double[] val = validate(block, store, manager, normaliser);
                    double epochSeconds = (System.nanoTime() - start) / 1e9;
                    seconds += epochSeconds;
                    EpochStats stats = new EpochStats(epoch, lossSum / seen, (double) correct / seen, val[0], val[1],
                            rate, epochSeconds);
                    history.add(stats);
                    try (NDManager staging = manager.newSubManager();
                            NDList weights = TorchvisionWeights.export(block)) {
                        Checkpoint.write(s.checkpointDir(), Checkpoint.state(s, epoch, step, mean, std, seconds,
                                history), weights, sgd.export(staging));
                    }
                    artifact = artifact(mean, std, history, seconds);
                    TorchvisionImporter.writeArtifact(artifact, block);
                    say(String.format(Locale.ROOT, "epoch %d/%d: train loss %.4f acc %.2f%% | validation loss %.4f"
                            + " acc %.2f%% | lr %.5f | %s (%.0f img/s)", epoch, s.epochs(), stats.trainLoss(),
                            100 * stats.trainAccuracy(), stats.validationLoss(), 100 * stats.validationAccuracy(),
                            rate, ProgressBar.duration(epochSeconds), seen / epochSeconds));
                }
                if (artifact == null) {
                    say("the checkpoint already has " + (firstEpoch - 1) + " epoch(s), --epochs is " + s.epochs()
                            + ": nothing to train; writing the model from the checkpoint");
                    artifact = artifact(mean, std, history, seconds);
                    TorchvisionImporter.writeArtifact(artifact, block);
                }
                return new TrainingResult(firstEpoch, history.size(), List.copyOf(history), artifact, seconds);
            }
        }

        private void checkCompatible(Checkpoint.State state) throws ModelLoadException {
            DenseNetConfig saved = Checkpoint.architecture(state, s.checkpointDir());
            if (!saved.equals(config)) {
                throw new IllegalArgumentException("cannot resume: the checkpoint in " + s.checkpointDir()
                        + " is of another architecture (" + saved + ", asked for " + config + ")");
            }
            var now = Checkpoint.settingsJson(s);
            if (!now.equals(state.settings())) {
                List<String> differences = new ArrayList<>();
                for (String key : now.keySet()) {
                    if (!now.get(key).equals(state.settings().get(key))) {
                        differences.add(key + " " + state.settings().get(key) + " -> " + now.get(key));
                    }
                }
                throw new IllegalArgumentException("cannot resume: settings differ from the checkpoint in "
                        + s.checkpointDir() + " (" + String.join(", ", differences)
                        + "); only --epochs may change");
            }
        }

        /** Validation loss and accuracy, the network in inference mode; NaN, NaN without a validation set. */
        private double[] validate(Block block, ParameterStore store, NDManager manager, PixelNormaliser normaliser) {
            if (validation.count() == 0) {
                return new double[] {Double.NaN, Double.NaN};
            }
            int classes = config.numClasses();
            int size = validation.imageSize();
            int batch = Math.min(s.evalBatchSize(), validation.count());
            float[] x = new float[batch * size];
            double lossSum = 0;
            long correct = 0;
            for (int from = 0; from < validation.count(); from += batch) {
                int n = Math.min(batch, validation.count() - from);
                normaliser.normalise(validation, from, n, x);
                float[] logits;
                try (NDManager scope = manager.newSubManager()) {
                    NDArray input = scope.create(n == batch ? x : Arrays.copyOf(x, n * size),
                            new Shape(n, 1, validation.rows(), validation.cols()));
                    logits = block.forward(store, new NDList(input), false).singletonOrThrow().toFloatArray();
                }
                for (int i = 0; i < n; i++) {
                    int truth = validation.label(from + i);
                    lossSum += crossEntropy(logits, i * classes, classes, truth);
                    if (argMax(logits, i * classes, classes) == truth) {
                        correct++;
                    }
                }
            }
            return new double[] {lossSum / validation.count(), (double) correct / validation.count()};
        }

        private ModelArtifact artifact(float mean, float std, List<EpochStats> history, double seconds) {
            EpochStats last = history.isEmpty() ? null : history.get(history.size() - 1);
            Map<String, Object> metrics = new LinkedHashMap<>();
            if (last != null) {
                metrics.put("validation_accuracy", finiteOrNull(last.validationAccuracy()));
                metrics.put("validation_loss", finiteOrNull(last.validationLoss()));
                metrics.put("train_accuracy", last.trainAccuracy());
                metrics.put("train_loss", last.trainLoss());
            }
            metrics.put("validation_images", validation.count());
            metrics.put("epochs_completed", history.size());
            List<Map<String, Object>> perEpoch = new ArrayList<>();
            for (EpochStats e : history) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("epoch", e.epoch());
                m.put("train_loss", round6(e.trainLoss()));
                m.put("train_accuracy", round6(e.trainAccuracy()));
                m.put("validation_loss", finiteOrNull(round6(e.validationLoss())));
                m.put("validation_accuracy", finiteOrNull(round6(e.validationAccuracy())));
                m.put("learning_rate", round6(e.learningRate()));
                m.put("seconds", Math.round(e.seconds() * 10) / 10.0);
                perEpoch.add(m);
            }
            metrics.put("history", perEpoch);

            Map<String, Object> training = new LinkedHashMap<>();
            training.put("dataset", "fashion-mnist train split");
            if (!s.dataSource().isEmpty()) {
                training.put("data_source", s.dataSource());
            }
            training.put("train_images", train.count());
            training.put("validation_images", validation.count());
            training.put("epochs", s.epochs());
            training.put("batch_size", s.batchSize());
            training.put("learning_rate", (double) s.learningRate());
            training.put("lr_schedule", "cosine to 0 over all epochs, per update");
            training.put("optimizer", "sgd, momentum " + s.momentum() + ", weight decay " + s.weightDecay());
            training.put("loss", "softmax cross-entropy");
            training.put("augmentation", (s.padding() > 0 ? "random crop with " + s.padding() + "-pixel zero padding"
                    : "no crop") + (s.flip() ? ", horizontal flip" : ""));
            training.put("seed", s.seed());
            if (s.limit() > 0) {
                training.put("limit", s.limit());
            }
            training.put("threads", s.autoThreads() ? "auto, 1.." + s.threads() : s.threads());
            training.put("training_seconds", Math.round(seconds));
            training.put("engine", MxEngineSetup.ENGINE + " " + engine.getVersion());
            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("source", "trained with densenet train (io.densenetflink.model.train.DenseNetTrainer)");
            provenance.put("trained_at", Instant.now().toString());
            provenance.put("training", training);

            return ModelArtifact.builder()
                    .directory(s.outDir())
                    .name(s.name())
                    .version(s.version())
                    .architecture(config)
                    .labels(labels)
                    .preprocessing(Preprocessing.of(1, Math.min(train.rows(), train.cols()), train.rows(),
                            train.cols(), new float[] {mean}, new float[] {std}))
                    .provenance(provenance)
                    .metrics(metrics)
                    .build();
        }

        private void say(String line) {
            if (log != null) {
                log.println(line);
                log.flush();
            }
        }
    }

    static int countCorrect(float[] logits, float[] labels, int n, int classes) {
        int correct = 0;
        for (int i = 0; i < n; i++) {
            if (argMax(logits, i * classes, classes) == (int) labels[i]) {
                correct++;
            }
        }
        return correct;
    }

    static int argMax(float[] values, int offset, int length) {
        int best = 0;
        for (int i = 1; i < length; i++) {
            if (values[offset + i] > values[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    /** {@code -log softmax(logits)[truth]}, computed stably. */
    static double crossEntropy(float[] logits, int offset, int classes, int truth) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, logits[offset + c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(logits[offset + c] - max);
        }
        return Math.log(sum) + max - logits[offset + truth];
    }

    private static float round4(double v) {
        return (float) (Math.round(v * 10_000) / 10_000.0);
    }

    private static double round6(double v) {
        return Double.isFinite(v) ? Math.round(v * 1_000_000) / 1_000_000.0 : v;
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** True when {@code dir} holds a checkpoint that {@code --resume} would continue. */
    public static boolean hasCheckpoint(java.nio.file.Path dir) {
        return Files.isRegularFile(dir.resolve(Checkpoint.FILE));
    }
}
