package io.densenetflink.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compose stack for real, on a Docker engine (see {@link DockerEngine}: skipped, saying so, where none
 * answers; failed instead where {@code DENSENET_REQUIRE_DOCKER=1}, as in CI). It runs the repository's own
 * docker/ files: stand-in base images where the real ones cannot be pulled (docker/bases/build.sh), the images
 * from the jars `mvn package` made (docker/prebuilt.sh, DENSENET_BUILD=prebuilt), `up` with two task managers
 * of one slot each, and a slow producer streaming the shipped 1,000-frame sample. While frames flow it checks
 * Prometheus has the operator's metrics from both task managers, then, one after the other and each with the
 * producer still streaming, SIGKILLs a task manager and starts it again, SIGKILLs the job manager and starts it
 * again (it must resume from its latest completed checkpoint), and restarts Kafka; after each, results must
 * flow again. In the end every input record stands for exactly one committed result (read_committed from the
 * host), labeled with the model's classes, the accuracy is the one the consumer service prints, and
 * {@code down -v} leaves no container, network or volume of the project behind.
 */
@Tag("docker")
class ComposeEndToEndTest {

    private static final int FRAMES = 1000;
    /** Frames per second: 1,000 frames take about 4 minutes, long enough for the three faults and recoveries. */
    private static final int RATE = 4;
    /** New results that prove the stream flows again after a fault: more than one checkpoint's worth (5 s). */
    private static final int PROGRESS = 2 * 5 * RATE;
    private static final Duration RECOVERY = Duration.ofMinutes(4);
    private static final List<String> BASES = List.of("flink:2.2-java17", "apache/kafka:4.2.0", "prom/prometheus:v3.5.0");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final long started = System.nanoTime();

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void stackDeliversEveryFrameOnceThroughTaskManagerJobManagerAndKafkaFaults() throws Exception {
        DockerEngine engine = DockerEngine.require();
        List<String> compose = engine.compose();
        int kafkaPort = freePort();
        int uiPort = freePort();
        int prometheusPort = freePort();
        Map<String, String> settings = new HashMap<>();
        settings.put("DENSENET_BUILD", "prebuilt");
        settings.put("DENSENET_BIND_ADDRESS", "127.0.0.1");
        settings.put("DENSENET_KAFKA_PORT", String.valueOf(kafkaPort));
        settings.put("DENSENET_FLINK_UI_PORT", String.valueOf(uiPort));
        settings.put("DENSENET_PROMETHEUS_PORT", String.valueOf(prometheusPort));
        settings.put("DENSENET_SLOTS", "1");
        settings.put("DENSENET_PARALLELISM", "2");
        settings.put("DENSENET_FRAMES", String.valueOf(FRAMES));
        settings.put("DENSENET_RATE", String.valueOf(RATE));
        // The consumer service must not give up while the job manager restarts.
        settings.put("DENSENET_CONSUMER_IDLE_TIMEOUT", "10m");
        ComposeProject stack = new ComposeProject(engine, compose,
                "densenet-e2e-" + UUID.randomUUID().toString().substring(0, 8), settings);

        Throwable failure = null;
        try (CommittedRecords out = new CommittedRecords(kafkaPort, "results", "dead-letters")) {
            script(stack, Duration.ofMinutes(30), "docker/bases/build.sh", BASES.toArray(String[]::new));
            script(stack, Duration.ofMinutes(5), "docker/prebuilt.sh");
            stack.must(Duration.ofMinutes(15), "build");
            log("images built");
            stack.must(Duration.ofMinutes(15), "up", "-d", "--scale", "taskmanager=2");
            awaitJobRunning(uiPort, Duration.ofMinutes(5));
            log("stack up, job RUNNING");
            String producer = stack.container("producer");
            awaitResults(out, PROGRESS, Duration.ofMinutes(5), "results from the first frames");
            assertPrometheusSeesEveryTaskManager(prometheusPort, 2, Duration.ofMinutes(3));

            List<String> taskManagers = stack.containers("taskmanager");
            assertEquals(2, taskManagers.size(), "--scale taskmanager=2: " + taskManagers);
            midStream(stack, producer, out, "a task manager SIGKILLed and started again", () -> {
                stack.docker(Duration.ofMinutes(1), "kill", taskManagers.get(1));
                stack.docker(Duration.ofMinutes(1), "start", taskManagers.get(1));
            });
            String jobManager = stack.container("jobmanager");
            midStream(stack, producer, out, "the job manager SIGKILLed and started again", () -> {
                stack.docker(Duration.ofMinutes(1), "kill", jobManager);
                stack.docker(Duration.ofMinutes(1), "start", jobManager);
            });
            assertTrue(stack.logs(jobManager).contains("densenet: resuming from the latest completed checkpoint"),
                    "the restarted job manager resumes from the checkpoint volume:\n"
                            + ComposeProject.tail(stack.logs(jobManager), 4000));
            midStream(stack, producer, out, "Kafka restarted", () ->
                    stack.docker(Duration.ofMinutes(2), "restart", stack.container("kafka")));

            await(() -> stack.state(producer).startsWith("exited"), Duration.ofMinutes(10), "the producer finishes");
            assertEquals("exited 0", stack.state(producer), "the producer:\n" + ComposeProject.tail(stack.logs(producer), 3000));
            List<String> inputs = inputRecords(kafkaPort);
            awaitEveryInput(out, inputs, Duration.ofMinutes(5));
            assertExactlyOnce(out, inputs);
            double accuracy = assertLabeled(out.records());
            assertConsumerServiceAgrees(stack, accuracy);
            log(String.format(Locale.ROOT, "%d frames, %d results, accuracy %.4f", FRAMES, out.records().size(), accuracy));
        } catch (Throwable t) {
            failure = t;
            throw new AssertionError(t.getMessage() + "\n---- docker-compose logs ----\n"
                    + ComposeProject.tail(stack.allLogs(), 30_000), t);
        } finally {
            List<String> left = stack.downAndLeftovers();
            if (!left.isEmpty() && failure == null) {
                fail("down -v left the project's resources behind: " + left);
            }
            log("down -v" + (left.isEmpty() ? ": nothing left" : ": left " + left));
        }
    }

    /**
     * One fault while the producer is still streaming: injected, then results must flow again (more than a
     * checkpoint's worth beyond what was committed when it struck, so the new ones come from the recovered job).
     */
    private void midStream(ComposeProject stack, String producer, CommittedRecords out, String fault, Runnable inject)
            throws InterruptedException {
        assertEquals("running 0", stack.state(producer), "the producer still streams when " + fault);
        int before = out.poll(Duration.ofSeconds(1));
        long t0 = System.nanoTime();
        inject.run();
        log(fault + " at " + before + " results");
        awaitResults(out, before + PROGRESS, RECOVERY, "results after " + fault);
        log(String.format(Locale.ROOT, "results flow again %.0f s after %s", (System.nanoTime() - t0) / 1e9, fault));
    }

    private static void awaitResults(CommittedRecords out, int atLeast, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            seen = out.poll(Duration.ofSeconds(2));
            if (seen >= atLeast) {
                return;
            }
        }
        fail(what + ": " + seen + " committed results and dead letters after " + timeout + ", expected " + atLeast);
    }

    /** Every input record the producer committed to "frames" ("topic/partition/offset"); each frame id once. */
    private static List<String> inputRecords(int kafkaPort) throws InterruptedException {
        try (CommittedRecords frames = new CommittedRecords(kafkaPort, "frames")) {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (frames.poll(Duration.ofSeconds(2)) < FRAMES && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            frames.poll(Duration.ofSeconds(3)); // nothing more may come
            List<String> ids = frames.records().stream().map(CommittedRecords.Committed::frameId).toList();
            assertEquals(FRAMES, ids.size(), "the producer sent the sample once (records in frames)");
            assertEquals(FRAMES, new HashSet<>(ids).size(), "each sample frame is in frames once");
            return frames.records().stream().map(CommittedRecords.Committed::input).toList();
        }
    }

    /** Reads until every input record has a result or dead letter, then two more checkpoints for duplicates. */
    private static void awaitEveryInput(CommittedRecords out, List<String> inputs, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!out.countsByInput().keySet().containsAll(inputs) && System.nanoTime() < deadline) {
            out.poll(Duration.ofSeconds(2));
        }
        long settle = System.nanoTime() + Duration.ofSeconds(12).toNanos();
        while (System.nanoTime() < settle) {
            out.poll(Duration.ofSeconds(2));
        }
    }

    private static void assertExactlyOnce(CommittedRecords out, List<String> inputs) {
        Map<String, Integer> counts = out.countsByInput();
        Set<String> missing = new HashSet<>(inputs);
        missing.removeAll(counts.keySet());
        Map<String, Integer> duplicated = new TreeMap<>();
        counts.forEach((input, n) -> {
            if (n != 1) {
                duplicated.put(input, n);
            }
        });
        Set<String> unknown = new HashSet<>(counts.keySet());
        inputs.forEach(unknown::remove);
        assertTrue(missing.isEmpty(), missing.size() + " frames have no committed result: " + first(missing));
        assertTrue(duplicated.isEmpty(), duplicated.size() + " frames were committed more than once: " + duplicated);
        assertTrue(unknown.isEmpty(), "results for records that are not in frames: " + first(unknown));
    }

    /** Every record is a v1 result labeled with one of the model's classes; returns the accuracy. */
    private static double assertLabeled(List<CommittedRecords.Committed> records) throws IOException {
        List<String> classes = modelLabels();
        int correct = 0;
        for (CommittedRecords.Committed c : records) {
            assertEquals("results", c.topic(), "the shipped sample decodes: no dead letters, got " + c);
            JsonObject o = JsonParser.parseString(c.value()).getAsJsonObject();
            assertEquals("densenet-flink.classification.v1", o.get("schema").getAsString(), c.value());
            assertTrue(classes.contains(o.get("label").getAsString()), "labeled with a model class: " + c.value());
            assertTrue(o.has("ground_truth") && o.has("correct"), "the sample's label header is evaluated: " + c.value());
            correct += o.get("correct").getAsBoolean() ? 1 : 0;
        }
        double accuracy = correct / (double) records.size();
        assertTrue(accuracy > 0.8, "the shipped model classifies the sample: accuracy " + accuracy);
        return accuracy;
    }

    /** The consumer service (bin/densenet consume --evaluate) saw the same results and printed the same accuracy. */
    private void assertConsumerServiceAgrees(ComposeProject stack, double accuracy) throws InterruptedException {
        String consumer = stack.container("consumer");
        await(() -> stack.state(consumer).startsWith("exited"), Duration.ofMinutes(3), "the consumer service finishes");
        String logs = stack.logs(consumer);
        assertEquals("exited 0", stack.state(consumer), "the consumer service:\n" + ComposeProject.tail(logs, 3000));
        String expected = String.format(Locale.ROOT, "accuracy:      %.2f%% (%d of %d labeled results)",
                100 * accuracy, Math.round(accuracy * FRAMES), FRAMES);
        assertTrue(logs.contains("results:       " + FRAMES) && logs.contains(expected),
                "the consumer service prints " + FRAMES + " results and '" + expected + "':\n" + ComposeProject.tail(logs, 3000));
        assertTrue(!logs.contains("duplicates:"), "the consumer service saw duplicates:\n" + ComposeProject.tail(logs, 3000));
    }

    private void awaitJobRunning(int uiPort, Duration timeout) throws InterruptedException {
        String[] last = {""};
        await(() -> {
            last[0] = get("http://127.0.0.1:" + uiPort + "/jobs/overview");
            return last[0].contains("\"state\":\"RUNNING\"");
        }, timeout, "the job RUNNING (Flink REST /jobs/overview; last: " + last[0] + ")");
    }

    /**
     * Prometheus, asked from the host: the operator's resultsOut for every task manager, rising between two
     * scrapes, and its modelVersion gauge for every task manager.
     */
    private void assertPrometheusSeesEveryTaskManager(int port, int taskManagers, Duration timeout)
            throws InterruptedException {
        String resultsOut = "sum by (tm_id) ({__name__=~\".+_densenet_resultsOut\"})";
        String modelVersion = "max by (tm_id) ({__name__=~\".+_densenet_modelVersion\"})";
        Map<String, Double>[] first = new Map[1];
        await(() -> (first[0] = series(port, resultsOut)).size() == taskManagers, timeout,
                "Prometheus has resultsOut of " + taskManagers + " task managers");
        Map<String, Double>[] now = new Map[1];
        await(() -> {
            now[0] = series(port, resultsOut);
            return now[0].keySet().equals(first[0].keySet())
                    && first[0].keySet().stream().allMatch(tm -> now[0].get(tm) > first[0].get(tm));
        }, timeout, "resultsOut rises on every task manager (first " + first[0] + ")");
        Map<String, Double> versions = series(port, modelVersion);
        assertEquals(first[0].keySet(), versions.keySet(), "modelVersion of every task manager");
        log("Prometheus: resultsOut by task manager " + first[0] + " -> " + now[0] + ", modelVersion " + versions);
    }

    /** An instant query's result: the value of each series by its tm_id label. */
    private Map<String, Double> series(int port, String query) {
        String body = get("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
        Map<String, Double> out = new TreeMap<>();
        if (!body.startsWith("{")) {
            return out;
        }
        JsonObject o = JsonParser.parseString(body).getAsJsonObject();
        if (!"success".equals(o.get("status").getAsString())) {
            return out;
        }
        for (JsonElement e : o.getAsJsonObject("data").getAsJsonArray("result")) {
            JsonObject s = e.getAsJsonObject();
            JsonElement tm = s.getAsJsonObject("metric").get("tm_id");
            out.put(tm == null ? "" : tm.getAsString(), Double.parseDouble(s.getAsJsonArray("value").get(1).getAsString()));
        }
        return out;
    }

    private String get(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(2000);
        }
        if (!condition.getAsBoolean()) {
            fail("timed out after " + timeout + " waiting for " + what);
        }
    }

    /** A project script (docker/...) with the engine's environment; it must succeed. */
    private void script(ComposeProject stack, Duration timeout, String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", script));
        cmd.addAll(List.of(args));
        DockerProject.Result r = DockerProject.run(timeout, DockerProject.root(), stack.environment(), cmd);
        assertEquals(0, r.exitCode(), script + " failed:\n" + ComposeProject.tail(r.output(), 4000));
        log(script + " done");
    }

    /** The class names of the shipped model (model.json "labels"). */
    private static List<String> modelLabels() throws IOException {
        Path modelJson = DockerProject.root().resolve("models/fashion-mnist-densenet/model.json");
        List<String> out = new ArrayList<>();
        JsonParser.parseString(Files.readString(modelJson)).getAsJsonObject().getAsJsonArray("labels")
                .forEach(l -> out.add(l.getAsString()));
        assertTrue(out.size() == 10, "the shipped model has Fashion-MNIST's 10 classes: " + out);
        return out;
    }

    private void log(String what) {
        System.out.printf(Locale.ROOT, "[compose %4.0f s] %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    private static String first(Set<String> items) {
        return items.stream().sorted().limit(10).toList().toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
