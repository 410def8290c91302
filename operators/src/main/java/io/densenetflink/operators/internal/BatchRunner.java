package io.densenetflink.operators.internal;

import io.densenetflink.model.inference.Prediction;
import io.densenetflink.model.inference.ScoredLabel;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import io.densenetflink.operators.LabelScore;
import io.densenetflink.operators.SlotClassifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs batches through the slot's model and answers their frames, telling a frame's failure from the slot's.
 *
 * <p>A batch that throws is not the frames' fault until the model has shown it works: it is first asked to
 * classify a known-good input (the last frame it classified; the mean image before the first). If that
 * fails too, the batch goes back to the queue, and when that happens {@code systemicFailureThreshold}
 * batches in a row the slot fails (and with it the task, which Flink restarts and replays from its
 * checkpoint): a broken model, a lost device or a crashed native library never turns frames into dead
 * letters. If the probe succeeds the batch is split in halves, depth first, within {@code bisectionBudget}
 * forwards: a frame that fails alone while the model works (it worked after that failure: a later group or a
 * final probe succeeded) is a dead letter ({@link FailureReason#INFERENCE_ERROR}); frames that failed after the
 * model's last success are suspected like a failed batch when the final probe fails; frames the budget did not
 * reach go back to the queue.
 *
 * <p>Out of memory is never a frame's fault either: it halves the slot's batch size limit and runs the batch
 * again in smaller pieces; {@code batchSizeRecoveryBatches} successful batches in a row at the limit raise
 * it by one, up to the configured size (additive increase, multiplicative decrease). A single frame out of
 * memory counts like a batch that failed its probe. Errors other than exceptions, out of memory and stack
 * overflow (a JNA {@code Error}, a linkage error) are not caught here: they end the inference thread, which
 * fails the slot.
 *
 * <p>Used from the slot's inference thread only.
 */
final class BatchRunner {

    private static final Logger LOG = LoggerFactory.getLogger(BatchRunner.class);

    /** Pause before frames that failed for the slot's reasons run again: time for a transient condition to pass. */
    static final long RETRY_PAUSE_MILLIS = 250;

    /** What the runner needs from its slot. */
    interface Slot {
        /** The slot is closing or has failed: abandon the work, answer nothing. */
        boolean stopped();

        void classified(PendingFrame frame, Classification result);

        void failed(PendingFrame frame, FailedFrame failure);

        /** Puts frames back at the head of the queue: they run again before newer frames. */
        void retry(List<PendingFrame> frames);

        /** Fails the slot, and with it the task. */
        void fail(SlotFailedException failure);

        ForwardWatch forwards();
    }

    private final SlotClassifier model;
    private final int imageSize;
    private final int topK;
    private final int configuredMaxBatchSize;
    private final FailurePolicy policy;
    private final BatchListener listener;
    private final Slot slot;
    private final float[] knownGood;
    private volatile int maxBatchSize;
    private int successesAtLimit;
    private int failedProbesInARow;
    private float[] buffer = new float[0];

    BatchRunner(SlotClassifier model, int imageSize, int topK, int maxBatchSize, FailurePolicy policy,
            BatchListener listener, Slot slot) {
        this.model = model;
        this.imageSize = imageSize;
        this.topK = topK;
        this.configuredMaxBatchSize = maxBatchSize;
        this.maxBatchSize = maxBatchSize;
        this.policy = policy;
        this.listener = listener;
        this.slot = slot;
        this.knownGood = new float[imageSize];
    }

    /** The slot's current batch size limit (lowered by out-of-memory errors, raised again by runs of successes). */
    int maxBatchSize() {
        return maxBatchSize;
    }

    void run(List<PendingFrame> frames) {
        List<PendingFrame> batch = unanswered(frames);
        if (batch.isEmpty()) {
            return;
        }
        if (batch.size() > maxBatchSize) {
            // The limit dropped since this batch formed: run it in pieces of the current limit.
            for (int from = 0; from < batch.size() && !slot.stopped(); ) {
                int to = Math.min(batch.size(), from + maxBatchSize);
                run(new ArrayList<>(batch.subList(from, to)));
                from = to;
            }
            return;
        }
        Throwable error = forward(batch);
        if (error == null || slot.stopped()) {
            return;
        }
        if (isOutOfMemory(error)) {
            outOfMemory(batch, error);
        } else {
            isolate(batch, error);
        }
    }

    /** Runs one batch and answers its frames; returns what it threw instead, without answering any. */
    private Throwable forward(List<PendingFrame> batch) {
        long start = System.nanoTime();
        List<Prediction> predictions;
        slot.forwards().started(batch.size());
        try {
            predictions = model.classify(pixels(batch), batch.size(), topK);
            if (predictions.size() != batch.size()) {
                throw new IllegalStateException("model returned " + predictions.size() + " predictions for "
                        + batch.size() + " frames");
            }
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            return e;
        } finally {
            slot.forwards().ended();
        }
        long inferenceMillis = (System.nanoTime() - start) / 1_000_000;
        failedProbesInARow = 0;
        System.arraycopy(batch.get(0).pixels(), 0, knownGood, 0, imageSize);
        countSuccess(batch.size());
        long now = System.currentTimeMillis();
        long[] queued = new long[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            queued[i] = (start - batch.get(i).arrivalNanos()) / 1_000_000;
        }
        // Report the batch before answering its frames: whoever waits for the frames then sees the batch too.
        listener.batchCompleted(batch.size(), inferenceMillis, queued);
        for (int i = 0; i < batch.size(); i++) {
            PendingFrame p = batch.get(i);
            slot.classified(p, new Classification(p.frame().key(), p.frame().frameId(),
                    labels(predictions.get(i)), model.modelName(), model.modelVersion(), p.frame().eventTime(), now,
                    queued[i], inferenceMillis, p.frame().headers()));
        }
        return null;
    }

    /** Additive increase: a run of successful batches at the limit raises it by one. */
    private void countSuccess(int size) {
        if (maxBatchSize >= configuredMaxBatchSize || size < maxBatchSize) {
            return;
        }
        if (++successesAtLimit >= policy.batchSizeRecoveryBatches()) {
            successesAtLimit = 0;
            maxBatchSize++;
            LOG.info("{} batches in a row succeeded at the batch size limit: it grows to {} (configured {})",
                    policy.batchSizeRecoveryBatches(), maxBatchSize, configuredMaxBatchSize);
            listener.maxBatchSizeChanged(maxBatchSize);
        }
    }

    /** Multiplicative decrease: the limit becomes half the batch that did not fit. */
    private void lowerLimit(int failedSize, Throwable error) {
        int halved = Math.max(1, failedSize / 2);
        if (halved < maxBatchSize) {
            maxBatchSize = halved;
            successesAtLimit = 0;
            LOG.warn("out of memory at batch size {}: this slot now batches at most {} frames until runs of"
                    + " successes raise it again ({})", failedSize, halved, error.toString());
            listener.maxBatchSizeChanged(halved);
        }
    }

    private void outOfMemory(List<PendingFrame> batch, Throwable error) {
        if (batch.size() == 1) {
            slotSuspected(batch, error, "the model ran out of memory with a single frame");
            return;
        }
        lowerLimit(batch.size(), error);
        run(batch);
    }

    private void isolate(List<PendingFrame> batch, Throwable error) {
        if (!probe()) {
            slotSuspected(batch, error, "every frame of the batch failed and so did a known-good input");
            return;
        }
        LOG.warn("inference failed for a batch of {} while the model works; splitting it to isolate the cause: {}",
                batch.size(), error.toString());
        // A frame that fails alone is the frame's fault only if the model worked after that failure: a later group
        // that succeeded, or a probe. Failures after the last success are judged again by a probe at the end (the
        // device may be lost mid-bisection).
        Map<PendingFrame, Throwable> failedAlone = new LinkedHashMap<>();
        List<PendingFrame> failedSinceLastSuccess = new ArrayList<>();
        List<PendingFrame> notReached = new ArrayList<>();
        Deque<List<PendingFrame>> todo = new ArrayDeque<>();
        split(batch, error, todo, failedAlone, failedSinceLastSuccess);
        failedSinceLastSuccess.clear(); // the batch failed before the probe that just succeeded
        int spent = 0;
        while (!todo.isEmpty()) {
            List<PendingFrame> group = unanswered(todo.pop());
            if (group.isEmpty()) {
                continue;
            }
            if (spent >= policy.bisectionBudget()) {
                notReached.addAll(group);
                continue;
            }
            spent++;
            Throwable e = forward(group);
            if (e == null) {
                failedSinceLastSuccess.clear();
            } else if (slot.stopped()) {
                return;
            } else if (isOutOfMemory(e)) {
                lowerLimit(group.size(), e);
                notReached.addAll(group); // memory, not these frames: they run again later
            } else {
                split(group, e, todo, failedAlone, failedSinceLastSuccess);
            }
        }
        if (!failedSinceLastSuccess.isEmpty() && !probe()) {
            // The model broke while the batch was being split: what failed since it last worked is not the frames'
            // fault. What failed alone before a later success is.
            List<PendingFrame> suspected = new ArrayList<>(failedSinceLastSuccess);
            suspected.addAll(notReached);
            failedSinceLastSuccess.forEach(failedAlone::remove);
            failedAlone.forEach(this::deadLetter);
            slotSuspected(suspected, error, "the model stopped working while a failed batch was split");
            return;
        }
        failedAlone.forEach(this::deadLetter);
        if (!notReached.isEmpty()) {
            LOG.warn("the bisection budget of {} forwards is spent on a batch of {}: {} frame(s) go back to the"
                    + " queue", policy.bisectionBudget(), batch.size(), notReached.size());
            slot.retry(notReached);
        }
    }

    /**
     * Queues the halves of a failed group (first half on top), or records a single frame as failed alone (and as
     * failed since the model last worked).
     */
    private static void split(List<PendingFrame> group, Throwable error, Deque<List<PendingFrame>> todo,
            Map<PendingFrame, Throwable> failedAlone, List<PendingFrame> failedSinceLastSuccess) {
        if (group.size() == 1) {
            failedAlone.put(group.get(0), error);
            failedSinceLastSuccess.add(group.get(0));
            return;
        }
        int middle = group.size() / 2;
        todo.push(new ArrayList<>(group.subList(middle, group.size())));
        todo.push(new ArrayList<>(group.subList(0, middle)));
    }

    /** Whether the model classifies a known-good input: the last frame it classified, else the mean image. */
    private boolean probe() {
        slot.forwards().started(1);
        try {
            model.classify(knownGood, 1, 1);
            failedProbesInARow = 0;
            return true;
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            LOG.warn("the model also failed on a known-good input: {}", e.toString());
            return false;
        } finally {
            slot.forwards().ended();
        }
    }

    /** Frames that failed for a reason that is probably the slot's: retried, and past the threshold the slot fails. */
    private void slotSuspected(List<PendingFrame> frames, Throwable error, String what) {
        failedProbesInARow++;
        int threshold = policy.systemicFailureThreshold();
        if (failedProbesInARow >= threshold) {
            slot.fail(new SlotFailedException(String.format(Locale.ROOT, "%s, %d time(s) in a row: the model, its"
                    + " device or the native library is broken, not the frames; failing the task so that Flink"
                    + " restarts it and replays its frames from the last checkpoint (last error: %s)", what,
                    failedProbesInARow, error), error));
            return;
        }
        LOG.warn("{} ({} of {} in a row before the task fails); the {} frame(s) run again in {} ms: {}", what,
                failedProbesInARow, threshold, frames.size(), RETRY_PAUSE_MILLIS, error.toString());
        try {
            Thread.sleep(RETRY_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing: the frames are dropped, Flink replays them
            return;
        }
        slot.retry(frames);
    }

    private void deadLetter(PendingFrame p, Throwable error) {
        LOG.warn("inference failed for frame {} alone while the model works: {}", p.frame().frameId(), error.toString());
        slot.failed(p, new FailedFrame(p.frame(), FailureReason.INFERENCE_ERROR, describe(error),
                System.currentTimeMillis()));
    }

    private static List<PendingFrame> unanswered(List<PendingFrame> frames) {
        List<PendingFrame> out = new ArrayList<>(frames.size());
        for (PendingFrame p : frames) {
            if (!p.isAnswered()) {
                out.add(p);
            }
        }
        return out;
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
