package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.JobProcess;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SourceFrames;
import io.densenetflink.it.reliability.harness.TinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            JobProcess.awaitRetainedCheckpoint(first, stateDir, tmp.resolve("first.log"));
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

    private static Process run(JobSettings s, Path stateDir, Path log) throws IOException {
        return JobProcess.start(s, stateDir, log, List.of("--checkpoint-interval", "1s", "--batch-size", "8",
                "--max-delay-ms", "20", "--parallelism", "2"), Map.of());
    }
}
