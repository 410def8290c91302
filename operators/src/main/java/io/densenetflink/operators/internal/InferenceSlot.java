package io.densenetflink.operators.internal;

import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.InferenceOptions;
import io.densenetflink.operators.SlotClassifier;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One slot's inference, free of Flink, and the owner of its lifecycle: takes frames in ({@link #submit}), answers
 * each at most once ({@link InFlightFrames}), fails as a whole, takes frames back ({@link #withdraw}) and closes.
 * Its parts: the {@link DecodeStage} turns frames into pixels, the {@link BatchAssembler} forms batches, the {@link
 * InferenceLoop} runs them on the slot's one inference thread (a {@linkplain InferenceCarriers carrier} that
 * outlives the slot, so that native per-thread memory is reused), the {@link RepositoryPoll} looks for newer model
 * versions, and the {@link Watchdog} fails the slot when a forward hangs or the inference loop dies.
 *
 * <p>When the slot fails (a systemic model failure, a dead or hung inference thread, a completion that throws, a
 * decode out of memory) every frame still in flight is {@linkplain Outcome#aborted aborted} with the cause and no
 * more frames are taken. After {@link #close()} nothing is answered: Flink replays what was in flight.
 */
public final class InferenceSlot implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceSlot.class);

    private final InferenceOptions options;
    private final Placement placement;
    private final InFlightFrames frames;
    private final BatchAssembler batches;
    private final DecodeStage decoding;
    private final ForwardWatch forwards = new ForwardWatch();
    private final InferenceLoop inference;
    private final AtomicReference<SlotFailedException> failure = new AtomicReference<>();
    private volatile Watchdog watchdog;
    private volatile RepositoryPoll poll;
    private volatile Future<?> loop;
    private volatile boolean closed;

    private InferenceSlot(InferenceOptions options, Placement placement, BatchListener listener) {
        this.options = options;
        this.placement = placement;
        this.frames = new InFlightFrames(placement.maxInFlightBytes(), placement.name());
        this.batches = BatchAssembler.of(options);
        this.decoding = new DecodeStage(options.decodeThreads(), placement.maxDecodeBytes(), placement.name(),
                new Decoded());
        this.inference = new InferenceLoop(options, placement, listener, batches, frames, decoding, forwards,
                new InferenceLoop.Slot() {
                    @Override
                    public boolean stopped() {
                        return closed || failure.get() != null;
                    }

                    @Override
                    public boolean closing() {
                        return closed;
                    }

                    @Override
                    public void fail(String what, Throwable cause) {
                        failSlot(what, cause);
                    }
                });
    }

    /** Starts the inference loop, which loads the model (see {@link #awaitModel(Duration)}), the watchdog and the poll. */
    public static InferenceSlot start(InferenceOptions options, Placement placement, BatchListener listener) {
        InferenceSlot slot = new InferenceSlot(options, placement, listener);
        int ompThreads = placement.device().isGpu() ? 0 : placement.inferenceThreads();
        slot.loop = InferenceCarriers.run(placement.name() + "-inference", ompThreads, slot.inference);
        slot.watchdog = Watchdog.start(options.forwardTimeout(), placement.name(), slot.forwards, slot.new Watched(),
                slot::failSlot);
        slot.poll = RepositoryPoll.start(options.classifier(), options.modelPollInterval(), placement.name(),
                slot.inference::versions, () -> slot.closed || slot.failure.get() != null);
        return slot;
    }

    /** Waits until the model is loaded; rethrows the reason when it could not be. */
    public SlotClassifier awaitModel(Duration timeout) throws Exception {
        try {
            return inference.model().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("model " + options.classifier().describe() + " did not load within " + timeout);
        }
    }

    /** Frames submitted and not yet answered. */
    public int inFlight() {
        return frames.count();
    }

    /** Bytes of the frames held (see {@link InFlightBytes}). */
    public long inFlightBytes() {
        return frames.bytes();
    }

    /** The current batch size limit (lowered after out-of-memory errors, raised again by runs of successes). */
    public int maxBatchSize() {
        BatchRunner r = inference.runner();
        return r == null ? options.maxBatchSize() : r.maxBatchSize();
    }

    /** The model version frames submitted now are classified by (0: a fixed model); valid once the model loaded. */
    public long servingVersion() {
        VersionSwitch v = inference.versions();
        return v == null ? 0 : v.serving();
    }

    /**
     * A checkpoint barrier, called by the task thread as it snapshots the operator: frames submitted before it
     * keep their version, and a newer version loaded and checked by now serves every frame submitted after it.
     */
    public VersionSwitch.Boundary checkpointBoundary() {
        return inference.versions().boundary();
    }

    /** Why the slot failed; null while it works. */
    public SlotFailedException failure() {
        return failure.get();
    }

    /**
     * Queues a frame; its outcome is answered at most once, from a slot thread. Waits while the slot holds
     * {@code maxInFlightBytes} (which backpressures the caller); throws {@link SlotFailedException} once the
     * slot has failed, {@link IllegalStateException} when it is not running.
     */
    public void submit(InFlightFrame frame) throws InterruptedException {
        checkAccepting();
        // Tagged on the caller's (the task's) thread, the thread that also switches versions at a checkpoint.
        frame.version(inference.versions().serving());
        frames.admit(frame, this::checkAccepting);
        SlotFailedException failed = failure.get();
        if (failed != null) {
            // The slot failed while the frame was admitted: it is aborted like every other frame in flight.
            frames.answer(frame, o -> o.aborted(failed));
            return;
        }
        decoding.submit(frame);
    }

    private void checkAccepting() {
        SlotFailedException failed = failure.get();
        if (failed != null) {
            throw new SlotFailedException(placement.name() + " has failed: " + failed.getMessage(), failed);
        }
        if (closed || !decoding.started()) {
            throw new IllegalStateException("the slot is not running (model not loaded or closed)");
        }
    }

    /**
     * Takes back a frame not answered yet (its timeout fired) and answers it with {@code answer}: it leaves
     * the queues at once, frees its place and bytes, and is never classified (unless its batch already runs,
     * whose answer is then dropped). Returns false, answering nothing, when the frame was answered already.
     */
    public boolean withdraw(InFlightFrame frame, Runnable answer) {
        return frames.withdraw(frame, () -> {
            decoding.withdraw(frame);
            batches.remove(frame);
        }, answer);
    }

    /** Fails the slot once: every frame in flight is aborted with the cause, no frame is taken any more. */
    private void failSlot(String what, Throwable cause) {
        SlotFailedException failed = cause instanceof SlotFailedException s ? s
                : new SlotFailedException(placement.name() + ": " + what + ": " + cause, cause);
        if (!failure.compareAndSet(null, failed)) {
            return;
        }
        LOG.error("{}: failing the task so that Flink restarts it and replays its frames from the last checkpoint",
                placement.name(), failed);
        frames.abortAll(failed);
        batches.clear();
        if (Thread.currentThread() != inference.thread()) {
            loop.cancel(true); // interrupts the loop: a hung forward in Java code may still end
        }
    }

    /** The watchdog's view of the slot. */
    private final class Watched implements Watchdog.Watched {
        @Override
        public boolean running() {
            var model = inference.model();
            return !closed && failure.get() == null && model.isDone() && !model.isCompletedExceptionally();
        }

        @Override
        public boolean loopEnded() {
            return inference.ended().isDone();
        }

        @Override
        public Thread inferenceThread() {
            return inference.thread();
        }
    }

    /** The decode stage's view of the slot. */
    private final class Decoded implements DecodeStage.Sink {
        @Override
        public void decoded(PendingFrame frame) {
            batches.add(frame);
        }

        @Override
        public void failed(InFlightFrame frame, FailedFrame failed) {
            frames.answer(frame, o -> o.failed(failed));
        }

        @Override
        public void broken(String what, Throwable cause) {
            failSlot(what, cause);
        }

        @Override
        public boolean stopped() {
            return closed;
        }
    }

    /**
     * Stops the threads and frees the model (on its own thread) before returning: interrupts the inference
     * loop and waits for it at most {@code closeTimeout}, also when the calling thread is interrupted (as
     * Flink does to a cancelled task). A forward stuck in native code can outlast that: it is logged, and the
     * model is freed when the forward returns. Frames still in flight are dropped: on a cancel or failover
     * Flink replays them from its checkpoint.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        frames.close();
        decoding.shutdownNow();
        watchdog.close();
        poll.close();
        inference.preventStart();
        loop.cancel(true);
        batches.clear();
        boolean interrupted = false;
        long deadline = System.nanoTime() + placement.closeTimeout().toNanos();
        while (true) {
            try {
                inference.ended().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                decoding.awaitTermination(deadline - System.nanoTime());
                watchdog.awaitTermination(deadline - System.nanoTime());
                poll.awaitTermination(deadline - System.nanoTime());
                break;
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting: the model must be freed before close returns
            } catch (ExecutionException | TimeoutException e) {
                break;
            }
        }
        if (!inference.ended().isDone()) {
            LOG.error("{}: the inference loop did not stop within {} (a forward stuck in native code?); its model"
                    + " is freed if the forward returns", placement.name(), placement.closeTimeout());
        }
        frames.forget();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
