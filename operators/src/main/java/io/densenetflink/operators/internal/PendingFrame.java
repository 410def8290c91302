package io.densenetflink.operators.internal;

import io.densenetflink.operators.Frame;

/** A decoded frame waiting for a batch: its pixels, when it arrived, and where its outcome goes. */
record PendingFrame(Frame frame, float[] pixels, long arrivalNanos, Outcome outcome) {}
