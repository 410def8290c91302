package io.densenetflink.operators.internal;

import io.densenetflink.operators.Frame;

/** A decoded frame waiting for a batch: the frame in flight and its pixels. */
record PendingFrame(InFlightFrame inFlight, float[] pixels) {

    Frame frame() {
        return inFlight.frame();
    }

    long arrivalNanos() {
        return inFlight.arrivalNanos();
    }

    boolean isAnswered() {
        return inFlight.isAnswered();
    }
}
