package io.densenetflink.operators.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most frames one forward of a slot's model may take: the configured batch size, halved to half a batch that
 * ran out of memory (multiplicative decrease) and raised by one after {@code batchSizeRecoveryBatches} successful
 * batches in a row at the limit (additive increase), never above the configured size.
 *
 * <p>Changed on the slot's inference thread only; read from any thread.
 */
final class BatchSizeLimit {

    private static final Logger LOG = LoggerFactory.getLogger(BatchSizeLimit.class);

    private final int configured;
    private final int recoveryBatches;
    private final BatchListener listener;
    private volatile int limit;
    private int successesAtLimit;

    BatchSizeLimit(int configured, int recoveryBatches, BatchListener listener) {
        this.configured = configured;
        this.recoveryBatches = recoveryBatches;
        this.listener = listener;
        this.limit = configured;
    }

    int get() {
        return limit;
    }

    /** A batch of {@code size} frames succeeded: a run of them at the limit raises it by one. */
    void succeeded(int size) {
        if (limit >= configured || size < limit) {
            return;
        }
        if (++successesAtLimit >= recoveryBatches) {
            successesAtLimit = 0;
            limit++;
            LOG.info("{} batches in a row succeeded at the batch size limit: it grows to {} (configured {})",
                    recoveryBatches, limit, configured);
            listener.maxBatchSizeChanged(limit);
        }
    }

    /** A batch of {@code size} frames ran out of memory: the limit becomes half of it. */
    void outOfMemory(int size, Throwable error) {
        int halved = Math.max(1, size / 2);
        if (halved < limit) {
            limit = halved;
            successesAtLimit = 0;
            LOG.warn("out of memory at batch size {}: this slot now batches at most {} frames until runs of"
                    + " successes raise it again ({})", size, halved, error.toString());
            listener.maxBatchSizeChanged(halved);
        }
    }
}
