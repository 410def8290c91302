package io.densenetflink.operators.internal;

import io.densenetflink.operators.InferenceOptions;
import java.time.Duration;

/**
 * How a slot tells a frame's failure from its own and recovers from running out of memory; see the options
 * of the same names in {@link InferenceOptions}.
 */
record FailurePolicy(Duration forwardTimeout, int systemicFailureThreshold, int bisectionBudget,
        int batchSizeRecoveryBatches) {

    static FailurePolicy of(InferenceOptions options) {
        return new FailurePolicy(options.forwardTimeout(), options.systemicFailureThreshold(),
                options.bisectionBudget(), options.batchSizeRecoveryBatches());
    }
}
