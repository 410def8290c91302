package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.FrameTap;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SourceFrames;
import io.densenetflink.it.reliability.harness.TinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.DeliveryGuaranteeOption;
import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6, test 7: in at-least-once mode an injected failure loses nothing, and the only duplicates are frames the
 * restart replayed from the restored checkpoint, each at most once more.
 */
@ExtendWith({SharedKafkaBroker.class, TinyModel.Shared.class})
class AtLeastOnceTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1)
            .setConfiguration(Pipeline.restartingCluster()).build());

    private static final int FRAMES = 2_000;

    @Test
    void afterAFailureEveryFrameArrivesAndOnlyReplayedFramesTwice(EmbeddedKafkaBroker broker, TinyModel model)
            throws Exception {
        long seed = System.nanoTime();
        int failAt = 1 + new Random(seed).nextInt(600);
        JobSettings s = Pipeline.settings(broker, "at-least-once", model.dir(), 1);
        s.set(JobOptions.DELIVERY, DeliveryGuaranteeOption.AT_LEAST_ONCE);
        Map<String, List<FrameInput>> frames = SourceFrames.spread(s.get(JobOptions.JOB_NAME), 1, 1, FRAMES);
        // At least 100 frames since the last completed checkpoint: the failure then always comes with results
        // already written that the restart writes again.
        JobClient job = Pipeline.start(s, f -> FrameTap.failingOnce(f, s.get(JobOptions.JOB_NAME), failAt, 100));
        try {
            CompletableFuture<Void> sending = Pipeline.sendInBackground(s.get(JobOptions.BOOTSTRAP_SERVERS), s.get(JobOptions.INPUT_TOPIC), frames, 250);
            Deliveries delivered = Deliveries.read(s, FRAMES, Duration.ofMinutes(4));
            sending.join();
            FrameTap.Log log = FrameTap.log(s.get(JobOptions.JOB_NAME));
            String scenario = " (failure at frame " + failAt + " after the first checkpoint, seed " + seed + ")";
            assertTrue(log.failed(), "the injected exception was never thrown" + scenario);

            delivered.assertEverySeen(SourceFrames.ids(frames));
            delivered.countByFrame().forEach((id, n) -> assertTrue(n <= 2, id + " arrived " + n + " times after one "
                    + "failure" + scenario));
            assertDuplicatesAreTheReplayedSuffix(delivered, log, scenario);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * One input and one output partition, so the output holds the results in the order written: attempt 0's, then
     * the restarted job's, which begin again at the restored checkpoint's position {@code q} (frames the async
     * operator had in flight at the checkpoint come back from its state, the rest from the source). So the offsets
     * in the output rewind exactly once, and the duplicates must be exactly the frames from {@code q} to the last
     * one attempt 0 wrote: nothing before the restore point twice, nothing written once missing from the range.
     */
    private static void assertDuplicatesAreTheReplayedSuffix(Deliveries delivered, FrameTap.Log log,
            String scenario) {
        List<Long> offsets = delivered.results().stream().map(r -> r.get("offset").getAsLong()).toList();
        List<Integer> rewinds = new ArrayList<>();
        for (int i = 1; i < offsets.size(); i++) {
            if (offsets.get(i) <= offsets.get(i - 1)) {
                rewinds.add(i);
            }
        }
        assertEquals(1, rewinds.size(), "the output should rewind once, at the restart; rewinds at " + rewinds
                + scenario);
        int restart = rewinds.get(0);
        long restoredFrom = offsets.get(restart);
        long lastWrittenBefore = offsets.get(restart - 1);
        Set<String> replayedAndWrittenTwice = new TreeSet<>();
        Map<Long, String> idByOffset = new TreeMap<>();
        delivered.results().forEach(r -> idByOffset.put(r.get("offset").getAsLong(), r.get("frame_id").getAsString()));
        for (long o = restoredFrom; o <= lastWrittenBefore; o++) {
            replayedAndWrittenTwice.add(idByOffset.get(o));
        }
        assertFalse(replayedAndWrittenTwice.isEmpty(), "nothing replayed" + scenario);
        assertEquals(replayedAndWrittenTwice, delivered.duplicated(), "duplicates vs the frames replayed from offset "
                + restoredFrom + " that attempt 0 had written (up to " + lastWrittenBefore + ")" + scenario);
        long sourceResumedAt = log.firstOffsetAfterRestart(0);
        assertTrue(restoredFrom <= sourceResumedAt, "the restart re-emitted offset " + restoredFrom + " but the "
                + "source resumed at " + sourceResumedAt + ": a frame after the checkpoint came back" + scenario);
    }
}
