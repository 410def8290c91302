package io.densenetflink.operators.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.densenetflink.model.inference.EngineMode;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.DenseNetClassifierFactory;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import io.densenetflink.operators.FaultyClassifierFactory;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.InferenceOptions;
import io.densenetflink.operators.SlotClassifierFactory;
import io.densenetflink.operators.TestModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The batcher on its own: batch formation, poison frames, bisection, out-of-memory, with a real model. */
class InferenceSlotTest {

    private static final String MODEL = TestModels.tiny();

    /** Collects outcomes and batch sizes. */
    private static final class Recorder implements BatchListener {
        final List<Classification> results = new CopyOnWriteArrayList<>();
        final List<FailedFrame> failures = new CopyOnWriteArrayList<>();
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        final List<Integer> limits = new CopyOnWriteArrayList<>();
        final List<Throwable> aborted = new CopyOnWriteArrayList<>();
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
            }, cause -> {
                aborted.add(cause);
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

    private static InferenceSlot start(SlotClassifierFactory factory, int maxBatch, Duration maxDelay,
            Duration budget, Recorder recorder) throws Exception {
        return start(InferenceOptions.builder(factory).maxBatchSize(maxBatch).maxDelay(maxDelay).latencyBudget(budget),
                recorder);
    }

    private static InferenceSlot start(InferenceOptions.Builder options, Recorder recorder) throws Exception {
        return startWith(options.decodeThreads(2), recorder);
    }

    /**
     * With one decode thread: frames reach the batches in the order submitted (two decode threads may finish them
     * in another order).
     */
    private static InferenceSlot startInOrder(InferenceOptions.Builder options, Recorder recorder) throws Exception {
        return startWith(options.decodeThreads(1), recorder);
    }

    private static InferenceSlot startWith(InferenceOptions.Builder options, Recorder recorder) throws Exception {
        InferenceOptions built = options.topK(3).build();
        InferenceSlot batcher = InferenceSlot.start(built, new Placement(Device.cpu(), 1, Long.MAX_VALUE,
                built.maxDecodeBytes() > 0 ? built.maxDecodeBytes() : Long.MAX_VALUE, "test", Duration.ofSeconds(1),
                RecordedModel.NONE), recorder);
        batcher.awaitModel(Duration.ofMinutes(1));
        return batcher;
    }

    /** An outcome whose answers throw {@code error} after noting the call in {@code calls}. */
    private static Outcome throwing(RuntimeException error, List<String> calls) {
        return Outcome.of(r -> {
            calls.add("classified");
            throw error;
        }, f -> {
            calls.add("failed");
            throw error;
        }, cause -> calls.add("aborted"));
    }

    private static void submit(InferenceSlot batcher, Frame frame, Outcome outcome) throws InterruptedException {
        batcher.submit(new InFlightFrame(frame, outcome));
    }

    private static DenseNetClassifierFactory realModel() {
        return new DenseNetClassifierFactory(MODEL, EngineMode.COMPILED);
    }

    @Test
    void batchClosesWhenFull() throws Exception {
        Recorder recorder = new Recorder(4);
        try (InferenceSlot batcher = start(realModel(), 4, Duration.ofMinutes(5), Duration.ZERO, recorder)) {
            long start = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                submit(batcher, TestModels.frame("cam", "f" + i, TestModels.png(i)), recorder.outcome());
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
        try (InferenceSlot batcher = start(realModel(), 32, Duration.ofMillis(200), Duration.ZERO, recorder)) {
            long start = System.nanoTime();
            submit(batcher, TestModels.frame("cam", "only", TestModels.png(1)), recorder.outcome());
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
        try (InferenceSlot batcher = start(realModel(), 32, Duration.ofMinutes(5), Duration.ofMillis(100), recorder)) {
            long start = System.nanoTime();
            Frame old = new Frame("cam", "old", TestModels.png(2), System.currentTimeMillis() - 60_000);
            submit(batcher, old, recorder.outcome());
            recorder.await();
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30));
            assertEquals(List.of(1), recorder.batchSizes);
        }
    }

    /**
     * Issue 19: decoding had a pixel limit but no memory budget: a small 16-bit RGBA PNG within the pixel limit
     * decoded to hundreds of MB, whatever the slot's heap. Now a frame that alone needs more than the slot's decode
     * budget (weighed from its header) is a TOO_LARGE dead letter, before it is decoded.
     */
    @Test
    void aFrameThatAloneNeedsMoreThanTheDecodeBudgetIsATooLargeDeadLetter() throws Exception {
        Recorder recorder = new Recorder(9);
        try (InferenceSlot batcher = start(InferenceOptions.builder(realModel()).maxBatchSize(8)
                .maxDelay(Duration.ofMillis(50)).maxDecodeBytes(4L << 20), recorder)) {
            for (int i = 0; i < 9; i++) {
                byte[] payload = i == 4 ? TestModels.sixteenBitRgbaPng(1000) : TestModels.png(i);
                submit(batcher, TestModels.frame("cam", "f" + i, payload), recorder.outcome());
            }
            recorder.await();
            assertEquals(8, recorder.results.size());
            FailedFrame failed = recorder.failures.get(0);
            assertEquals("f4", failed.frame().frameId());
            assertEquals(FailureReason.TOO_LARGE, failed.reason());
            assertTrue(failed.detail().contains("more than the slot's decode budget of 4194304"), failed.detail());
        }
    }

    /** Frames that each fit the decode budget but not together wait for it, and every one is classified. */
    @Test
    void framesThatTogetherExceedTheDecodeBudgetWaitForIt() throws Exception {
        byte[] large = TestModels.largePng(1, 1000); // about 2 MB of decoding each
        Recorder recorder = new Recorder(6);
        try (InferenceSlot batcher = start(InferenceOptions.builder(realModel()).maxBatchSize(8)
                .maxDelay(Duration.ofMillis(50)).maxDecodeBytes(3L << 20), recorder)) {
            for (int i = 0; i < 6; i++) {
                submit(batcher, TestModels.frame("cam", "f" + i, large), recorder.outcome());
            }
            recorder.await();
            assertEquals(6, recorder.results.size(), "failed: " + recorder.failures);
        }
    }

    /**
     * Issue 21: the repository poll shared the single watchdog thread that detects hung forwards, so a slow file
     * system (a listing that takes longer than the forward timeout) delayed hang detection by as long.
     */
    @Test
    void aSlowRepositoryListingDoesNotDelayFailingAHungForward() throws Exception {
        FaultyClassifierFactory.reset();
        Recorder recorder = new Recorder(1);
        var factory = new FaultyClassifierFactory(MODEL).slowListing(60_000)
                .breakAfter(0, FaultyClassifierFactory.Breakage.HANG);
        try (InferenceSlot slot = start(InferenceOptions.builder(factory).maxBatchSize(1).maxDelay(Duration.ZERO)
                .forwardTimeout(Duration.ofMillis(500)).modelPollInterval(Duration.ofMillis(20)), recorder)) {
            Thread.sleep(100); // the poll is inside its 60 s listing
            long start = System.nanoTime();
            submit(slot, TestModels.frame("cam", "f0", TestModels.png(0)), recorder.outcome());
            recorder.await();
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertEquals(1, recorder.aborted.size(), "the hung forward failed the slot");
            assertTrue(seconds < 10, "failed after " + seconds + " s, not after the forward timeout of 0.5 s");
        }
    }

    @Test
    void oneCorruptFrameAmongThirtyOneGoodOnesFailsAlone() throws Exception {
        Recorder recorder = new Recorder(32);
        try (InferenceSlot batcher = start(realModel(), 32, Duration.ofSeconds(2), Duration.ZERO, recorder)) {
            for (int i = 0; i < 32; i++) {
                byte[] payload = i == 17 ? TestModels.truncatedPng(i) : TestModels.png(i);
                submit(batcher, TestModels.frame("cam", "f" + i, payload), recorder.outcome());
            }
            recorder.await();
            assertEquals(31, recorder.results.size());
            assertEquals(1, recorder.failures.size());
            FailedFrame failed = recorder.failures.get(0);
            assertEquals("f17", failed.frame().frameId());
            assertEquals(FailureReason.CORRUPT, failed.reason());
            assertEquals(31, recorder.batchSizes.stream().mapToInt(Integer::intValue).sum());
            assertEquals(List.of(31), recorder.batchSizes, "the corrupt frame must not enter or split the batch");
        }
    }

    @Test
    void aFrameTheNetworkFailsOnIsIsolatedByBisection() throws Exception {
        Recorder recorder = new Recorder(16);
        var factory = new FaultyClassifierFactory(MODEL).failOnWhite();
        try (InferenceSlot batcher = start(factory, 16, Duration.ofSeconds(2), Duration.ZERO, recorder)) {
            for (int i = 0; i < 16; i++) {
                byte[] payload = i == 11 ? TestModels.whitePng() : TestModels.png(i);
                submit(batcher, TestModels.frame("cam", "f" + i, payload), recorder.outcome());
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
        var factory = new FaultyClassifierFactory(MODEL).oomAbove(5);
        try (InferenceSlot batcher = start(factory, 16, Duration.ofSeconds(2), Duration.ZERO, recorder)) {
            for (int i = 0; i < 16; i++) {
                submit(batcher, TestModels.frame("cam", "f" + i, TestModels.png(i)), recorder.outcome());
            }
            recorder.await();
            assertEquals(16, recorder.results.size(), "every frame is classified: " + recorder.failures);
            assertEquals(List.of(8, 4), recorder.limits, "halved twice, not yet raised again (20 successes needed)");
            assertEquals(4, batcher.maxBatchSize());
            assertTrue(recorder.batchSizes.stream().allMatch(s -> s <= 5), recorder.batchSizes.toString());
        }
    }

    @Test
    void resultsKeepSubmissionIdentity() throws Exception {
        Recorder recorder = new Recorder(40);
        try (InferenceSlot batcher = start(realModel(), 8, Duration.ofMillis(20), Duration.ZERO, recorder)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ids.add("f" + i);
                submit(batcher, TestModels.frame("cam" + (i % 4), "f" + i, TestModels.png(i)), recorder.outcome());
            }
            recorder.await();
            List<String> got = new ArrayList<>();
            recorder.results.forEach(r -> got.add(r.frameId()));
            Collections.sort(got);
            Collections.sort(ids);
            assertEquals(ids, got);
        }
    }

    @Test
    void aPoisonFrameAloneInItsBatchIsADeadLetterNotASlotFailure() throws Exception {
        Recorder recorder = new Recorder(3);
        var factory = new FaultyClassifierFactory(MODEL).failOnWhite();
        try (InferenceSlot batcher = start(factory, 1, Duration.ZERO, Duration.ZERO, recorder)) {
            submit(batcher, TestModels.frame("cam", "good0", TestModels.png(0)), recorder.outcome());
            submit(batcher, TestModels.frame("cam", "white", TestModels.whitePng()), recorder.outcome());
            submit(batcher, TestModels.frame("cam", "good1", TestModels.png(1)), recorder.outcome());
            recorder.await();
            assertEquals(List.of(), recorder.aborted, "the model works: a frame it fails on alone is the frame's fault");
            assertEquals(List.of("white"), recorder.failures.stream().map(f -> f.frame().frameId()).toList());
            assertEquals(2, recorder.results.size());
        }
    }

    /** One batch of {@code frames} frames through a model broken for every input; what the frames got. */
    private static Recorder throughABrokenModel(int frames, int systemicFailureThreshold) throws Exception {
        FaultyClassifierFactory.reset();
        Recorder recorder = new Recorder(frames);
        var factory = new FaultyClassifierFactory(MODEL).breakAfter(0, FaultyClassifierFactory.Breakage.EXCEPTION);
        try (InferenceSlot batcher = start(InferenceOptions.builder(factory).maxBatchSize(frames)
                .maxDelay(Duration.ofSeconds(2)).systemicFailureThreshold(systemicFailureThreshold), recorder)) {
            for (int i = 0; i < frames; i++) {
                submit(batcher, TestModels.frame("cam", "f" + i, TestModels.png(i)), recorder.outcome());
            }
            recorder.await();
            assertThrows(SlotFailedException.class, () -> submit(batcher,
                    TestModels.frame("cam", "late", TestModels.png(99)), recorder.outcome()), "the slot has failed");
        }
        return recorder;
    }

    @Test
    void aBrokenModelAbortsEveryFrameAfterABoundedNumberOfForwards() throws Exception {
        Recorder recorder = throughABrokenModel(16, 2);
        assertEquals(16, recorder.aborted.size(), "every frame is aborted, none dead-lettered: " + recorder.failures);
        assertTrue(recorder.aborted.get(0).getMessage().contains("2 time(s) in a row"),
                recorder.aborted.get(0).getMessage());
        // The batch and a probe, twice; bisecting under a broken model would cost 31 forwards per batch.
        assertEquals(4, FaultyClassifierFactory.FORWARDS.get());
    }

    @Test
    void aSystemicFailureThresholdOfOneFailsTheSlotAtTheFirstSuchBatch() throws Exception {
        Recorder recorder = throughABrokenModel(4, 1);
        assertEquals(4, recorder.aborted.size());
        assertEquals(2, FaultyClassifierFactory.FORWARDS.get(), "the batch and its probe");
    }

    @Test
    void framesTheBisectionBudgetDidNotReachRunAgainUntilEachPoisonFrameIsIsolated() throws Exception {
        FaultyClassifierFactory.reset();
        Recorder recorder = new Recorder(16);
        var factory = new FaultyClassifierFactory(MODEL).failOnWhite();
        try (InferenceSlot batcher = start(InferenceOptions.builder(factory).maxBatchSize(16)
                .maxDelay(Duration.ofSeconds(2)).bisectionBudget(4), recorder)) {
            for (int i = 0; i < 16; i++) {
                byte[] payload = i == 3 || i == 9 || i == 14 ? TestModels.whitePng() : TestModels.png(i);
                submit(batcher, TestModels.frame("cam", "f" + i, payload), recorder.outcome());
            }
            recorder.await();
            assertEquals(List.of(), recorder.aborted);
            assertEquals(List.of("f14", "f3", "f9"),
                    recorder.failures.stream().map(f -> f.frame().frameId()).sorted().toList());
            assertEquals(13, recorder.results.size());
        }
    }

    /**
     * Issue 19: a model that breaks in the middle of a bisection (a lost device) after one group of the batch
     * succeeded turned the good frames that then failed alone into INFERENCE_ERROR dead letters, with no new probe.
     */
    @Test
    void aModelThatBreaksMidBisectionTurnsNoGoodFrameIntoADeadLetter() throws Exception {
        FaultyClassifierFactory.reset();
        Recorder recorder = new Recorder(8);
        // Successful forwards: the probe after the failed batch of 8, then f0..f3; every forward after those two fails.
        var factory = new FaultyClassifierFactory(MODEL).failOnWhite()
                .breakAfter(2, FaultyClassifierFactory.Breakage.EXCEPTION);
        try (InferenceSlot batcher = start(InferenceOptions.builder(factory).maxBatchSize(8)
                .maxDelay(Duration.ofSeconds(2)).systemicFailureThreshold(1), recorder)) {
            for (int i = 0; i < 8; i++) {
                byte[] payload = i == 5 ? TestModels.whitePng() : TestModels.png(i);
                submit(batcher, TestModels.frame("cam", "f" + i, payload), recorder.outcome());
            }
            recorder.await();
            assertEquals(List.of(), recorder.failures.stream().map(f -> f.frame().frameId()).toList(),
                    "no frame is a dead letter for a model that stopped working");
            // Two decode threads may queue the frames in another order than submitted, so which half of the batch
            // a frame lands in varies (seen in .ci/run): what holds in every order is that the frames the model
            // classified before it broke are results and all others fail with the slot, none as a dead letter.
            assertEquals(8, recorder.results.size() + recorder.aborted.size());
            assertTrue(recorder.results.stream().noneMatch(c -> c.frameId().equals("f5")), "the white frame fails");
            assertTrue(recorder.aborted.size() >= 4, "the frames not classified fail with the slot, and Flink"
                    + " replays them: " + recorder.aborted.size());
        }
    }

    @Test
    void aCompletionThatThrowsFailsTheSlotAndAbortsTheOtherFrames() throws Exception {
        Recorder recorder = new Recorder(7);
        // The first batch's forward waits until all eight frames are in: else a warm model could answer f0 (and
        // fail the slot) before f4..f7 are submitted, and their submit would see the failed slot instead.
        var gate = FaultyClassifierFactory.Gate.named("completion-throws");
        // In order: f0 must be the first frame of the first batch (seen in .ci/run: decoded after f1..f4, it ran last).
        try (InferenceSlot batcher = startInOrder(InferenceOptions.builder(new FaultyClassifierFactory(MODEL)
                .gatedBy("completion-throws")).maxBatchSize(4).maxDelay(Duration.ofMillis(200)), recorder)) {
            IllegalStateException injected = new IllegalStateException("injected: completion failed");
            submit(batcher, TestModels.frame("cam", "f0", TestModels.png(0)), throwing(injected, new ArrayList<>()));
            for (int i = 1; i < 8; i++) {
                submit(batcher, TestModels.frame("cam", "f" + i, TestModels.png(i)), recorder.outcome());
            }
            gate.open();
            recorder.await(); // before the fix the inference thread died and these frames were never answered
            assertTrue(recorder.aborted.size() >= 4, "f4..f7 at least had no answer yet: " + recorder.aborted);
            assertTrue(recorder.aborted.stream().allMatch(c -> c.getCause() == injected), recorder.aborted.toString());
        }
    }

    @Test
    void answersThatArriveAfterCloseAreDroppedNotThrownOutOfABatcherThread() throws Exception {
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        var gate = FaultyClassifierFactory.Gate.named("after-close");
        List<String> answeredAfterClose = new CopyOnWriteArrayList<>();
        try {
            InferenceSlot batcher = start(new FaultyClassifierFactory(MODEL).gatedUninterruptiblyBy("after-close"), 1,
                    Duration.ZERO, Duration.ZERO, new Recorder(0));
            // Like Flink's result future once the task's mailbox is closed.
            submit(batcher, TestModels.frame("cam", "f0", TestModels.png(0)),
                    throwing(new IllegalStateException("injected: the mailbox is closed"), answeredAfterClose));
            gate.awaitArrivals(1, 30_000);
            Thread.currentThread().interrupt(); // as Flink interrupts a cancelled task
            batcher.close(); // the forward ignores the interrupt, like native code: close gives up after 1 s
            assertTrue(Thread.interrupted(), "close keeps the caller's interrupt");
            gate.open(); // the forward returns after close
            Thread.sleep(1_000);
            assertEquals(List.of(), answeredAfterClose);
            assertEquals(List.of(), uncaught);
        } finally {
            gate.open();
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }
}
