package io.densenetflink.job.cli;

import ai.djl.Device;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.artifact.Precision;
import io.densenetflink.model.artifact.ScratchDirectory;
import io.densenetflink.model.bench.LogitFidelity;
import io.densenetflink.model.bench.ModelBenchmark;
import io.densenetflink.model.bench.OneDnnProfile;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.engine.OneDnnIsa;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.inference.EngineMode;
import io.densenetflink.model.lowp.CalibrationSet;
import io.densenetflink.model.lowp.PrecisionConverter;
import io.densenetflink.model.weights.TorchvisionImporter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densenet bench}: raw model throughput and peak memory per batch size, on random input. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Measure a model's images/s and peak memory per batch size.",
        description = "Measure images/s and peak resident memory per batch size (random input, warm-up first), in "
                + "fp32, int8 or bf16 (--precision converts the model first), with the oneDNN ISA that ran.")
final class BenchCommand implements Callable<Integer> {

    /** Random-normal frames an on-the-fly int8 model is calibrated on (as many as the ONNX Runtime peer uses). */
    static final int SPEED_CALIBRATION_FRAMES = 32;

    @Spec
    CommandSpec spec;

    @Mixin
    ArchitectureOptions architecture;

    @Mixin
    PreprocessingOptions input;

    @Option(names = "--model", paramLabel = "DIR", description = "Benchmark a model directory (its weights, input size and precision).")
    Path model;

    @Option(names = "--precision", paramLabel = "fp32|int8|bf16",
            description = "Precision to measure (default: the model's own). Converting from fp32 happens first; int8 is"
                    + " then calibrated on " + SPEED_CALIBRATION_FRAMES + " random-normal frames: right for speed, not"
                    + " for accuracy.")
    String precision;

    @Mixin
    Int8Options int8;

    @Option(names = "--batch", split = ",", defaultValue = "1,8,32", paramLabel = "N",
            description = "Batch sizes (default 1,8,32).")
    int[] batches;

    @Option(names = "--seconds", defaultValue = "10", paramLabel = "S", description = "Measured seconds per batch size (default 10).")
    double seconds;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Warm-up batches per batch size (default 2).")
    int warmup;

    @Option(names = "--fidelity", defaultValue = "0", paramLabel = "N",
            description = "Also compare the logits with the fp32 model's on N random-normal inputs (default 0: no).")
    int fidelity;

    @Option(names = "--profile", description = "Print where each batch size's time goes in oneDNN (op class, kernel, ISA).")
    boolean profile;

    @Option(names = "--json", description = "One JSON object per batch size per line.")
    boolean json;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        if (seconds <= 0 || warmup < 0 || fidelity < 0) {
            throw new IllegalArgumentException("--seconds must be > 0, --warmup and --fidelity >= 0");
        }
        for (int b : batches) {
            if (b <= 0) {
                throw new IllegalArgumentException("--batch sizes must be > 0, got " + b);
            }
        }
        Device device = runtime.apply();
        int threads = runtime.threads != null ? runtime.threads : MxEngineSetup.defaultThreads();
        EngineMode mode = runtime.mode();
        PrintWriter out = spec.commandLine().getOut();
        try (ScratchDirectory scratch = ScratchDirectory.create("densenet-bench-")) {
            ModelArtifact source = model != null ? ModelArtifact.read(model) : randomModel(scratch.path());
            String variant = architecture.variant != null ? architecture.variant
                    : model != null ? source.name() : "custom";
            Precision target = precision == null ? source.precision() : Precision.parse(precision);
            ModelArtifact measured = convert(source, target, scratch.path().resolve(target.id()));
            OneDnnIsa isa = device.isGpu() ? null : OneDnnProfile.measure(measured.directory(), mode,
                    batches[0], 1, threads).convolutionIsa();
            try (DenseNetClassifier classifier = DenseNetClassifier.load(measured, device, mode)) {
                int h = classifier.preprocessing().cropHeight();
                int w = classifier.preprocessing().cropWidth();
                String isaName = isa == null ? (device.isGpu() ? "gpu" : "unknown") : isa.id();
                if (!json) {
                    out.printf("%s, %dx%d, %s, %s, %s (oneDNN ISA %s), %d threads, %.0f s per batch size%n", variant,
                            h, w, target.id(), classifier.engineMode().id(), device, isaName, threads, seconds);
                    out.printf("%6s %10s %14s %14s %12s%n", "batch", "batches", "images/s", "median ms", "peak RSS MB");
                }
                new ModelBenchmark(classifier, h, w).run(batches, seconds, warmup, r -> {
                    if (json) {
                        out.println(String.format(Locale.ROOT, "{\"variant\":\"%s\",\"precision\":\"%s\","
                                + "\"engine_mode\":\"%s\",\"device\":\"%s\",\"isa\":\"%s\",\"threads\":%d,"
                                + "\"height\":%d,\"width\":%d,\"batch\":%d,\"batches\":%d,\"images_per_second\":%.3f,"
                                + "\"median_batch_ms\":%.3f,\"peak_rss_mb\":%d}", variant, target.id(),
                                classifier.engineMode().id(), device, isaName, threads, h, w, r.batch(), r.batches(),
                                r.imagesPerSecond(), r.medianBatchMs(), r.peakRssMb()));
                    } else {
                        out.printf("%6d %10d %14.2f %14.2f %12d%n", r.batch(), r.batches(), r.imagesPerSecond(),
                                r.medianBatchMs(), r.peakRssMb());
                    }
                    out.flush();
                });
                if (fidelity > 0) {
                    ModelArtifact reference = fp32Reference(source);
                    try (DenseNetClassifier fp32 = DenseNetClassifier.load(reference, device, EngineMode.COMPILED)) {
                        LogitFidelity f = LogitFidelity.compare(fp32, classifier, fidelity, 8);
                        out.println(json ? "{\"fidelity\":" + f.toJson() + ",\"precision\":\"" + target.id()
                                + "\",\"reference\":\"" + reference.directory() + "\"}"
                                : "fidelity against the fp32 model " + reference.directory() + ": " + f.toJson());
                    }
                }
            }
            if (profile && !device.isGpu()) {
                PrintWriter where = json ? spec.commandLine().getErr() : out;
                for (int b : batches) {
                    OneDnnProfile p = OneDnnProfile.measure(measured.directory(), mode, b, 3, threads);
                    where.printf(Locale.ROOT, "%noneDNN profile, %s %s batch %d (%.1f ms of primitives per forward):%n%s",
                            variant, target.id(), b, p.millisPerForward(), p.table());
                }
                where.flush();
            }
        }
        return 0;
    }

    /** The architecture named on the command line, with random weights, written as a model directory. */
    private ModelArtifact randomModel(Path scratch) throws Exception {
        DenseNetConfig config = architecture.toBuilder().build();
        String name = architecture.variant != null ? architecture.variant : "custom";
        ModelArtifact spec = ModelArtifact.builder().directory(scratch.resolve("random")).name(name).version("random")
                .architecture(config).preprocessing(input.toPreprocessing(config)).build();
        return TorchvisionImporter.writeRandomArtifact(spec);
    }

    /** The fp32 model to compare with: the source itself, or the one a converted model records. */
    private static ModelArtifact fp32Reference(ModelArtifact source) throws Exception {
        if (source.precision() == Precision.FP32) {
            return source;
        }
        Path dir = PrecisionConverter.sourceDirectory(source).orElseThrow(() -> new IllegalArgumentException(
                "--fidelity: " + source.directory() + "/model.json records no fp32 source model"));
        return ModelArtifact.read(dir);
    }

    /** {@code source} as {@code target}: itself, or converted into {@code dir}. */
    private ModelArtifact convert(ModelArtifact source, Precision target, Path dir) throws Exception {
        if (target == source.precision()) {
            return source;
        }
        if (source.precision() != Precision.FP32) {
            throw new IllegalArgumentException(source.directory() + " is a " + source.precision().id()
                    + " model; give its fp32 model to measure " + target.id());
        }
        PrecisionConverter.Request request = switch (target) {
            case INT8 -> PrecisionConverter.Request.int8(CalibrationSet.random(SPEED_CALIBRATION_FRAMES,
                    source.preprocessing().outputSize(), 1), int8.settings());
            case BF16 -> PrecisionConverter.Request.bf16();
            case FP32 -> PrecisionConverter.Request.fp32();
        };
        return PrecisionConverter.convert(source, request, dir);
    }
}
