package io.densenetflink.operators.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.DenseNetClassifierFactory;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import io.densenetflink.operators.FaultyClassifierFactory;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.SlotClassifierFactory;
import io.densenetflink.operators.TestModels;
import io.densenetflink.model.inference.EngineMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batcher on its own: batch formation, poison frames, bisection, out-of-memory, with a real model. */
class FrameBatcherTest {

    @TempDir
    static Path tmp;

    private static String modelDir;

    @BeforeAll
    static void model() throws Exception {
        modelDir = TestModels.tinyModel(tmp.resolve("model")).toString();
    }

    /** Collects outcomes and batch sizes. */
    private static final class Recorder implements BatchListener {
        final List<Classification> results = new CopyOnWriteArrayList<>();
        final List<FailedFrame> failures = new CopyOnWriteArrayList<>();
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        final List<Integer> limits = new CopyOnWriteArrayList<>();
        final CountDownLatch done;

        Recorder(int expected) {
            done = new CountDownLatch(expected);
        }

        Outcome outcome() {
            return Outcome.of(r -> {
                results.add(r);
                done.countDown();
            }, f -> {
                failures.add(f);
                done.countDown();
            });
        }

        @Override
        public void batchCompleted(int size, long inferenceMillis, long[] queueMillis) {
            batchSizes.add(size);
        }

        @Override
        public void maxBatchSizeChanged(int newLimit) {
            limits.add(newLimit);
        }

        void await() throws InterruptedException {
            assertTrue(done.await(60, TimeUnit.SECONDS), "outcomes missing: " + done.getCount());
        }
    }

    private static FrameBatcher start(SlotClassifierFactory factory, int maxBatch, Duration maxDelay,
            Duration budget, Recorder recorder) throws Exception {
        FrameBatcher batcher = FrameBatcher.start(new FrameBatcher.Settings(factory, Device.cpu(), 1, 2, maxBatch,
                maxDelay, budget, 3, "test"), recorder);
        batcher.awaitModel(Duration.ofMinutes(1));
        return batcher;
    }

    private static DenseNetClassifierFactory realModel() {
        return new DenseNetClassifierFactory(modelDir, EngineMode.COMPILED);
    }

    @Test
    void batchClosesWhenFull() throws Exception {
        Recorder recorder = new Recorder(4);
        try (FrameBatcher batcher = start(realModel(), 4, Duration.ofMinutes(5), Duration.ZERO, recorder)) {
            long start = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                batcher.submit(TestModels.frame("cam", "f" + i, TestModels.png(i)), recorder.outcome());
            }
            recorder.await();
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "a full batch must not wait for the delay");
            assertEquals(List.of(4), recorder.batchSizes);
            assertEquals(4, recorder.results.size());
            assertEquals(0, batcher.inFlight());
        }
    }

    @Test
    void batchClosesOnDelayWithOneFrame() throws Exception {
        Recorder recorder = new Recorder(1);
        try (FrameBatcher batcher = start(realModel(), 32, Duration.ofMillis(200), Duration.ZERO, recorder)) {
            long start = System.nanoTime();
            batcher.submit(TestModels.frame("cam", "only", TestModels.png(1)), recorder.outcome());
            recorder.await();
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(List.of(1), recorder.batchSizes);
            assertTrue(waitedMillis >= 200, "closed after " + waitedMillis + " ms, before the 200 ms delay");
            Classification c = recorder.results.get(0);
            assertEquals("only", c.frameId());
            assertEquals(3, c.topK().size());
            assertTrue(c.queueMillis() >= 190, "queue time " + c.queueMillis());
            assertEquals("tiny-test", c.modelName());
        }
    }

    @Test
    void latencyBudgetClosesABatchOfOldFramesEarly() throws Exception {
        Recorder recorder = new Recorder(1);
        try (FrameBatcher batcher = start(realModel(), 32, Duration.ofMinutes(5), Duration.ofMillis(100), recorder)) {
            long start = System.nanoTime();
            Frame old = new Frame("cam", "old", TestModels.png(2), System.currentTimeMillis() - 60_000);
            batcher.submit(old, recorder.outcome());
            recorder.await();
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30));
            assertEquals(List.of(1), recorder.batchSizes);
        }
    }

    @Test
    void oneCorruptFrameAmongThirtyOneGoodOnesFailsAlone() throws Exception {
        Recorder recorder = new Recorder(32);
        try (FrameBatcher batcher = start(realModel(), 32, Duration.ofSeconds(2), Duration.ZERO, recorder)) {
            for (int i = 0; i < 32; i++) {
                byte[] payload = i == 17 ? TestModels.truncatedPng(i) : TestModels.png(i);
                batcher.submit(TestModels.frame("cam", "f" + i, payload), recorder.outcome());
            }
            recorder.await();
            assertEquals(31, recorder.results.size());
            assertEquals(1, recorder.failures.size());
            FailedFrame failed = recorder.failures.get(0);
            assertEquals("f17", failed.frame().frameId());
            assertEquals("CORRUPT", failed.reason());
            assertEquals(31, recorder.batchSizes.stream().mapToInt(Integer::intValue).sum());
            assertEquals(List.of(31), recorder.batchSizes, "the corrupt frame must not enter or split the batch");
        }
    }

    @Test
    void aFrameTheNetworkFailsOnIsIsolatedByBisection() throws Exception {
        Recorder recorder = new Recorder(16);
        var factory = new FaultyClassifierFactory(modelDir, true, 0, 0);
        try (FrameBatcher batcher = start(factory, 16, Duration.ofSeconds(2), Duration.ZERO, recorder)) {
            for (int i = 0; i < 16; i++) {
                byte[] payload = i == 11 ? TestModels.whitePng() : TestModels.png(i);
                batcher.submit(TestModels.frame("cam", "f" + i, payload), recorder.outcome());
            }
            recorder.await();
            assertEquals(15, recorder.results.size());
            assertEquals(1, recorder.failures.size());
            assertEquals("f11", recorder.failures.get(0).frame().frameId());
            assertEquals(FailureReason.INFERENCE_ERROR, recorder.failures.get(0).reason());
            assertTrue(recorder.failures.get(0).detail().contains("all-white"), recorder.failures.get(0).detail());
        }
    }

    @Test
    void outOfMemoryHalvesTheBatchSizeInsteadOfFailing() throws Exception {
        Recorder recorder = new Recorder(16);
        var factory = new FaultyClassifierFactory(modelDir, false, 5, 0);
        try (FrameBatcher batcher = start(factory, 16, Duration.ofSeconds(2), Duration.ZERO, recorder)) {
            for (int i = 0; i < 16; i++) {
                batcher.submit(TestModels.frame("cam", "f" + i, TestModels.png(i)), recorder.outcome());
            }
            recorder.await();
            assertEquals(16, recorder.results.size(), "every frame is classified: " + recorder.failures);
            assertEquals(List.of(8, 4), recorder.limits);
            assertEquals(4, batcher.maxBatchSize());
            assertTrue(recorder.batchSizes.stream().allMatch(s -> s <= 5), recorder.batchSizes.toString());
        }
    }

    @Test
    void resultsKeepSubmissionIdentity() throws Exception {
        Recorder recorder = new Recorder(40);
        try (FrameBatcher batcher = start(realModel(), 8, Duration.ofMillis(20), Duration.ZERO, recorder)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ids.add("f" + i);
                batcher.submit(TestModels.frame("cam" + (i % 4), "f" + i, TestModels.png(i)), recorder.outcome());
            }
            recorder.await();
            List<String> got = new ArrayList<>();
            recorder.results.forEach(r -> got.add(r.frameId()));
            Collections.sort(got);
            Collections.sort(ids);
            assertEquals(ids, got);
        }
    }
}
