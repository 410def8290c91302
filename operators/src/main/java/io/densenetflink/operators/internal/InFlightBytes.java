package io.densenetflink.operators.internal;

import java.util.ArrayDeque;

/**
 * The encoded bytes a slot holds, bounded. A frame counts from its admission until its answer and the
 * answers of every frame admitted before it have been delivered: that is when the ordered output of Flink's
 * {@code AsyncWaitOperator} can emit it and drop its copy (which every checkpoint stores until then).
 *
 * <p>Admission waits on the task thread (in {@code asyncInvoke}), which backpressures the input like the
 * operator's count capacity. It never waits for the task thread itself: bytes are released when the slot's
 * own threads answer frames, not when the mailbox emits them, so a waiting admission cannot deadlock the
 * completions it waits for, also not while {@code open()} replays a restored checkpoint. A frame larger than
 * the whole bound is admitted when nothing else is held.
 */
final class InFlightBytes {

    /** How often a waiting admission re-checks whether the slot still runs. */
    private static final long RECHECK_MILLIS = 100;

    /** Why admission gave up: the slot failed or closed. */
    interface Stop {
        /** Throws when the slot no longer takes frames. */
        void check();
    }

    private final long limit;
    private final ArrayDeque<InFlightFrame> admitted = new ArrayDeque<>();
    private long held;

    InFlightBytes(long limit) {
        this.limit = limit;
    }

    long limit() {
        return limit;
    }

    synchronized long held() {
        return held;
    }

    /** Waits until {@code frame} fits, then counts it. */
    synchronized void admit(InFlightFrame frame, Stop stop) throws InterruptedException {
        while (held > 0 && held + frame.bytes() > limit) {
            stop.check();
            wait(RECHECK_MILLIS);
        }
        stop.check();
        held += frame.bytes();
        admitted.addLast(frame);
    }

    /** A frame's answer was delivered: releases the settled frames at the head, in admission order. */
    synchronized void released() {
        boolean freed = false;
        while (!admitted.isEmpty() && admitted.peekFirst().isSettled()) {
            held -= admitted.pollFirst().bytes();
            freed = true;
        }
        if (freed) {
            notifyAll();
        }
    }

    /** Forgets every frame (the slot closed or failed) and wakes waiting admissions to re-check. */
    synchronized void clear() {
        admitted.clear();
        held = 0;
        notifyAll();
    }
}
