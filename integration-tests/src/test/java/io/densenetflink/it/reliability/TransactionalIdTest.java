package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.TransactionListing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14: the exactly-once sinks' transactional ids, as the broker sees them. They come from a bounded pool (the
 * broker keeps every id it has seen for days, so one new id per checkpoint adds up), and two deployments of one job
 * name on one Kafka cluster do not share them by accident (shared ids fence each other's producers). Restarts are
 * off: a fenced producer would end its job.
 */
@ExtendWith({SharedKafkaBroker.class, TinyModel.Shared.class})
class TransactionalIdTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(Pipeline.noRestarts()).build());


    @Test
    void manyCheckpointsUseAFewTransactionalIds(EmbeddedKafkaBroker broker, TinyModel model) throws Exception {
        JobSettings s = Pipeline.settings(broker, "pooled-ids", model.dir(), 1);
        s.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(200));
        Map<String, List<FrameInput>> frames = SourceFrames.spread("pooled-ids", 1, 1, 400);
        JobClient job = Pipeline.start(s);
        try {
            // 400 frames at 50 per second: about 40 checkpoints, each committing a transaction per sink.
            CompletableFuture<Void> sending = Pipeline.sendInBackground(s.get(JobOptions.BOOTSTRAP_SERVERS),
                    s.get(JobOptions.INPUT_TOPIC), frames, 50);
            Deliveries delivered = Deliveries.read(s, 400, Duration.ofMinutes(2));
            sending.join();
            Pipeline.assertStillRunning(job);
            delivered.assertEachExactlyOnce(SourceFrames.ids(frames));
            Set<String> ids = transactionalIds(broker, "pooled-ids");
            // One subtask, two sinks: the transaction being written and the one waiting for its commit, per sink.
            assertTrue(ids.size() <= 6, ids.size() + " transactional ids for about 40 checkpoints: " + ids);
        } finally {
            Pipeline.cancel(job);
        }
    }

    @Test
    void twoDeploymentsOfOneJobNameKeepApart(EmbeddedKafkaBroker broker, TinyModel model) throws Exception {
        JobSettings first = Pipeline.settings(broker, "twin-a", model.dir(), 1);
        JobSettings second = Pipeline.settings(broker, "twin-b", model.dir(), 1);
        first.set(JobOptions.JOB_NAME, "twin");
        second.set(JobOptions.JOB_NAME, "twin");
        Map<String, List<FrameInput>> framesA = SourceFrames.spread("twin-a", 1, 1, 300);
        Map<String, List<FrameInput>> framesB = SourceFrames.spread("twin-b", 1, 1, 300);
        JobClient a = Pipeline.start(first);
        JobClient b = Pipeline.start(second);
        try {
            CompletableFuture<Void> sending = CompletableFuture.allOf(
                    Pipeline.sendInBackground(broker.bootstrapServers(), first.get(JobOptions.INPUT_TOPIC), framesA, 60),
                    Pipeline.sendInBackground(broker.bootstrapServers(), second.get(JobOptions.INPUT_TOPIC), framesB,
                            60));
            Deliveries deliveredA = Deliveries.read(first, 300, Duration.ofMinutes(2));
            Deliveries deliveredB = Deliveries.read(second, 300, Duration.ofMinutes(1));
            sending.join();
            Pipeline.assertStillRunning(a);
            Pipeline.assertStillRunning(b);
            deliveredA.assertEachExactlyOnce(SourceFrames.ids(framesA));
            deliveredB.assertEachExactlyOnce(SourceFrames.ids(framesB));
        } finally {
            Pipeline.cancel(a);
            Pipeline.cancel(b);
        }
    }

    /** The transactional ids the broker knows that start with {@code jobName}. */
    private static Set<String> transactionalIds(EmbeddedKafkaBroker broker, String jobName) throws Exception {
        Set<String> ids = new TreeSet<>();
        for (TransactionListing t : broker.admin().listTransactions().all().get()) {
            if (t.transactionalId().startsWith(jobName)) {
                ids.add(t.transactionalId());
            }
        }
        return ids;
    }
}
