package io.densenetflink.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.externalresource.ExternalResourceInfoProvider;
import org.junit.jupiter.api.Test;

/**
 * Devices: GPUs leased per task manager (two slots of a task manager with two GPUs get different ones,
 * whatever their subtask indices), and an engine without CUDA support reported clearly. The task manager's
 * GPUs come from a fake external resource driver through Flink's own external resource code; this machine's
 * MXNet engine is the CPU build.
 */
class SlotDeviceTest {

    private static final String MODEL = TestModels.tiny();

    private static InferenceOptions options(String device) {
        return InferenceOptions.builder(MODEL).device(device).maxBatchSize(2).maxDelay(Duration.ZERO)
                .inferenceThreads(1).build();
    }

    @Test
    void twoSlotsOfATaskManagerWithTwoGpusLeaseDifferentGpus() throws Exception {
        ExternalResourceInfoProvider twoGpus = FakeGpuDriverFactory.taskManagerWithGpus(2);
        // Subtasks 0 and 2 of 4 share this task manager (the other task manager runs 1 and 3): subtask % 2
        // would put both on GPU 0.
        try (OperatorHarness first = OperatorHarness.of(options("auto"), twoGpus, 0, 4);
                OperatorHarness second = OperatorHarness.of(options("auto"), twoGpus, 2, 4)) {
            first.open();
            second.open();
            assertEquals(Set.of(0, 1), new HashSet<>(List.of(first.gauge("gpu"), second.gauge("gpu"))));
            // This engine has no CUDA: both run on the CPU, and say so.
            assertEquals("cpu", first.gauge("device"));
            assertEquals("cpu", second.gauge("device"));
            first.close();
            try (OperatorHarness third = OperatorHarness.of(options("auto"), twoGpus, 1, 4)) {
                third.open();
                assertEquals(first.gauge("gpu"), third.gauge("gpu"), "a closed slot's GPU is leased again");
            }
        }
    }

    @Test
    void autoWithAGpuAssignedButNoCudaEngineRunsOnTheCpu() throws Exception {
        try (OperatorHarness h = OperatorHarness.of(options("auto"), FakeGpuDriverFactory.taskManagerWithGpus(1), 0, 1)) {
            h.open();
            h.process(TestModels.frame("cam", "f0", TestModels.png(0)));
            h.drainUntil(() -> h.outputs().size() == 1, 30_000, "one result");
            assertTrue(h.outputs().get(0).isLeft(), h.outputIds().toString());
            assertEquals("cpu", h.gauge("device"));
            assertEquals(0, h.gauge("gpu"));
        }
    }

    @Test
    void aGpuOnAnEngineWithoutCudaFailsOpenWithThatReason() throws Exception {
        try (OperatorHarness h = OperatorHarness.of(options("gpu:1"))) {
            Exception e = assertThrows(Exception.class, h::open);
            String message = String.valueOf(e.getMessage());
            assertTrue(message.contains("gpu:1") || message.contains("gpu(1)"), message);
            assertTrue(message.contains("no CUDA support"), "the reason, plainly: " + message);
        }
    }

    @Test
    void withoutAssignedGpusAutoIsTheCpu() throws Exception {
        try (OperatorHarness h = OperatorHarness.of(options("auto"))) {
            h.open();
            assertEquals("cpu", h.gauge("device"));
            assertEquals(-1, h.gauge("gpu"));
        }
    }
}
