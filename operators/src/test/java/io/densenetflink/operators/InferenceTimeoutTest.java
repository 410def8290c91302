package io.densenetflink.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A frame answered by {@code timeout()} leaves the slot at once and is never classified or counted as a result. */
class InferenceTimeoutTest {

    private static final String MODEL = TestModels.tiny();

    @BeforeEach
    void reset() {
        FaultyClassifierFactory.reset();
    }

    @Test
    void timedOutFramesLeaveTheQueuesAndOnlyEmittedResultsAreCounted() throws Exception {
        var gate = FaultyClassifierFactory.Gate.named("timeouts");
        InferenceOptions options = InferenceOptions.builder(new FaultyClassifierFactory(MODEL).gatedBy("timeouts"))
                .maxBatchSize(1).maxInFlight(4).maxDelay(Duration.ZERO).device("cpu").inferenceThreads(1)
                .timeout(Duration.ofMinutes(1)).forwardTimeout(Duration.ofSeconds(50)).build();
        try (OperatorHarness h = OperatorHarness.of(options)) {
            h.open();
            h.setProcessingTime(0);
            for (int i = 0; i < 4; i++) {
                h.process(TestModels.frame("cam", "f" + i, TestModels.png(i)));
            }
            gate.awaitArrivals(1, 30_000); // f0 is in the network, f1..f3 wait behind it
            h.setProcessingTime(Duration.ofMinutes(1).toMillis() + 1);
            h.drainUntil(() -> h.outputs().size() == 4, 10_000, "four timeouts");
            assertEquals(List.of("TIMEOUT:f0", "TIMEOUT:f1", "TIMEOUT:f2", "TIMEOUT:f3"), h.outputIds());
            assertEquals(0, h.gauge("inFlight"), "answered frames must not stay in the slot's queues");

            gate.open();
            long deadline = System.currentTimeMillis() + 30_000;
            while (FaultyClassifierFactory.IMAGES.get() < 1 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(1_000); // anything else queued would run now
            h.drainMailbox();
            assertEquals(1, FaultyClassifierFactory.IMAGES.get(), "only the frame already in the network ran");
            assertEquals(0, h.counter("resultsOut"), "a classification after the timeout is never emitted");
            assertEquals(4, h.counter("failures.TIMEOUT"));
            assertEquals(4, h.outputs().size());
        }
    }
}
