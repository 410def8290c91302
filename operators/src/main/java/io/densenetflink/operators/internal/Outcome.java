package io.densenetflink.operators.internal;

import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import java.util.function.Consumer;

/**
 * Receives the one answer for a frame: a classification, a failure of the frame, or the failure of the whole
 * slot. Called from the slot's threads.
 */
public interface Outcome {

    void classified(Classification result);

    void failed(FailedFrame failure);

    /**
     * The slot failed for a reason that is not the frame's (model broken, thread died, forward hung): the
     * frame has no answer of its own, the task must fail so that Flink restarts it and replays the frame.
     */
    void aborted(Throwable slotFailure);

    /** An outcome that forwards to three consumers. */
    static Outcome of(Consumer<Classification> onResult, Consumer<FailedFrame> onFailure, Consumer<Throwable> onAbort) {
        return new Outcome() {
            @Override
            public void classified(Classification result) {
                onResult.accept(result);
            }

            @Override
            public void failed(FailedFrame failure) {
                onFailure.accept(failure);
            }

            @Override
            public void aborted(Throwable slotFailure) {
                onAbort.accept(slotFailure);
            }
        };
    }
}
