package io.densenetflink.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.densenetflink.job.local.demo.DemoInputs;
import io.densenetflink.model.data.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code densenet demo --frames 200}: broker, job, labeled frames, summary — and its exit code. */
class DemoCommandTest {

    @TempDir
    static Path tmp;

    @BeforeAll
    static void home() {
        // The project root, where the shipped sample and model live (bin/densenet sets this).
        System.setProperty("densenet.home", Path.of("..").toAbsolutePath().normalize().toString());
    }

    private static JsonObject runDemo(String... args) {
        CliRun run = CliRun.of(args);
        assertEquals(0, run.code(), run.out() + run.err());
        List<String> lines = run.lines();
        return JsonParser.parseString(lines.get(lines.size() - 1)).getAsJsonObject();
    }

    @Test
    void twoHundredFramesAllAccountedForWithASummary() throws Exception {
        Path model = io.densenetflink.job.JobTestSupport.tinyModel(tmp.resolve("model"));
        JsonObject summary = runDemo("demo", "--frames", "200", "--model", model.toString(), "--json-summary");
        assertEquals(200, summary.get("frames").getAsInt());
        assertEquals(200, summary.get("results").getAsInt() + summary.get("dead_letters").getAsInt());
        assertEquals(0, summary.get("duplicates").getAsInt());
        assertEquals(200, summary.get("labeled").getAsInt(), "Fashion-MNIST frames carry their labels");
        assertTrue(summary.get("images_per_second").getAsDouble() > 0);
        assertTrue(summary.get("latency_ms_p99").getAsLong() >= summary.get("latency_ms_p50").getAsLong());
    }

    /** {@code --repository DIR}: the model becomes version 1 of a new repository, which the demo serves. */
    @Test
    void aRepositoryCreatedFromTheModelIsServed() throws Exception {
        Path model = io.densenetflink.job.JobTestSupport.tinyModel(tmp.resolve("repository-source"));
        Path repository = tmp.resolve("repository");
        JsonObject summary = runDemo("demo", "--frames", "50", "--model", model.toString(), "--repository",
                repository.toString(), "--json-summary");
        assertEquals(50, summary.get("results").getAsInt() + summary.get("dead_letters").getAsInt());
        assertEquals(repository.toString(), summary.get("model").getAsString());
        assertTrue(Files.isRegularFile(repository.resolve("1").resolve("model.json")), "version 1 was published");
    }

    /** The shipped model quantized to int8 (calibrated on training images) runs the demo like the fp32 one. */
    @Test
    void anInt8CopyOfTheShippedModelRunsTheDemo() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIR),
                "Fashion-MNIST training images are not installed (apt-get install dataset-fashion-mnist): skipping");
        Path int8 = tmp.resolve("shipped-int8");
        CliRun quantize = CliRun.of("quantize", "--model", DemoInputs.shippedModel().toString(), "--fashion-mnist",
                FashionMnist.DEBIAN_DIR.toString(), "--out", int8.toString());
        assertEquals(0, quantize.code(), quantize.out() + quantize.err());
        JsonObject summary = runDemo("demo", "--frames", "200", "--model", int8.toString(), "--json-summary");
        assertEquals(200, summary.get("results").getAsInt());
        assertTrue(summary.get("accuracy").getAsDouble() >= 0.9, summary.toString());
    }

    @Test
    void theShippedModelClassifiesTheSample() {
        assertTrue(Files.exists(DemoInputs.shippedModel().resolve("model.json")),
                "the shipped model (models/fashion-mnist-densenet) is missing");
        JsonObject summary = runDemo("demo", "--frames", "200", "--json-summary");
        assertEquals(200, summary.get("results").getAsInt());
        assertTrue(summary.get("accuracy").getAsDouble() >= 0.9, summary.toString());
    }
}
