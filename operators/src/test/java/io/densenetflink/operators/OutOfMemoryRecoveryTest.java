package io.densenetflink.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Out of memory is never a frame's fault: the batch is retried smaller, the batch size limit comes back up
 * after a run of successes (additive increase, multiplicative decrease), and the {@code maxBatchSize} metric
 * shows both.
 */
class OutOfMemoryRecoveryTest {

    private static final String MODEL = TestModels.tiny();

    @BeforeEach
    void reset() {
        FaultyClassifierFactory.reset();
    }

    private static InferenceOptions.Builder options(FaultyClassifierFactory model) {
        return InferenceOptions.builder(model).device("cpu").inferenceThreads(1).maxDelay(Duration.ofMillis(500));
    }

    @Test
    void aTransientShortageLowersTheLimitWhichRecoversAfterRunsOfSuccesses() throws Exception {
        // One out-of-memory error at batch 8, then memory is back.
        var model = new FaultyClassifierFactory(MODEL).oomAbove(2, 1);
        InferenceOptions options = options(model).maxBatchSize(8).maxInFlight(8).batchSizeRecoveryBatches(2).build();
        List<Object> limits = new ArrayList<>();
        try (OperatorHarness h = OperatorHarness.of(options)) {
            h.open();
            int sent = 0;
            for (int group = 0; group < 20 && !Integer.valueOf(8).equals(limitAfter(h, limits)); group++) {
                for (int i = 0; i < 8; i++, sent++) {
                    h.process(TestModels.frame("cam", "f" + sent, TestModels.png(sent)));
                }
                int expected = sent;
                h.drainUntil(() -> h.outputs().size() == expected, 60_000, expected + " outputs");
            }
            assertTrue(h.outputs().stream().allMatch(e -> e.isLeft()), "no frame fails: " + h.outputIds());
            assertTrue((Integer) limits.get(0) <= 5, "halved to 4 at the out-of-memory error (then +1 per 2 full"
                    + " batches): " + limits);
            assertEquals(8, limits.get(limits.size() - 1), "the limit must recover to maxBatchSize: " + limits);
            for (int i = 1; i < limits.size(); i++) {
                int step = (Integer) limits.get(i) - (Integer) limits.get(i - 1);
                assertTrue(step == 0 || step == 1, "additive increase, one at a time: " + limits);
            }
        }
    }

    /** Records and returns the slot's batch size limit after a group. */
    private static Object limitAfter(OperatorHarness h, List<Object> limits) {
        if (h.outputs().isEmpty()) {
            return null;
        }
        Object limit = h.gauge("maxBatchSize");
        limits.add(limit);
        return limit;
    }

    @Test
    void aTransientShortageOnASingleFrameIsRetriedNotDeadLettered() throws Exception {
        var model = new FaultyClassifierFactory(MODEL).oomAbove(0, 1);
        try (OperatorHarness h = OperatorHarness.of(options(model).maxBatchSize(1).build())) {
            h.open();
            h.process(TestModels.frame("cam", "f0", TestModels.png(0)));
            h.process(TestModels.frame("cam", "f1", TestModels.png(1)));
            h.drainUntil(() -> h.outputs().size() == 2, 60_000, "two outputs");
            assertEquals(List.of("f0", "f1"), h.outputIds());
            assertEquals(List.of(), h.externalFailures());
        }
    }
}
