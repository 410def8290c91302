package io.densenetflink.job.cli;

import com.google.gson.JsonObject;
import io.densenetflink.job.local.demo.Demo;
import io.densenetflink.job.local.demo.DemoInputs;
import io.densenetflink.job.kafka.ResultEvaluator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densenet demo}: the whole pipeline on one machine, no set-up: broker, job, frames, summary. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Run the whole pipeline locally on the shipped Fashion-MNIST model.",
        description = "Run everything locally: an in-process Kafka broker, the job on a Flink MiniCluster with the "
                + "shipped Fashion-MNIST model, labeled frames in, results out, and a summary (accuracy, throughput, "
                + "latency).")
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--frames", defaultValue = "1000", paramLabel = "N",
            description = "Frames to send (default 1000): Fashion-MNIST test images, or synthetic ones with --variant.")
    int frames;

    @Option(names = "--images", paramLabel = "DIR", description = "Classify your own image files instead.")
    Path images;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: the shipped Fashion-MNIST model).")
    Path model;

    @Option(names = "--repository", paramLabel = "DIR",
            description = "Serve a model repository: DIR (created with the model as version 1 if it holds no "
                    + "version). With --follow, `densenet publish --model SRC --repository DIR` swaps the job to SRC "
                    + "at its next checkpoint; the results say which version classified them.")
    Path repository;

    @Option(names = "--variant", paramLabel = "NAME",
            description = "A random-weight model of this architecture on synthetic 224x224 frames, to measure the pipeline.")
    String variant;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N") int batchSize;
    @Option(names = "--max-delay-ms", defaultValue = "50", paramLabel = "MS") long maxDelayMs;
    @Option(names = "--parallelism", defaultValue = "1", paramLabel = "N") int parallelism;
    @Option(names = "--engine-mode", defaultValue = "compiled", paramLabel = "eager|compiled") String engineMode;
    @Option(names = "--timeout", defaultValue = "10m", paramLabel = "D", description = "Give up after this long (default 10m).")
    String timeout;

    @Option(names = "--follow", description = "Keep the job running after the summary and print results as they come.")
    boolean follow;

    @Option(names = "--json-summary", description = "Print the summary as one JSON object on the last line.")
    boolean jsonSummary;

    @Override
    public Integer call() throws Exception {
        if (frames <= 0) {
            throw new IllegalArgumentException("--frames must be > 0");
        }
        if (variant != null && (model != null || images != null)) {
            throw new IllegalArgumentException("--variant uses a random-weight model on synthetic frames: it does not"
                    + " combine with --model or --images");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DemoInputs resolved = DemoInputs.resolve(variant, model, images, frames);
        DemoInputs inputs = repository == null ? resolved : resolved.servedFrom(repository);
        Demo.Plan plan = new Demo.Plan(inputs.modelDir().toString(), inputs.frames(), inputs.note(), batchSize,
                maxDelayMs, parallelism, engineMode, follow, images != null,
                org.apache.flink.util.TimeUtils.parseDuration(timeout));
        long start = System.nanoTime();
        Demo.Outcome outcome = new Demo(plan, err).run();
        double seconds = (System.nanoTime() - start) / 1e9;
        ResultEvaluator.Summary s = outcome.summary();
        if (images != null) {
            for (Map.Entry<String, String> e : outcome.perFrame().entrySet()) {
                out.printf("%s: %s%n", e.getKey(), e.getValue());
            }
        }
        out.printf("frames sent:   %d%n", outcome.sent());
        out.print(s.format());
        out.printf(Locale.ROOT, "throughput:    %.2f images/s (first to last result)%n", outcome.imagesPerSecond());
        out.printf(Locale.ROOT, "wall time:     %.1f s including start-up%n", seconds);
        if (!outcome.complete()) {
            out.printf("INCOMPLETE: %d of %d frames were not accounted for within %s%n",
                    outcome.sent() - s.frames(), outcome.sent(), timeout);
        }
        if (jsonSummary) {
            JsonObject json = s.toJson();
            json.addProperty("frames", outcome.sent());
            json.addProperty("images_per_second", outcome.imagesPerSecond());
            json.addProperty("complete", outcome.complete());
            json.addProperty("model", plan.modelDir());
            out.println(json);
        }
        out.flush();
        return outcome.complete() && s.duplicates() == 0 ? 0 : 1;
    }
}
