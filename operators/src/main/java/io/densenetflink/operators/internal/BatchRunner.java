package io.densenetflink.operators.internal;

import io.densenetflink.model.inference.Prediction;
import io.densenetflink.model.inference.ScoredLabel;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import io.densenetflink.operators.LabelScore;
import io.densenetflink.operators.SlotClassifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one batch through the slot's model and completes each frame's outcome.
 *
 * <p>A batch that throws is split in halves and each half retried, recursively, so that a frame the
 * network cannot process fails alone ({@link FailureReason#INFERENCE_ERROR}) and its batch-mates still get
 * results. Running out of memory also halves the slot's batch size limit for the rest of its life.
 */
final class BatchRunner {

    private static final Logger LOG = LoggerFactory.getLogger(BatchRunner.class);

    private final SlotClassifier model;
    private final int imageSize;
    private final int topK;
    private final BatchListener listener;
    private volatile int maxBatchSize;
    private float[] buffer = new float[0];

    BatchRunner(SlotClassifier model, int imageSize, int topK, int maxBatchSize, BatchListener listener) {
        this.model = model;
        this.imageSize = imageSize;
        this.topK = topK;
        this.maxBatchSize = maxBatchSize;
        this.listener = listener;
    }

    /** The slot's current batch size limit (lowered after out-of-memory errors). */
    int maxBatchSize() {
        return maxBatchSize;
    }

    void run(List<PendingFrame> batch) {
        if (batch.size() > maxBatchSize) {
            // The limit dropped since this batch formed: run it in pieces of the new size.
            for (int from = 0; from < batch.size(); from += maxBatchSize) {
                run(batch.subList(from, Math.min(batch.size(), from + maxBatchSize)));
            }
            return;
        }
        long start = System.nanoTime();
        List<Prediction> predictions;
        try {
            predictions = model.classify(pixels(batch), batch.size(), topK);
            if (predictions.size() != batch.size()) {
                throw new IllegalStateException("model returned " + predictions.size() + " predictions for "
                        + batch.size() + " frames");
            }
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            recover(batch, e);
            return;
        }
        long end = System.nanoTime();
        long inferenceMillis = (end - start) / 1_000_000;
        long now = System.currentTimeMillis();
        long[] queued = new long[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            queued[i] = (start - batch.get(i).arrivalNanos()) / 1_000_000;
        }
        // Report the batch before completing its frames: whoever waits for the frames then sees the batch too.
        listener.batchCompleted(batch.size(), inferenceMillis, queued);
        for (int i = 0; i < batch.size(); i++) {
            PendingFrame p = batch.get(i);
            p.outcome().classified(new Classification(p.frame().sourceId(), p.frame().frameId(),
                    labels(predictions.get(i)), model.modelName(), model.modelVersion(), p.frame().eventTime(), now,
                    queued[i], inferenceMillis, p.frame().headers()));
        }
    }

    private void recover(List<PendingFrame> batch, Throwable error) {
        if (batch.size() == 1) {
            PendingFrame p = batch.get(0);
            LOG.warn("inference failed for frame {} alone: {}", p.frame().frameId(), error.toString());
            p.outcome().failed(new FailedFrame(p.frame(), FailureReason.INFERENCE_ERROR, describe(error),
                    System.currentTimeMillis()));
            return;
        }
        if (isOutOfMemory(error)) {
            int halved = Math.max(1, batch.size() / 2);
            if (halved < maxBatchSize) {
                maxBatchSize = halved;
                LOG.warn("out of memory at batch size {}: this slot now batches at most {} frames ({})",
                        batch.size(), halved, error.toString());
                listener.maxBatchSizeChanged(halved);
            }
        } else {
            LOG.warn("inference failed for a batch of {}; splitting it to isolate the cause: {}", batch.size(),
                    error.toString());
        }
        int middle = batch.size() / 2;
        run(new ArrayList<>(batch.subList(0, middle)));
        run(new ArrayList<>(batch.subList(middle, batch.size())));
    }

    private float[] pixels(List<PendingFrame> batch) {
        int needed = batch.size() * imageSize;
        if (buffer.length != needed) {
            buffer = new float[needed];
        }
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).pixels(), 0, buffer, i * imageSize, imageSize);
        }
        return buffer;
    }

    private static List<LabelScore> labels(Prediction prediction) {
        List<LabelScore> out = new ArrayList<>(prediction.topK().size());
        for (ScoredLabel s : prediction.topK()) {
            out.add(new LabelScore(s.index(), s.label(), s.probability()));
        }
        return out;
    }

    /** OutOfMemoryError anywhere in the chain, or a native allocation failure reported by the engine. */
    static boolean isOutOfMemory(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("out of memory") || m.contains("bad_alloc") || m.contains("failed to allocate")) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable error) {
        String m = error.getMessage();
        return error.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }
}
