package io.densenetflink.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compose stack for real, where a Docker engine is reachable (`docker info` succeeds; skipped, saying so,
 * elsewhere): builds the images, brings the stack up, waits for the job to run and the producer to send the
 * Fashion-MNIST sample, reads the output and dead-letter topics from the host (read_committed) until every frame
 * is accounted for, checks the results are labeled with Fashion-MNIST classes and that Prometheus scrapes the
 * operator's metrics, and takes the stack down with its volumes.
 */
@Tag("docker")
class ComposeEndToEndTest {

    private static final int FRAMES = 200;
    private static final List<String> FASHION_MNIST = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    @Test
    @Timeout(value = 100, unit = TimeUnit.MINUTES)
    void stackClassifiesTheShippedSample() throws Exception {
        Optional<Path> docker = DockerProject.onPath("docker");
        Assumptions.assumeTrue(docker.isPresent(), "no docker command: the compose end-to-end test needs a Docker engine");
        DockerProject.Result info = DockerProject.run(Duration.ofSeconds(30), DockerProject.root(), Map.of(),
                List.of(docker.get().toString(), "info", "--format", "{{.ServerVersion}}"));
        Assumptions.assumeTrue(info.exitCode() == 0, "no Docker engine reachable (`docker info` failed): the compose"
                + " end-to-end test runs only where one is. " + firstLine(info.output()));
        Optional<List<String>> compose = ComposeConfigTest.composeCommand();
        Assumptions.assumeTrue(compose.isPresent(), "Docker engine found but no docker compose / docker-compose");

        int kafkaPort = freePort();
        int uiPort = freePort();
        int prometheusPort = freePort();
        Map<String, String> env = new HashMap<>();
        env.put("DENSENET_KAFKA_PORT", String.valueOf(kafkaPort));
        env.put("DENSENET_FLINK_UI_PORT", String.valueOf(uiPort));
        env.put("DENSENET_PROMETHEUS_PORT", String.valueOf(prometheusPort));
        env.put("DENSENET_FRAMES", String.valueOf(FRAMES));
        env.put("DENSENET_RATE", "100");
        env.put("DOCKER_BUILDKIT", "1");
        env.put("COMPOSE_DOCKER_CLI_BUILD", "1");
        String project = "densenet-e2e-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> base = new ArrayList<>(compose.get());
        base.addAll(List.of("-p", project, "-f", "docker/docker-compose.yml"));

        try {
            step(env, base, Duration.ofMinutes(45), "build");
            step(env, base, Duration.ofMinutes(10), "up", "-d");
            waitForRunningJob(uiPort, Duration.ofMinutes(15));
            int producerExit = waitForExit(docker.get(), env, base, "producer", Duration.ofMinutes(15));
            assertEquals(0, producerExit, "the producer failed");

            int frames = countRecords(kafkaPort, "frames");
            assertTrue(frames > 0 && frames <= FRAMES, "the producer sent " + frames + " frames");
            Map<String, List<String>> out = readUntil(kafkaPort, frames, Duration.ofMinutes(10));
            List<String> results = out.get("results");
            List<String> deadLetters = out.get("dead-letters");
            assertEquals(frames, results.size() + deadLetters.size(),
                    "every frame ends in results or dead letters, exactly once");
            assertEquals(0, deadLetters.size(), "the Fashion-MNIST sample decodes: no dead letters");
            // README.md, "Output topic": schema v1; the producer's label header comes back as ground_truth.
            List<String> classes = labels();
            int correct = 0;
            for (String value : results) {
                JsonElement json = JsonParser.parseString(value);
                assertTrue(json.isJsonObject(), "a result is one JSON object: " + value);
                JsonObject o = json.getAsJsonObject();
                assertEquals("densenet-flink.classification.v1", string(o, "schema"), value);
                assertTrue(classes.contains(string(o, "label")), "labeled with a Fashion-MNIST class: " + value);
                assertTrue(o.has("ground_truth") && o.has("correct"), "the sample's label header is evaluated: " + value);
                correct += o.get("correct").getAsBoolean() ? 1 : 0;
            }
            double accuracy = correct / (double) results.size();
            System.out.printf("[docker] %d frames, %d results, accuracy %.3f%n", frames, results.size(), accuracy);
            assertTrue(accuracy > 0.5, "the shipped model classifies the sample (accuracy " + accuracy + ")");
            assertPrometheusScrapesTheOperator(prometheusPort, Duration.ofMinutes(3));
        } catch (Throwable t) {
            List<String> logs = new ArrayList<>(base);
            logs.addAll(List.of("logs", "--no-color", "--tail", "300"));
            DockerProject.Result r = DockerProject.run(Duration.ofMinutes(2), DockerProject.root(), env, logs);
            throw new AssertionError(t.getMessage() + "\n---- compose logs ----\n" + r.output(), t);
        } finally {
            List<String> down = new ArrayList<>(base);
            down.addAll(List.of("down", "-v", "--remove-orphans"));
            DockerProject.run(Duration.ofMinutes(5), DockerProject.root(), env, down);
        }
    }

    private static void step(Map<String, String> env, List<String> base, Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(List.of(args));
        DockerProject.Result r = DockerProject.run(timeout, DockerProject.root(), env, cmd);
        assertEquals(0, r.exitCode(), String.join(" ", cmd) + " failed:\n" + tail(r.output()));
    }

    private static void waitForRunningJob(int uiPort, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + uiPort + "/jobs/overview")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                last = r.body();
                if (r.statusCode() == 200 && last.contains("\"state\":\"RUNNING\"")) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(5000);
        }
        throw new AssertionError("the job did not reach RUNNING within " + timeout + ": " + last);
    }

    private static int waitForExit(Path docker, Map<String, String> env, List<String> base, String service,
            Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> ps = new ArrayList<>(base);
        ps.addAll(List.of("ps", "-a", "-q", service));
        while (System.nanoTime() < deadline) {
            String id = firstLine(DockerProject.run(Duration.ofMinutes(1), DockerProject.root(), env, ps).output()).trim();
            if (!id.isEmpty()) {
                DockerProject.Result state = DockerProject.run(Duration.ofMinutes(1), DockerProject.root(), env,
                        List.of(docker.toString(), "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id));
                String[] s = state.output().trim().split("\\s+");
                if (s.length == 2 && s[0].equals("exited")) {
                    return Integer.parseInt(s[1]);
                }
            }
            Thread.sleep(5000);
        }
        throw new AssertionError(service + " did not finish within " + timeout);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(int kafkaPort) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + kafkaPort);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<TopicPartition> out = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            out.add(new TopicPartition(topic, info.partition()));
        }
        return out;
    }

    /** The committed records of a topic now (read_committed: up to the last stable offset). */
    private static int countRecords(int kafkaPort, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(kafkaPort)) {
            List<TopicPartition> parts = partitions(c, topic);
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            int count = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                count += c.poll(Duration.ofSeconds(1)).count();
            }
            return count;
        }
    }

    /** Reads results and dead letters until {@code expected} records arrived in all (and a little longer). */
    private static Map<String, List<String>> readUntil(int kafkaPort, int expected, Duration timeout)
            throws InterruptedException {
        Map<String, List<String>> out = new HashMap<>();
        out.put("results", new ArrayList<>());
        out.put("dead-letters", new ArrayList<>());
        try (KafkaConsumer<byte[], byte[]> c = consumer(kafkaPort)) {
            List<TopicPartition> parts = new ArrayList<>(partitions(c, "results"));
            parts.addAll(partitions(c, "dead-letters"));
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            long settle = 0;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofSeconds(1))) {
                    out.get(r.topic()).add(r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8));
                }
                int total = out.get("results").size() + out.get("dead-letters").size();
                if (total >= expected) {
                    // Stay a few more checkpoints (5 s each): duplicates would show up now.
                    if (settle == 0) {
                        settle = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    } else if (System.nanoTime() > settle) {
                        return out;
                    }
                }
            }
        }
        return out;
    }

    private static void assertPrometheusScrapesTheOperator(int port, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/api/v1/label/__name__/values")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (last.contains("_densenet_")) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(5000);
        }
        throw new AssertionError("Prometheus has no densenet metric after " + timeout + ": " + tail(last));
    }

    /** The class names of the shipped model (model.json "labels"), else Fashion-MNIST's. */
    private static List<String> labels() throws IOException {
        Path modelJson = DockerProject.root().resolve("models/fashion-mnist-densenet/model.json");
        List<String> out = new ArrayList<>(FASHION_MNIST);
        if (Files.isRegularFile(modelJson)) {
            JsonElement labels = JsonParser.parseString(Files.readString(modelJson)).getAsJsonObject().get("labels");
            if (labels != null && labels.isJsonArray()) {
                labels.getAsJsonArray().forEach(l -> out.add(l.getAsString()));
            }
        }
        return out;
    }

    private static String string(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    private static String tail(String text) {
        return text.length() <= 6000 ? text : "..." + text.substring(text.length() - 6000);
    }
}
