package io.densenetflink.job.cli;

import ai.djl.Device;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.bench.ModelBenchmark;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.inference.DenseNetClassifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code densenet bench}: raw model throughput and peak memory per batch size, on random input. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure images/s and peak resident memory per batch size (random input, warm-up first).")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ArchitectureOptions architecture;

    @Mixin
    PreprocessingOptions input;

    @Option(names = "--model", paramLabel = "DIR", description = "Benchmark a model artifact (its weights and input size).")
    Path model;

    @Option(names = "--batch", split = ",", defaultValue = "1,8,32", paramLabel = "N",
            description = "Batch sizes (default 1,8,32).")
    int[] batches;

    @Option(names = "--seconds", defaultValue = "10", paramLabel = "S", description = "Measured seconds per batch size (default 10).")
    double seconds;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Warm-up batches per batch size (default 2).")
    int warmup;

    @Option(names = "--json", description = "One JSON object per batch size per line.")
    boolean json;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        if (seconds <= 0 || warmup < 0) {
            throw new IllegalArgumentException("--seconds must be > 0 and --warmup >= 0");
        }
        for (int b : batches) {
            if (b <= 0) {
                throw new IllegalArgumentException("--batch sizes must be > 0, got " + b);
            }
        }
        Device device = runtime.apply();
        String variant;
        DenseNetClassifier classifier;
        if (model != null) {
            classifier = DenseNetClassifier.load(model, device, runtime.mode());
            variant = architecture.variant != null ? architecture.variant : classifier.artifact().name();
        } else {
            DenseNetConfig config = architecture.toBuilder().build();
            variant = architecture.variant != null ? architecture.variant : "custom";
            ModelArtifact spec = ModelArtifact.builder().name(variant).version("random").architecture(config)
                    .preprocessing(input.toPreprocessing(config)).build();
            classifier = DenseNetClassifier.withRandomWeights(spec, device, runtime.mode());
        }
        try (classifier) {
            int h = classifier.preprocessing().cropHeight();
            int w = classifier.preprocessing().cropWidth();
            int threads = runtime.threads != null ? runtime.threads : MxEngineSetup.defaultThreads();
            PrintWriter out = spec.commandLine().getOut();
            if (!json) {
                out.printf("%s, %dx%d, %s, %s, %d threads, %.0f s per batch size%n", variant, h, w,
                        classifier.engineMode().id(), device, threads, seconds);
                out.printf("%6s %10s %14s %14s %12s%n", "batch", "batches", "images/s", "median ms", "peak RSS MB");
            }
            new ModelBenchmark(classifier, h, w).run(batches, seconds, warmup, r -> {
                if (json) {
                    out.println(String.format(Locale.ROOT, "{\"variant\":\"%s\",\"engine_mode\":\"%s\","
                            + "\"device\":\"%s\",\"threads\":%d,\"height\":%d,\"width\":%d,\"batch\":%d,"
                            + "\"batches\":%d,\"images_per_second\":%.3f,\"median_batch_ms\":%.3f,"
                            + "\"peak_rss_mb\":%d}", variant, classifier.engineMode().id(), device, threads, h, w, r.batch(), r.batches(),
                            r.imagesPerSecond(), r.medianBatchMs(), r.peakRssMb()));
                } else {
                    out.printf("%6d %10d %14.2f %14.2f %12d%n", r.batch(), r.batches(), r.imagesPerSecond(),
                            r.medianBatchMs(), r.peakRssMb());
                }
                out.flush();
            });
        }
        return 0;
    }
}
