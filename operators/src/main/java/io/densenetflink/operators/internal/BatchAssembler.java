package io.densenetflink.operators.internal;

import io.densenetflink.operators.InferenceOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongToIntFunction;

/**
 * Forms a slot's batches from its decoded frames, oldest first. Every rule for when a batch closes is here: at the
 * batch size limit of the batch's model version (the configured {@code maxBatchSize}, lowered after out of memory:
 * {@link BatchSizeLimit}), when its oldest frame has waited {@code maxDelay} since it arrived, when (with a latency
 * budget) its oldest frame's event time is older than the budget, or before a frame of another model version (a
 * batch runs through one version), whichever comes first.
 *
 * <p>Decode threads add frames; the slot's inference thread takes batches and puts frames back to run again.
 */
final class BatchAssembler {

    private final LinkedBlockingDeque<PendingFrame> decoded = new LinkedBlockingDeque<>();
    private final Duration maxDelay;
    private final Duration latencyBudget;

    BatchAssembler(Duration maxDelay, Duration latencyBudget) {
        this.maxDelay = maxDelay;
        this.latencyBudget = latencyBudget;
    }

    static BatchAssembler of(InferenceOptions options) {
        return new BatchAssembler(options.maxDelay(), options.latencyBudget());
    }

    /** A decoded frame joins the queue. */
    void add(PendingFrame frame) {
        decoded.addLast(frame);
    }

    /** Frames to run again before newer ones, in their order. */
    void putBack(List<PendingFrame> frames) {
        for (ListIterator<PendingFrame> it = frames.listIterator(frames.size()); it.hasPrevious(); ) {
            decoded.addFirst(it.previous());
        }
    }

    /** Takes a withdrawn frame out of the queue. */
    void remove(InFlightFrame frame) {
        decoded.removeIf(p -> p.inFlight() == frame);
    }

    void clear() {
        decoded.clear();
    }

    /**
     * The next batch: waits up to {@code idleNanos} for its first frame (empty when none came), then fills it until
     * one of the closing rules holds. {@code limitOfVersion} gives the batch size limit of a model version.
     */
    List<PendingFrame> next(long idleNanos, LongToIntFunction limitOfVersion) throws InterruptedException {
        List<PendingFrame> batch = new ArrayList<>();
        PendingFrame first = takeUnanswered(idleNanos);
        if (first == null) {
            return batch;
        }
        batch.add(first);
        long version = first.inFlight().version();
        int limit = limitOfVersion.applyAsInt(version);
        long deadline = deadlineNanos(first);
        while (batch.size() < limit) {
            PendingFrame next = takeUnanswered(deadline - System.nanoTime());
            if (next == null) {
                break;
            }
            if (next.inFlight().version() != version) {
                decoded.addFirst(next);
                break;
            }
            batch.add(next);
        }
        return batch;
    }

    /** The wall-clock instant (System.nanoTime) by which a batch whose oldest frame is {@code first} closes. */
    long deadlineNanos(PendingFrame first) {
        long deadline = first.arrivalNanos() + maxDelay.toNanos();
        if (!latencyBudget.isZero()) {
            long ageNanos = Math.max(0, System.currentTimeMillis() - first.frame().eventTime()) * 1_000_000L;
            long budgetLeft = latencyBudget.toNanos() - ageNanos;
            deadline = Math.min(deadline, System.nanoTime() + Math.max(0, budgetLeft));
        }
        return deadline;
    }

    /** The next decoded frame nobody answered yet, waiting up to {@code nanos}; null when none came. */
    private PendingFrame takeUnanswered(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (true) {
            long wait = deadline - System.nanoTime();
            PendingFrame p = wait > 0 ? decoded.pollFirst(wait, TimeUnit.NANOSECONDS) : decoded.pollFirst();
            if (p == null || !p.isAnswered()) {
                return p;
            }
        }
    }
}
