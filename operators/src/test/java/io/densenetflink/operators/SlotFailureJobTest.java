package io.densenetflink.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.operators.FaultyClassifierFactory.Breakage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failures that are not a frame's fault fail the task (so that Flink restarts it and replays its frames from
 * the checkpoint) instead of dead-lettering frames or leaving them to their 10-minute timeout. Restarts are
 * off here: the job's failure is what the test observes.
 */
class SlotFailureJobTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.oneTaskManager(1);

    /** A frame's timeout never comes into play: the failures must be reported well before it. */
    private static final Duration WITHIN = Duration.ofSeconds(60);

    private static final String MODEL = TestModels.tiny();

    @BeforeEach
    void reset() {
        FaultyClassifierFactory.reset();
    }

    private static List<Frame> frames(int n) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            frames.add(TestModels.frame("cam", "f" + i, TestModels.png(i)));
        }
        return frames;
    }

    private static InferenceOptions.Builder options(FaultyClassifierFactory model) {
        return InferenceOptions.builder(model).maxBatchSize(8).maxDelay(Duration.ofMillis(20)).device("cpu");
    }

    @Test
    void aModelThatFailsForEveryInputFailsTheTaskInsteadOfDeadLetteringEveryFrame() throws Exception {
        var model = new FaultyClassifierFactory(MODEL).breakAfter(3, Breakage.EXCEPTION);
        Throwable failure = RecordingJob.run(frames(200), options(model).build(), WITHIN);
        assertNotNull(failure, "the job must fail; it finished with " + RecordingJob.DEAD_LETTERS.size()
                + " dead letters");
        assertTrue(RecordingJob.causedBy(failure, "injected: the model is broken"), failure.toString());
        assertEquals(List.of(), RecordingJob.DEAD_LETTERS, "no frame is dead-lettered for a broken model");
        int failedForwards = FaultyClassifierFactory.FORWARDS.get() - 3;
        // Per failed batch: the batch and one probe of a known-good input; two batches in a row fail the task.
        // Without the probe and the budget every batch of 8 would cost 15 forwards of bisection.
        assertTrue(failedForwards <= 4, failedForwards + " forwards spent on a broken model");
    }

    @Test
    void aNativeErrorInTheForwardFailsTheTaskAtOnce() throws Exception {
        var model = new FaultyClassifierFactory(MODEL).breakAfter(2, Breakage.ERROR);
        long start = System.nanoTime();
        Throwable failure = RecordingJob.run(frames(200), options(model).build(), WITHIN);
        assertNotNull(failure, "the job must fail");
        assertTrue(RecordingJob.causedBy(failure, "injected: Invalid memory access"), failure.toString());
        assertEquals(List.of(), RecordingJob.DEAD_LETTERS);
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(45).toNanos(), "failed, but late");
    }

    @Test
    void aHungForwardFailsTheTaskOnceItRunsPastTheForwardTimeout() throws Exception {
        var model = new FaultyClassifierFactory(MODEL).breakAfter(2, Breakage.HANG);
        Throwable failure = RecordingJob.run(frames(200),
                options(model).forwardTimeout(Duration.ofSeconds(2)).build(), WITHIN);
        assertNotNull(failure, "the job must fail");
        assertTrue(RecordingJob.causedBy(failure, "forward"), failure.toString());
        assertTrue(RecordingJob.causedBy(failure, "PT2S"), "the limit is named: " + failure);
        assertEquals(List.of(), RecordingJob.DEAD_LETTERS);
    }

    @Test
    void poisonFramesAmongGoodOnesAreDeadLettersAndTheJobFinishes() throws Exception {
        var model = new FaultyClassifierFactory(MODEL).failOnWhite();
        List<Frame> frames = frames(60);
        for (int i : new int[] {5, 6, 31, 59}) {
            frames.set(i, TestModels.frame("cam", "f" + i, TestModels.whitePng()));
        }
        Throwable failure = RecordingJob.run(frames, options(model).build(), WITHIN);
        assertEquals(null, failure);
        assertEquals(56, RecordingJob.RESULTS.size());
        assertEquals(List.of("f5", "f6", "f31", "f59"),
                RecordingJob.DEAD_LETTERS.stream().map(f -> f.frame().frameId()).toList());
        assertTrue(RecordingJob.DEAD_LETTERS.stream().allMatch(f -> f.reason().equals(FailureReason.INFERENCE_ERROR)));
    }
}
