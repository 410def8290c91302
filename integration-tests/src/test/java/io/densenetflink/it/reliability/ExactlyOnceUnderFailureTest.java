package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.FrameTap;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SourceFrames;
import io.densenetflink.it.reliability.harness.TinyModel;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6, test 2: exactly-once delivery with checkpoints every second survives a task failure at a random moment
 * while 3,000 frames flow, both from an exception thrown inside the job and from a lost task manager; a
 * read_committed consumer sees every frame exactly once.
 */
@ExtendWith({SharedKafkaBroker.class, TinyModel.Shared.class})
class ExactlyOnceUnderFailureTest {

    /** Two task managers with one slot each, so a parallelism-2 job has a subtask on each and loses one with it. */
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2).setNumberSlotsPerTaskManager(1)
            .setConfiguration(Pipeline.restartingCluster()).build());

    private static final int FRAMES = 3_000;
    private static final int PARTITIONS = 2;
    /** Frames per second per source: the 3,000 frames take about ten seconds, ten checkpoints' worth. */
    private static final double RATE_PER_SOURCE = 150;

    @Test
    void anExceptionAfterTheFirstCheckpointLosesAndDuplicatesNothing(EmbeddedKafkaBroker broker, TinyModel model)
            throws Exception {
        long seed = System.nanoTime();
        int failAt = 1 + new Random(seed).nextInt(600);
        JobSettings s = settings(broker, "eo-exception", model);
        Map<String, List<FrameInput>> frames = SourceFrames.spread(s.get(JobOptions.JOB_NAME), PARTITIONS, PARTITIONS, FRAMES);
        JobClient job = Pipeline.start(s, f -> FrameTap.failingOnce(f, s.get(JobOptions.JOB_NAME), failAt, 0));
        try {
            CompletableFuture<Void> sending = Pipeline.sendInBackground(s.get(JobOptions.BOOTSTRAP_SERVERS), s.get(JobOptions.INPUT_TOPIC), frames,
                    RATE_PER_SOURCE);
            Deliveries delivered = Deliveries.read(s, FRAMES, Duration.ofMinutes(4));
            sending.join();
            FrameTap.Log log = FrameTap.log(s.get(JobOptions.JOB_NAME));
            String scenario = " (failure at frame " + failAt + " after the first checkpoint, seed " + seed + ")";
            assertTrue(log.failed(), "the injected exception was never thrown" + scenario);
            assertTrue(log.maxAttempt() >= 1, "no task was restarted" + scenario);
            assertFalse(log.replayed().isEmpty(), "the restart replayed nothing" + scenario);
            delivered.assertEachExactlyOnce(SourceFrames.ids(frames));
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void aLostTaskManagerLosesAndDuplicatesNothing(EmbeddedKafkaBroker broker, TinyModel model,
            @InjectMiniCluster MiniCluster cluster)
            throws Exception {
        long seed = System.nanoTime();
        int killAt = 1 + new Random(seed).nextInt(600);
        JobSettings s = settings(broker, "eo-tm-loss", model);
        Map<String, List<FrameInput>> frames = SourceFrames.spread(s.get(JobOptions.JOB_NAME), PARTITIONS, PARTITIONS, FRAMES);
        JobClient job = Pipeline.start(s, f -> FrameTap.recording(f, s.get(JobOptions.JOB_NAME)));
        try {
            CompletableFuture<Void> sending = Pipeline.sendInBackground(s.get(JobOptions.BOOTSTRAP_SERVERS), s.get(JobOptions.INPUT_TOPIC), frames,
                    RATE_PER_SOURCE);
            FrameTap.Log log = FrameTap.log(s.get(JobOptions.JOB_NAME));
            awaitFramesAfterFirstCheckpoint(log, killAt);
            // One of the two task managers hosts one of the two subtasks: its tasks fail, Flink restarts them from
            // the last checkpoint in the slot of the task manager started in its place.
            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();
            Deliveries delivered = Deliveries.read(s, FRAMES, Duration.ofMinutes(4));
            sending.join();
            String scenario = " (task manager lost " + killAt + " frames after the first checkpoint, seed " + seed
                    + ")";
            assertTrue(log.maxAttempt() >= 1, "no task was restarted" + scenario);
            delivered.assertEachExactlyOnce(SourceFrames.ids(frames));
        } finally {
            job.cancel().get();
        }
    }

    private static JobSettings settings(EmbeddedKafkaBroker broker, String name, TinyModel model) {
        JobSettings s = Pipeline.settings(broker, name, model.dir(), PARTITIONS);
        s.set(JobOptions.PARALLELISM, 2);
        return s;
    }

    private static void awaitFramesAfterFirstCheckpoint(FrameTap.Log log, int frames) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (log.framesAfterFirstCheckpoint() < frames) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the job did not pass " + frames + " frames after a completed checkpoint in "
                        + "2 minutes (checkpoint " + log.lastCompletedCheckpoint() + ", "
                        + log.framesAfterFirstCheckpoint() + " frames)");
            }
            Thread.sleep(10);
        }
    }
}
