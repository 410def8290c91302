package io.densenetflink.job.cli;

import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.data.FashionMnist;
import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.train.DenseNetTrainer;
import io.densenetflink.model.train.EpochStats;
import io.densenetflink.model.train.TrainingResult;
import io.densenetflink.model.train.TrainingSettings;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densenet train}: train a DenseNet from scratch on Fashion-MNIST and write a model directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
        header = "Train a DenseNet from scratch on Fashion-MNIST.",
        description = "Train a DenseNet from scratch on Fashion-MNIST (DJL + MXNet, CPU). Writes the model directory "
                + "(model.json + weights.safetensors) and a checkpoint after every epoch; --resume continues after "
                + "the last one. Holds out --validation-size training images; never reads the test set.")
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dataset", defaultValue = FashionMnist.NAME, paramLabel = "NAME",
            description = "Data set (only fashion-mnist).")
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Directory with train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]"
                    + " (default /usr/share/datasets/fashion-mnist, Debian's dataset-fashion-mnist).")
    Path dataDir = FashionMnist.DEBIAN_DIR;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "Architecture preset, e.g. densenet-bc-40-12 (same as --variant).")
    String preset;

    @Mixin
    ArchitectureOptions architecture;

    @Option(names = "--epochs", required = true, paramLabel = "N",
            description = "Epochs in total (may grow on --resume; the cosine schedule then spans the new total).")
    int epochs;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Model directory to write (checkpoints go to DIR/checkpoint unless --checkpoint-dir).")
    Path out;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Where checkpoints go (default OUT/checkpoint).")
    Path checkpointDir;

    @Option(names = "--resume", description = "Continue after the last completed epoch of the checkpoint.")
    boolean resume;

    // Defaults come from TrainingSettings' DEFAULT_ constants; ${DEFAULT-VALUE} shows them in --help.
    @Option(names = "--batch-size", defaultValue = "" + TrainingSettings.DEFAULT_BATCH_SIZE, paramLabel = "B",
            description = "Images per update (default ${DEFAULT-VALUE}; measured faster per image than 128 on a 2-core"
                    + " CPU).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "" + TrainingSettings.DEFAULT_LEARNING_RATE, paramLabel = "X",
            description = "Initial learning rate, cosine-annealed to 0 (default ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--momentum", defaultValue = "" + TrainingSettings.DEFAULT_MOMENTUM, paramLabel = "M",
            description = "SGD momentum (default ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--weight-decay", defaultValue = "" + TrainingSettings.DEFAULT_WEIGHT_DECAY, paramLabel = "W",
            description = "L2 weight decay (default ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--seed", defaultValue = "" + TrainingSettings.DEFAULT_SEED, paramLabel = "S",
            description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--validation-size", defaultValue = "" + TrainingSettings.DEFAULT_VALIDATION_SIZE,
            paramLabel = "N", description = "Training images held out for validation (default ${DEFAULT-VALUE}).")
    int validationSize;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Use only the first N training images, for quick runs (default: all).")
    int limit;

    @Option(names = "--padding", defaultValue = "" + TrainingSettings.DEFAULT_PADDING, paramLabel = "P",
            description = "Random-crop augmentation: zero padding on each side (default ${DEFAULT-VALUE}; 0 = no"
                    + " crop).")
    int padding;

    @Option(names = "--no-flip", description = "No random horizontal flips.")
    boolean noFlip;

    @Option(names = "--threads", paramLabel = "N|auto",
            description = "OpenMP threads (default: OMP_NUM_THREADS, else all cores). auto: choose between 1 and all "
                    + "cores by measured step time, re-checked every few minutes (for a machine shared with other "
                    + "work; needs MXNet's NaiveEngine, the default).")
    String threads;

    @Option(names = "--name", defaultValue = "fashion-mnist-densenet", paramLabel = "NAME",
            description = "Model name in model.json (default fashion-mnist-densenet).")
    String name;

    @Option(names = "--model-version", defaultValue = "1", paramLabel = "V", description = "Model version (default 1).")
    String version;

    @Override
    public Integer call() throws Exception {
        FashionMnist.requireSupported(dataset);
        TrainingSettings settings = inFlags(() -> TrainingSettings.builder(architecture(), out)
                .epochs(epochs).batchSize(batchSize).learningRate(learningRate).momentum(momentum)
                .weightDecay(weightDecay).seed(seed).validationSize(validationSize).limit(limit).padding(padding)
                .flip(!noFlip).threads(threadCount())
                .autoThreads(threads != null && "auto".equalsIgnoreCase(threads.trim()))
                .checkpointDir(checkpointDir).resume(resume).name(name).version(version)
                .dataSource(dataDir.toAbsolutePath().toString()).build());
        LabeledImages data = FashionMnist.load(dataDir, FashionMnist.Split.TRAIN);
        PrintStream log = System.err;
        TrainingResult result = DenseNetTrainer.train(settings, data, FashionMnist.CLASS_NAMES, log);
        EpochStats last = result.last();
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "trained %d epoch(s) (%d in this run), %.0f s in all; validation accuracy %.2f%%;"
                + " model written to %s%n", result.epochsCompleted(), Math.max(0, result.epochsTrainedNow()),
                result.trainingSeconds(), 100 * last.validationAccuracy(), result.artifact().directory());
        stdout.flush();
        return 0;
    }

    /** The flag of each training setting, for errors in this command's terms. */
    private static final java.util.Map<String, String> FLAGS = java.util.Map.ofEntries(
            java.util.Map.entry("epochs", "--epochs"), java.util.Map.entry("batch_size", "--batch-size"),
            java.util.Map.entry("learning_rate", "--lr"), java.util.Map.entry("momentum", "--momentum"),
            java.util.Map.entry("weight_decay", "--weight-decay"), java.util.Map.entry("validation_size",
                    "--validation-size"), java.util.Map.entry("limit", "--limit"),
            java.util.Map.entry("padding", "--padding"), java.util.Map.entry("threads", "--threads"),
            java.util.Map.entry("name", "--name"));

    /** The settings {@code build} makes, a refused one named by its flag (the library names the setting). */
    private static TrainingSettings inFlags(java.util.function.Supplier<TrainingSettings> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            String setting = message.split(" ", 2)[0];
            throw new IllegalArgumentException(FLAGS.getOrDefault(setting, setting) + message.substring(setting.length()),
                    e);
        }
    }

    private int threadCount() {
        if (threads == null) {
            return MxEngineSetup.defaultThreads();
        }
        if ("auto".equalsIgnoreCase(threads.trim())) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            return Integer.parseInt(threads.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--threads: expected a number or auto, got '" + threads + "'");
        }
    }

    /** The architecture from --preset/--variant or the flags, for 1-channel 28x28 input and 10 classes. */
    DenseNetConfig architecture() {
        if (preset != null) {
            if (architecture.variant != null && !architecture.variant.equals(preset)) {
                throw new IllegalArgumentException("give either --preset or --variant, not both");
            }
            architecture.variant = preset;
        }
        if (!architecture.given()) {
            throw new IllegalArgumentException("give --preset NAME (e.g. densenet-bc-40-12), or --growth-rate K and"
                    + " --blocks a,b,c (with --init-features, --bn-size, --compression as needed)");
        }
        DenseNetConfig.Builder b = architecture.toBuilder();
        if (architecture.stem == null) {
            b.stem(DenseNetConfig.Stem.CIFAR);
        }
        if (architecture.inputChannels != null && architecture.inputChannels != 1) {
            throw new IllegalArgumentException("--input-channels: Fashion-MNIST images are grey (1 channel), got "
                    + architecture.inputChannels);
        }
        return b.inputChannels(1).numClasses(FashionMnist.CLASS_NAMES.size()).build();
    }
}
