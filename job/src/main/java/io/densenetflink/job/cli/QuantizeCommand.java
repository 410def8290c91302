package io.densenetflink.job.cli;

import ai.djl.Device;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.artifact.Precision;
import io.densenetflink.model.bench.LogitFidelity;
import io.densenetflink.model.data.FashionMnist;
import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.lowp.CalibrationSet;
import io.densenetflink.model.lowp.PrecisionConverter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densenet quantize}: an int8 (calibrated) or bf16 model directory from an fp32 one. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        header = "Convert an fp32 model into an int8 or bf16 model.",
        description = "Convert an fp32 model directory (a DenseNet or an imported MXNet graph) into an int8 model "
                + "calibrated on images run through the model's own preprocessing (MXNet's quantization pass and "
                + "oneDNN fusion), or into a bf16 model (--precision bf16, no calibration).")
final class QuantizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The fp32 model directory.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the converted model goes (must not exist or be empty).")
    Path out;

    @Option(names = "--precision", defaultValue = "int8", paramLabel = "int8|bf16",
            description = "Target precision (default int8).")
    String precision;

    /** Where calibration frames come from: a directory of images, or Fashion-MNIST's training split. */
    static final class Calibration {
        @Option(names = "--calibration", paramLabel = "DIR",
                description = "Calibrate on the image files (JPEG, PNG, BMP, GIF) in DIR.")
        Path directory;

        @Option(names = "--fashion-mnist", paramLabel = "DIR",
                description = "Calibrate on Fashion-MNIST TRAINING images (train-images-idx3-ubyte[.gz] in DIR;"
                        + " the test set is never used).")
        Path fashionMnist;

        @Option(names = "--random", paramLabel = "N",
                description = "Calibrate on N random-normal frames: for speed measurements only (no accuracy).")
        Integer random;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Calibration calibration;

    @Option(names = "--limit", defaultValue = "500", paramLabel = "N",
            description = "Calibrate on at most N frames (default 500; 0 = all).")
    int limit;

    @Mixin
    Int8Options int8;

    @Override
    public Integer call() throws Exception {
        Precision target = Precision.parse(precision);
        if (target == Precision.FP32) {
            throw new IllegalArgumentException("--precision: expected int8 or bf16 (the model already is fp32)");
        }
        if (limit < 0) {
            throw new IllegalArgumentException("--limit must be >= 0 (0 = all), got " + limit);
        }
        if (target == Precision.INT8 && calibration == null) {
            throw new IllegalArgumentException("int8 needs calibration frames: --calibration DIR, --fashion-mnist DIR"
                    + " or --random N");
        }
        if (target == Precision.BF16 && calibration != null) {
            throw new IllegalArgumentException("bf16 is not calibrated: drop --calibration/--fashion-mnist/--random");
        }
        requireEmpty(out);
        ModelArtifact source = ModelArtifact.read(model);
        PrecisionConverter.Request request = target == Precision.BF16 ? PrecisionConverter.Request.bf16()
                : PrecisionConverter.Request.int8(calibrationSet(source), int8.settings());
        MxEngineSetup.useThreads(MxEngineSetup.defaultThreads());
        long start = System.nanoTime();
        ModelArtifact converted = PrecisionConverter.convert(source, request, out);
        double seconds = (System.nanoTime() - start) / 1e9;
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "%s model written to %s in %.1f s (%s)%n", target.id(), out, seconds,
                MxEngineSetup.isaSelection().describe());
        if (!converted.lowPrecision().isEmpty()) {
            stdout.println("low_precision: " + converted.lowPrecision());
        }
        try (DenseNetClassifier reference = DenseNetClassifier.load(source, Device.cpu());
                DenseNetClassifier result = DenseNetClassifier.load(converted, Device.cpu())) {
            stdout.println("fidelity against the fp32 model, 64 random-normal inputs: "
                    + LogitFidelity.compare(reference, result, 64, 8).toJson());
        }
        stdout.flush();
        return 0;
    }

    private static void requireEmpty(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " exists and is not a directory");
        }
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException(dir + " is not empty: give a new directory");
            }
        }
    }

    private CalibrationSet calibrationSet(ModelArtifact source) {
        if (calibration.random != null) {
            if (calibration.random <= 0) {
                throw new IllegalArgumentException("--random must be > 0, got " + calibration.random);
            }
            return CalibrationSet.random(calibration.random, source.preprocessing().outputSize(), 1);
        }
        if (calibration.directory != null) {
            return CalibrationSet.imageDirectory(calibration.directory, source.preprocessing(), limit);
        }
        LabeledImages train = FashionMnist.load(calibration.fashionMnist, FashionMnist.Split.TRAIN);
        if (limit > 0) {
            train = train.first(limit);
        }
        return CalibrationSet.labeledImages(train, 1, source.preprocessing(), "fashion-mnist train",
                calibration.fashionMnist);
    }
}
