package io.densenetflink.operators.internal;

import io.densenetflink.model.image.ImageDecodeException;
import io.densenetflink.model.image.ImageErrorReason;
import io.densenetflink.model.image.ImagePreprocessor;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A slot's decode pool: turns submitted frames into the model's pixels while the inference thread runs batches,
 * within the slot's {@link DecodeBudget} of heap. A frame that fails to decode, or that alone needs more than the
 * budget, is answered with its reason at once and never reaches a batch. An {@link OutOfMemoryError} is not the
 * frame's fault (it says what else the heap holds): it breaks the slot, whose task replays the frame.
 */
final class DecodeStage {

    /** Where decoded frames and failures go. */
    interface Sink {
        void decoded(PendingFrame frame);

        void failed(InFlightFrame frame, FailedFrame failure);

        /** Something other than the frame went wrong: the slot fails. */
        void broken(String what, Throwable cause);

        boolean stopped();
    }

    private final ThreadPoolExecutor pool;
    private final DecodeBudget budget;
    private final Sink sink;
    private volatile ImagePreprocessor preprocessor;

    DecodeStage(int threads, long budgetBytes, String name, Sink sink) {
        AtomicInteger number = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                DaemonThreads.named(() -> name + "-decode-" + number.incrementAndGet()));
        this.budget = new DecodeBudget(budgetBytes);
        this.sink = sink;
    }

    /** Decoding starts once the model says how: with {@code decoder}. */
    void start(ImagePreprocessor decoder) {
        this.preprocessor = decoder;
    }

    boolean started() {
        return preprocessor != null;
    }

    /** Queues {@code frame} for decoding. */
    void submit(InFlightFrame frame) {
        Runnable task = () -> decode(frame);
        frame.decodeTask(task);
        pool.execute(task);
    }

    /** Drops a withdrawn frame's decoding if it has not started. */
    void withdraw(InFlightFrame frame) {
        Runnable task = frame.decodeTask();
        if (task != null) {
            pool.remove(task);
        }
    }

    void shutdownNow() {
        pool.shutdownNow();
    }

    void awaitTermination(long nanos) throws InterruptedException {
        pool.awaitTermination(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    private void decode(InFlightFrame frame) {
        if (frame.isAnswered() || sink.stopped()) {
            return;
        }
        try {
            float[] pixels;
            try {
                pixels = withinBudget(frame.frame().payload());
            } catch (ImageDecodeException e) {
                sink.failed(frame, new FailedFrame(frame.frame(), FailureReason.of(e.reason()), e.detail(),
                        System.currentTimeMillis()));
                return;
            } catch (RuntimeException e) {
                // The preprocessor maps every decoder failure to ImageDecodeException; anything else is ours.
                sink.failed(frame, new FailedFrame(frame.frame(), FailureReason.CORRUPT,
                        "decoder failure: " + e, System.currentTimeMillis()));
                return;
            }
            if (!frame.isAnswered()) {
                sink.decoded(new PendingFrame(frame, pixels));
            }
        } catch (Throwable t) {
            if (!sink.stopped()) {
                sink.broken("a decode thread failed", t);
            }
        }
    }

    /** Decodes {@code payload} once the decodes under way leave room for what its header says it takes. */
    private float[] withinBudget(byte[] payload) throws ImageDecodeException, InterruptedException {
        long cost = preprocessor.decodedBytes(payload);
        if (cost > budget.capacity()) {
            throw new ImageDecodeException(ImageErrorReason.TOO_LARGE, "decoding it takes about " + cost
                    + " bytes of heap, more than the slot's decode budget of " + budget.capacity()
                    + " (maxDecodeBytes)");
        }
        budget.acquire(cost);
        try {
            return preprocessor.preprocess(payload);
        } finally {
            budget.release(cost);
        }
    }
}
