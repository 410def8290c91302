package io.densenetflink.operators.internal;

import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import java.util.function.Consumer;

/** Receives the one outcome of a frame: a classification or a failure. Called from pool threads. */
public interface Outcome {

    void classified(Classification result);

    void failed(FailedFrame failure);

    /** An outcome that forwards to two consumers. */
    static Outcome of(Consumer<Classification> onResult, Consumer<FailedFrame> onFailure) {
        return new Outcome() {
            @Override
            public void classified(Classification result) {
                onResult.accept(result);
            }

            @Override
            public void failed(FailedFrame failure) {
                onFailure.accept(failure);
            }
        };
    }
}
