package io.densenetflink.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Closing the operator (end of job, cancel, failover) stops the slot's threads and frees its model before
 * {@code close()} returns, also when Flink has interrupted the task thread, also while a forward runs.
 */
class InferenceCloseTest {

    private static final String MODEL = TestModels.tiny();

    @BeforeEach
    void reset() {
        FaultyClassifierFactory.reset();
        before = java.util.Set.copyOf(Thread.getAllStackTraces().keySet());
    }

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private static InferenceOptions options(FaultyClassifierFactory model) {
        return InferenceOptions.builder(model).maxBatchSize(2).maxDelay(Duration.ZERO).device("cpu")
                .inferenceThreads(1).build();
    }

    /**
     * Threads working for a slot (named after it; an idle inference carrier is not) that were not there at the
     * test's start (earlier test classes in this JVM may leave one on purpose: a forward hung in native code is let
     * go after close). A pool reports itself terminated when its last worker has left its loop, a few instructions
     * before that thread ends: the threads get a moment to finish ending.
     */
    private java.util.List<String> operatorThreads() {
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (true) {
            java.util.List<String> alive = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && t.getName().startsWith("densenet-0-") && !before.contains(t))
                    .map(Thread::getName).toList();
            if (alive.isEmpty() || System.nanoTime() > deadline) {
                return alive;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000); // an interrupted test thread spins
        }
    }

    private java.util.Set<Thread> before;

    @Test
    void closeOnAnInterruptedTaskThreadStillFreesTheModelBeforeItReturns() throws Exception {
        OperatorHarness h = OperatorHarness.of(options(new FaultyClassifierFactory(MODEL)));
        h.open();
        h.process(TestModels.frame("cam", "f0", TestModels.png(0)));
        h.drainUntil(() -> h.outputs().size() == 1, 30_000, "one result");
        assertEquals(1, FaultyClassifierFactory.OPEN_MODELS.get());
        Thread.currentThread().interrupt(); // Flink interrupts a cancelled task's thread
        try {
            h.close();
        } catch (Exception e) {
            // an interrupted close may report it; what matters is what is left running
        }
        assertEquals(0, FaultyClassifierFactory.OPEN_MODELS.get(), "the model's native memory is freed by then");
        assertEquals(java.util.List.of(), operatorThreads(), "the operator's threads are gone by then");
    }

    @Test
    void closeInterruptsAForwardInProgress() throws Exception {
        var gate = FaultyClassifierFactory.Gate.named("close");
        OperatorHarness h = OperatorHarness.of(options(new FaultyClassifierFactory(MODEL).gatedBy("close")));
        h.open();
        h.process(TestModels.frame("cam", "f0", TestModels.png(0)));
        try {
            gate.awaitArrivals(1, 30_000);
            long start = System.nanoTime();
            h.close();
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "close waited for the forward");
            assertEquals(0, FaultyClassifierFactory.OPEN_MODELS.get());
            assertEquals(java.util.List.of(), operatorThreads());
        } finally {
            gate.open();
        }
    }
}
