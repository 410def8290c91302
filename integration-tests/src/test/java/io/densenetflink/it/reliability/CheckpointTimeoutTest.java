package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SlowCheckpoint;
import io.densenetflink.it.reliability.harness.SourceFrames;
import io.densenetflink.it.reliability.harness.TinyModel;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14: a checkpoint that takes longer than the sinks' transaction timeout. The broker aborts a transaction
 * left open past its timeout, and a checkpoint that completes after that commits nothing: the results written in
 * that transaction are gone, silently. With the checkpoint timeout the job derives from the transaction timeout
 * (10 s here, so 2.5 s) the slow checkpoint fails instead, the job restarts from the previous one and replays.
 */
@ExtendWith({SharedKafkaBroker.class, TinyModel.Shared.class})
class CheckpointTimeoutTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).setConfiguration(Pipeline.restartingCluster())
            .build());

    private static final int FRAMES = 600;

    @Test
    void aCheckpointSlowerThanTheTransactionTimeoutLosesNothing(EmbeddedKafkaBroker broker, TinyModel model)
            throws Exception {
        JobSettings s = Pipeline.settings(broker, "checkpoint-timeout", model.dir(), 1);
        s.set(JobOptions.TRANSACTION_TIMEOUT, Duration.ofSeconds(10));
        String name = s.get(JobOptions.JOB_NAME);
        Map<String, List<FrameInput>> frames = SourceFrames.spread(name, 1, 1, FRAMES);
        // Checkpoint 3's snapshot takes 25 s: beyond the 10 s timeout plus the broker's 10 s abort sweep.
        JobClient job = Pipeline.start(s, f -> SlowCheckpoint.stalling(f, name, 3, Duration.ofSeconds(25)));
        try {
            CompletableFuture<Void> sending = Pipeline.sendInBackground(s.get(JobOptions.BOOTSTRAP_SERVERS),
                    s.get(JobOptions.INPUT_TOPIC), frames, 40);
            Deliveries delivered = Deliveries.read(s, FRAMES, Duration.ofMinutes(3));
            sending.join();
            assertTrue(SlowCheckpoint.stalled(name), "the checkpoint never stalled");
            delivered.assertEachExactlyOnce(SourceFrames.ids(frames));
        } finally {
            Pipeline.cancel(job);
        }
    }
}
