package io.densenetflink.operators.internal;

/**
 * The slot failed for a reason that is not a frame's: the task must fail (Flink then restarts it from the
 * last checkpoint). The message says what happened; the cause is the error behind it.
 */
public final class SlotFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    SlotFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
