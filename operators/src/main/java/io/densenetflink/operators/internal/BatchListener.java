package io.densenetflink.operators.internal;

/** What the batcher reports as it works, for metrics. All methods are called from the inference thread. */
public interface BatchListener {

    /** A batch of {@code size} frames ran; its frames waited {@code queueMillis} each (oldest first). */
    default void batchCompleted(int size, long inferenceMillis, long[] queueMillis) {}

    /** The slot's batch size limit changed: halved after running out of memory, up by one after a run of successes. */
    default void maxBatchSizeChanged(int newLimit) {}

    /** A newer model version was refused ({@code why}); the serving one stays. */
    default void modelRejected(long version, String why) {}

    /** No-op listener. */
    BatchListener NONE = new BatchListener() {};
}
