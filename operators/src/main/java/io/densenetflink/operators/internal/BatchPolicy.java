package io.densenetflink.operators.internal;

import io.densenetflink.operators.InferenceOptions;
import java.time.Duration;

/**
 * When a batch closes: at {@code maxBatchSize} frames, when its oldest frame has waited {@code maxDelay}
 * since it arrived, or (when a latency budget is set) when the oldest frame's event time is older than the
 * budget, whichever comes first.
 */
record BatchPolicy(int maxBatchSize, Duration maxDelay, Duration latencyBudget) {

    static BatchPolicy of(InferenceOptions options) {
        return new BatchPolicy(options.maxBatchSize(), options.maxDelay(), options.latencyBudget());
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
}
