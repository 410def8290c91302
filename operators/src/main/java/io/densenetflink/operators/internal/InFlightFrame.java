package io.densenetflink.operators.internal;

import io.densenetflink.operators.Frame;
import io.densenetflink.operators.FrameHeader;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A frame handed to the slot and not yet answered. Whoever claims it first answers it, exactly once: its
 * batch, a decode failure, the operator's timeout, or a failure of the whole slot. The others find it
 * claimed and leave it alone, so a frame answered by its timeout is never classified or counted again.
 */
public final class InFlightFrame {

    /** What a frame costs besides its payload and strings: the object headers, the map, the record around it. */
    private static final long OVERHEAD_BYTES = 256;
    /** A header's objects beside its bytes (the header, its name string, its array headers). */
    private static final long HEADER_OVERHEAD_BYTES = 64;

    private final Frame frame;
    private final Outcome outcome;
    private final long bytes;
    private final long arrivalNanos;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private volatile boolean settled;
    private volatile Runnable decodeTask;
    private volatile long version;

    public InFlightFrame(Frame frame, Outcome outcome) {
        this.frame = frame;
        this.outcome = outcome;
        this.bytes = weight(frame);
        this.arrivalNanos = System.nanoTime();
    }

    /**
     * The heap a frame holds while in flight, and what it adds to a checkpoint: its payload, key, id and every
     * header (repeated names each count: the frame keeps them all).
     */
    static long weight(Frame frame) {
        long bytes = frame.payload().length + (frame.key() == null ? 0 : frame.key().length)
                + 2L * frame.frameId().length();
        for (FrameHeader h : frame.headerList()) {
            bytes += h.sizeInBytes() + HEADER_OVERHEAD_BYTES;
        }
        return bytes + OVERHEAD_BYTES;
    }

    public Frame frame() {
        return frame;
    }

    Outcome outcome() {
        return outcome;
    }

    /** Bytes counted against the slot's {@code maxInFlightBytes}. */
    long bytes() {
        return bytes;
    }

    /** When the frame was handed to the slot (System.nanoTime). */
    long arrivalNanos() {
        return arrivalNanos;
    }

    /** True for the one caller that may answer the frame. */
    boolean claim() {
        return claimed.compareAndSet(false, true);
    }

    boolean isAnswered() {
        return claimed.get();
    }

    /** The answer has been delivered (or dropped): the frame's bytes may be released. */
    void settle() {
        settled = true;
    }

    boolean isSettled() {
        return settled;
    }

    /** The model version that classifies the frame: the serving one when it was submitted. */
    long version() {
        return version;
    }

    void version(long v) {
        this.version = v;
    }

    Runnable decodeTask() {
        return decodeTask;
    }

    void decodeTask(Runnable task) {
        this.decodeTask = task;
    }
}
