package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SourceFrames;
import io.densenetflink.it.reliability.harness.TinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.it.ProjectRoot;
import io.densenetflink.job.RetainedCheckpoints;
import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, test 3: {@code bin/densenet run --state-dir DIR} killed with SIGKILL mid-stream (no shutdown hook, no
 * final checkpoint, open Kafka transactions left behind) and started again with the same state dir resumes from
 * the latest retained checkpoint; a read_committed consumer sees every frame exactly once.
 */
@ExtendWith({SharedKafkaBroker.class, TinyModel.Shared.class})
class HardRestartTest {

    private static final int FRAMES = 3_000;
    private static final int PARTITIONS = 2;

    @Test
    void aKilledRunResumesFromItsStateDirWithoutLossOrDuplicates(EmbeddedKafkaBroker broker, TinyModel model,
            @TempDir Path tmp) throws Exception {
        long seed = System.nanoTime();
        long extraMillis = new Random(seed).nextInt(3_000);
        JobSettings s = Pipeline.settings(broker, "hard-restart", model.dir(), PARTITIONS);
        Path stateDir = tmp.resolve("state");
        Map<String, List<FrameInput>> frames = SourceFrames.spread(s.get(JobOptions.JOB_NAME), PARTITIONS, PARTITIONS, FRAMES);
        CompletableFuture<Void> sending = Pipeline.sendInBackground(s.get(JobOptions.BOOTSTRAP_SERVERS), s.get(JobOptions.INPUT_TOPIC), frames, 100);

        Process first = run(s, stateDir, tmp.resolve("first.log"));
        Process second = null;
        try {
            awaitRetainedCheckpoint(first, stateDir, tmp.resolve("first.log"));
            Thread.sleep(extraMillis);
            first.destroyForcibly(); // SIGKILL on Linux
            assertTrue(first.waitFor(1, TimeUnit.MINUTES), "the killed run did not exit");
            assertEquals(137, first.exitValue(), "exit status of a process killed with SIGKILL");

            second = run(s, stateDir, tmp.resolve("second.log"));
            Deliveries delivered = Deliveries.read(s, FRAMES, Duration.ofMinutes(4));
            sending.join();
            assertTrue(Files.readString(tmp.resolve("second.log")).contains("resuming from retained checkpoint"),
                    "the second run did not resume from the state dir:\n" + Pipeline.tail(tmp.resolve("second.log"), 40));
            delivered.assertEachExactlyOnce(SourceFrames.ids(frames));
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroy();
                second.waitFor(1, TimeUnit.MINUTES);
            }
        }
    }

    /** {@code bin/densenet run} as users start it, in its own JVM, output to {@code log}. */
    private static Process run(JobSettings s, Path stateDir, Path log) throws IOException {
        Path root = ProjectRoot.path();
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/densenet").toString(), "run",
                "--bootstrap-servers", s.get(JobOptions.BOOTSTRAP_SERVERS), "--input-topic", s.get(JobOptions.INPUT_TOPIC),
                "--output-topic", s.get(JobOptions.OUTPUT_TOPIC), "--dlq-topic", s.get(JobOptions.DLQ_TOPIC), "--model", s.get(JobOptions.MODEL),
                "--state-dir", stateDir.toString(), "--checkpoint-interval", "1s", "--batch-size", "8",
                "--max-delay-ms", "20", "--parallelism", "2", "--device", "cpu", "--starting-offsets", "earliest",
                "--job-name", s.get(JobOptions.JOB_NAME));
        // The build is Maven's job here (the reactor packaged job/ before these tests); one OpenMP thread per run.
        pb.environment().put("DENSENET_SKIP_BUILD", "1");
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    private static void awaitRetainedCheckpoint(Process run, Path stateDir, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (RetainedCheckpoints.latest(stateDir).isEmpty()) {
            if (!run.isAlive()) {
                throw new AssertionError("bin/densenet run exited with " + run.exitValue() + ":\n" + Pipeline.tail(log, 40));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no checkpoint retained in " + stateDir + " after 2 minutes:\n" + Pipeline.tail(log, 40));
            }
            Thread.sleep(100);
        }
    }
}
