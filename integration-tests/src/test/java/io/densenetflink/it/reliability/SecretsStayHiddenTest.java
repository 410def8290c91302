package io.densenetflink.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SecuredKafka;
import io.densenetflink.it.reliability.harness.SourceFrames;
import io.densenetflink.it.reliability.harness.StandaloneCluster;
import io.densenetflink.it.reliability.harness.TinyModel;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 22: a SASL_SSL job on a real Flink cluster (a JobManager, a TaskManager and the submitting client, each its
 * own JVM, see {@link StandaloneCluster}) with its password in a {@code --kafka-properties} file, at INFO and at
 * DEBUG: the password is in no process's command line, in no line any of the three JVMs logged, and in none of the
 * job's configuration the REST API (and so the web UI) shows.
 */
@ExtendWith({SecuredKafka.Shared.class, TinyModel.Shared.class})
class SecretsStayHiddenTest {

    private static final int FRAMES = 40;


    @ParameterizedTest
    @ValueSource(strings = {"INFO", "DEBUG"})
    void thePasswordIsNowhereToBeSeen(String level, SecuredKafka kafka, TinyModel model, @TempDir Path tmp)
            throws Exception {
        String password = kafka.security().clientPassword();
        assertTrue(Files.readString(kafka.clientProperties()).contains(password), "the job's file holds the password");
        JobSettings s = kafka.settings("secrets-" + level.toLowerCase(Locale.ROOT), model.dir(), 1);
        kafka.grant(s);
        Map<String, List<FrameInput>> frames = SourceFrames.spread(s.get(JobOptions.JOB_NAME), 1, 1, FRAMES);
        List<String> leaks = new ArrayList<>();
        StandaloneCluster cluster = StandaloneCluster.start(tmp.resolve("cluster"), level);
        try (cluster) {
            cluster.startTaskManager();
            cluster.awaitTaskManagers(1, Duration.ofMinutes(2));
            String job = cluster.submit(StandaloneCluster.jobJar(), SecuredKafka.jobArguments(s, "--model",
                    s.get(JobOptions.MODEL), "--kafka-properties", kafka.clientProperties().toString(),
                    "--parallelism", "1", "--checkpoint-interval", "1s", "--batch-size", "8", "--max-delay", "20ms",
                    "--device", "cpu", "--inference-threads", "1", "--starting-offsets", "earliest"));
            try {
                Pipeline.send(s.get(JobOptions.BOOTSTRAP_SERVERS), kafka.admin(), s.get(JobOptions.INPUT_TOPIC),
                        frames);
                Deliveries.read(s, kafka.admin(), FRAMES, Duration.ofMinutes(3))
                        .assertEachExactlyOnce(SourceFrames.ids(frames));
                for (String path : List.of("/jobs/" + job + "/config", "/jobs/" + job + "/jobmanager/config",
                        "/jobmanager/config", "/jobs/" + job, "/jobs/" + job + "/plan")) {
                    String body = cluster.rest(path);
                    assertNotNull(body, "REST " + path);
                    if (body.contains(password)) {
                        leaks.add("REST " + path);
                    }
                }
                leaks.addAll(commandLinesWith(password));
            } finally {
                cluster.cancel(job);
            }
        }
        long bytes = 0;
        for (Path log : cluster.logFiles()) {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            bytes += text.length();
            if (text.contains(password)) {
                leaks.add(log.getFileName().toString());
            }
        }
        System.out.printf("[secrets] %s: %d log files, %.1f MB, searched for the password%n", level,
                cluster.logFiles().size(), bytes / 1e6);
        assertTrue(cluster.logFiles().stream().anyMatch(f -> f.getFileName().toString().startsWith("taskmanager")),
                "the TaskManager's log is among those searched");
        if (level.equals("DEBUG")) {
            assertTrue(Files.readString(cluster.logFiles().stream().filter(f -> f.toString().endsWith(
                    "taskmanager-0.log")).findFirst().orElseThrow(), StandardCharsets.ISO_8859_1).contains(" DEBUG "),
                    "the TaskManager logged at DEBUG");
        }
        assertEquals(List.of(), leaks, "the password appeared in");
    }

    /** The processes of this machine whose command line holds {@code secret} (what {@code ps} would show). */
    private static List<String> commandLinesWith(String secret) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path p : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains(secret)) {
                        found.add("the command line of process " + p.getFileName());
                    }
                } catch (IOException e) {
                    // gone, or not ours to read
                }
            }
        }
        return found;
    }
}
