package io.densenetflink.operators.internal;

import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.image.ImagePreprocessor;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.InferenceOptions;
import io.densenetflink.operators.SlotClassifier;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The work of a slot's one inference thread, which owns every model it loads (MXNet state belongs to the thread that
 * made it): loads the version the slot starts with ({@link LoadedVersions#open}), then takes batches from the {@link
 * BatchAssembler} and runs each through its version's {@link BatchRunner}, loading a newer version between batches,
 * until the slot stops; then closes the models.
 */
final class InferenceLoop implements Runnable {

    private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** What the loop needs from its slot. */
    interface Slot {
        /** Closing or failed: stop taking batches. */
        boolean stopped();

        /** Closing (rather than failed): an interrupt or error is expected, not a failure. */
        boolean closing();

        void fail(String what, Throwable cause);
    }

    private final InferenceOptions options;
    private final Placement placement;
    private final BatchListener listener;
    private final BatchAssembler batches;
    private final InFlightFrames frames;
    private final DecodeStage decoding;
    private final ForwardWatch forwards;
    private final Slot slot;
    private final CompletableFuture<SlotClassifier> model = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Thread thread;
    /** The runner of the last batch, for the slot's current batch size limit. */
    private volatile BatchRunner runner;
    private volatile VersionSwitch versions;
    private LoadedVersions loaded;

    InferenceLoop(InferenceOptions options, Placement placement, BatchListener listener, BatchAssembler batches,
            InFlightFrames frames, DecodeStage decoding, ForwardWatch forwards, Slot slot) {
        this.options = options;
        this.placement = placement;
        this.listener = listener;
        this.batches = batches;
        this.frames = frames;
        this.decoding = decoding;
        this.forwards = forwards;
        this.slot = slot;
    }

    /** Completes with the serving model once it is loaded, or with the reason it could not be. */
    CompletableFuture<SlotClassifier> model() {
        return model;
    }

    /** Completes when the loop ended (or, closed before it started, never will run). */
    CompletableFuture<Void> ended() {
        return ended;
    }

    /** Marks a loop that has not started as never to run; false when it runs (or ran). */
    boolean preventStart() {
        if (started.compareAndSet(false, true)) {
            ended.complete(null);
            return true;
        }
        return false;
    }

    Thread thread() {
        return thread;
    }

    BatchRunner runner() {
        return runner;
    }

    VersionSwitch versions() {
        return versions;
    }

    @Override
    public void run() {
        if (!started.compareAndSet(false, true)) {
            return; // closed before it started
        }
        thread = Thread.currentThread();
        try {
            if (loadModel()) {
                try {
                    runBatches();
                } finally {
                    loaded.close();
                }
            }
        } finally {
            thread = null;
            ended.complete(null);
        }
    }

    /** Loads the model the slot starts with and opens decoding; false when it failed. */
    private boolean loadModel() {
        try {
            if (!placement.device().isGpu()) {
                MxEngineSetup.useThreads(placement.inferenceThreads());
            }
            FailurePolicy failures = FailurePolicy.of(options);
            loaded = LoadedVersions.open(new LoadedVersions.Loading(options.classifier(), placement.device(),
                    options.maxSwapBytes(), options.maxBatchSize(), placement.name()), placement.restored(),
                    c -> new BatchRunner(c, c.preprocessing().outputSize(), options.topK(), options.maxBatchSize(),
                            failures, listener, new RunnerSlot()), listener);
            SlotClassifier serving = loaded.serving();
            ImagePreprocessor decoder;
            try {
                decoder = new ImagePreprocessor(serving.preprocessing());
            } catch (RuntimeException e) {
                loaded.close();
                throw e;
            }
            versions = loaded.versions();
            runner = loaded.runner(versions.serving());
            decoding.start(decoder); // last: it opens the slot's submit()
            model.complete(serving);
            return true;
        } catch (Throwable t) {
            model.completeExceptionally(t);
            return false;
        }
    }

    private void runBatches() {
        try {
            while (!slot.stopped()) {
                loaded.loadCandidate();
                List<PendingFrame> batch = batches.next(IDLE_POLL_NANOS, v -> loaded.runner(v).maxBatchSize());
                if (!batch.isEmpty()) {
                    runner = loaded.runner(batch.get(0).inFlight().version());
                    runner.run(batch);
                }
                loaded.closeUnneeded(frames.unanswered());
            }
        } catch (InterruptedException e) {
            if (!slot.closing()) {
                slot.fail("the inference thread was interrupted", e);
            }
        } catch (Throwable t) {
            // Whatever ends this loop (a JNA Error, an answer that throws) would strand every frame in flight.
            if (!slot.closing()) {
                slot.fail("the inference thread died", t);
            }
        }
    }

    /** The runners' view of the slot. */
    private final class RunnerSlot implements BatchRunner.Slot {
        @Override
        public boolean stopped() {
            return slot.stopped();
        }

        @Override
        public void classified(PendingFrame frame, Classification result) {
            frames.answer(frame.inFlight(), o -> o.classified(result));
        }

        @Override
        public void failed(PendingFrame frame, FailedFrame failed) {
            frames.answer(frame.inFlight(), o -> o.failed(failed));
        }

        @Override
        public void retry(List<PendingFrame> frames) {
            batches.putBack(frames);
        }

        @Override
        public void fail(SlotFailedException failed) {
            slot.fail("systemic failure", failed);
        }

        @Override
        public ForwardWatch forwards() {
            return forwards;
        }
    }
}
