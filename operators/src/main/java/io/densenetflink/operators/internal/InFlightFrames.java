package io.densenetflink.operators.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames a slot holds until each is answered, at most once, and the bytes they weigh ({@link InFlightBytes}).
 * An answer is delivered unless the slot closed (then Flink replays the frame); the frame's bytes are freed after
 * the delivery, so its result waits in the task's mailbox before the input the freed bytes let in.
 */
final class InFlightFrames {

    private static final Logger LOG = LoggerFactory.getLogger(InFlightFrames.class);

    private final Set<InFlightFrame> unanswered = ConcurrentHashMap.newKeySet();
    private final InFlightBytes bytes;
    private final String name;
    private volatile boolean closed;

    InFlightFrames(long maxBytes, String name) {
        this.bytes = new InFlightBytes(maxBytes);
        this.name = name;
    }

    /** Takes {@code frame} in, waiting while the bytes held leave no room ({@code check} throws to stop waiting). */
    void admit(InFlightFrame frame, InFlightBytes.Stop check) throws InterruptedException {
        bytes.admit(frame, check);
        unanswered.add(frame);
    }

    int count() {
        return unanswered.size();
    }

    long bytes() {
        return bytes.held();
    }

    Set<InFlightFrame> unanswered() {
        return unanswered;
    }

    /**
     * Answers {@code frame} unless someone did already; a delivery that throws while the slot runs propagates (which
     * fails the slot), after close it is dropped.
     */
    void answer(InFlightFrame frame, Consumer<Outcome> delivery) {
        if (!frame.claim()) {
            return;
        }
        unanswered.remove(frame);
        try {
            if (!closed) {
                delivery.accept(frame.outcome());
            }
        } catch (RuntimeException e) {
            if (!closed) {
                throw e;
            }
            LOG.debug("{}: an answer that arrived while closing was dropped: {}", name, e.toString());
        } finally {
            settle(frame);
        }
    }

    /**
     * Takes back a frame not answered yet: {@code leave} takes it out of the slot's queues, {@code answer} answers it.
     * False, doing nothing, when it was answered already.
     */
    boolean withdraw(InFlightFrame frame, Runnable leave, Runnable answer) {
        if (!frame.claim()) {
            return false;
        }
        unanswered.remove(frame);
        leave.run();
        try {
            answer.run();
        } finally {
            settle(frame);
        }
        return true;
    }

    /** Aborts every frame in flight with {@code failed} (the slot failed): Flink replays them. */
    void abortAll(SlotFailedException failed) {
        for (InFlightFrame frame : unanswered) {
            try {
                answer(frame, o -> o.aborted(failed));
            } catch (Throwable t) {
                LOG.warn("{}: could not abort frame {}: {}", name, frame.frame().frameId(), t.toString());
            }
        }
        bytes.clear();
    }

    /** From now on nothing is delivered; the bytes are freed (whoever waits for room stops waiting). */
    void close() {
        closed = true;
        bytes.clear();
    }

    /** Forgets the frames still held, once the slot's threads are gone. */
    void forget() {
        unanswered.clear();
    }

    private void settle(InFlightFrame frame) {
        frame.settle();
        bytes.released();
    }
}
