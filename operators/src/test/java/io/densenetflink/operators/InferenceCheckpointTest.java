package io.densenetflink.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.operators.internal.InferenceFunction;
import io.densenetflink.operators.types.FrameSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

/** The operator under Flink's AsyncWaitOperator: checkpoints, restores and end of input lose nothing. */
class InferenceCheckpointTest {

    private static final String MODEL = TestModels.tiny();

    private static OneInputStreamOperatorTestHarness<Frame, Either<Classification, FailedFrame>> harness(
            Duration maxDelay) throws Exception {
        return harness(InferenceOptions.builder(MODEL).maxBatchSize(64).maxDelay(maxDelay));
    }

    private static OneInputStreamOperatorTestHarness<Frame, Either<Classification, FailedFrame>> harness(
            InferenceOptions.Builder builder) throws Exception {
        InferenceOptions options = builder.inferenceThreads(1).device("cpu").build();
        var harness = new OneInputStreamOperatorTestHarness<>(new AsyncWaitOperatorFactory<>(
                new InferenceFunction(options), options.timeout().toMillis(), options.maxInFlight(),
                AsyncDataStream.OutputMode.ORDERED), FrameSerializer.INSTANCE);
        harness.setup(InferenceFunction.outcomeType().createSerializer(new ExecutionConfig().getSerializerConfig()));
        return harness;
    }

    private static List<String> frameIds(
            OneInputStreamOperatorTestHarness<Frame, Either<Classification, FailedFrame>> h) {
        List<String> ids = new ArrayList<>();
        for (Either<Classification, FailedFrame> e : h.extractOutputValues()) {
            ids.add(e.isLeft() ? e.left().frameId() : "failed:" + e.right().frame().frameId());
        }
        return ids;
    }

    @Test
    void framesInFlightAtACheckpointAreRestoredAndProcessedExactlyOnce() throws Exception {
        List<String> expected = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var first = harness(Duration.ofSeconds(3))) {
            first.open();
            for (int i = 0; i < 10; i++) {
                expected.add("f" + i);
                first.processElement(TestModels.frame("cam", "f" + i, TestModels.png(i)), i);
            }
            // The batch waits for its 3 s delay: all ten frames are in flight when the checkpoint is taken.
            snapshot = first.snapshot(1L, 10L);
            assertEquals(List.of(), frameIds(first), "nothing completed before the checkpoint");
        }
        try (var restored = harness(Duration.ofMillis(20))) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(TestModels.frame("cam", "f10", TestModels.png(10)), 10);
            expected.add("f10");
            synchronized (restored.getCheckpointLock()) {
                restored.endInput();
            }
            assertEquals(expected, frameIds(restored), "restored frames once each, then the new one, in order");
        }
    }

    @Test
    void endOfInputFlushesAPartialBatch() throws Exception {
        try (var h = harness(Duration.ofSeconds(2))) {
            h.open();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                expected.add("f" + i);
                h.processElement(TestModels.frame("cam", "f" + i, TestModels.png(i)), i);
            }
            h.processElement(TestModels.frame("cam", "bad", new byte[0]), 5);
            expected.add("failed:bad");
            long start = System.nanoTime();
            synchronized (h.getCheckpointLock()) {
                h.endInput();
            }
            assertEquals(expected, frameIds(h));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(60).toNanos());
            var failure = h.extractOutputValues().get(5).right();
            assertEquals(FailureReason.EMPTY, failure.reason());
        }
    }

    @Test
    void aRestoreHoldingMoreBytesThanTheBoundReplaysWithoutDeadlock() throws Exception {
        List<String> expected = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var first = harness(Duration.ofSeconds(3))) {
            first.open();
            for (int i = 0; i < 10; i++) {
                expected.add("big" + i);
                first.processElement(TestModels.frame("cam", "big" + i, TestModels.largePng(i, 630)), i);
            }
            snapshot = first.snapshot(1L, 10L);
            assertEquals(List.of(), frameIds(first));
        }
        // About 4 MB of frames in the checkpoint, 1 MB allowed: open() replays them, waiting in asyncInvoke for
        // the slot's threads to answer earlier ones, which the task thread does not need to be free for.
        try (var restored = harness(InferenceOptions.builder(MODEL).maxBatchSize(4).maxDelay(Duration.ofMillis(20))
                .maxInFlightBytes(1L << 20))) {
            restored.initializeState(snapshot);
            restored.open();
            synchronized (restored.getCheckpointLock()) {
                restored.endInput();
            }
            assertEquals(expected, frameIds(restored), "every restored frame once, in order");
        }
    }
}
