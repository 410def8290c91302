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
 * Runs batches through the slot's model and answers their frames, telling a frame's failure from the slot's.
 *
 * <p>A batch that throws is not the frames' fault until the model has shown it works: it is first asked to
 * classify a known-good input (the last frame it classified; the mean image before the first). If that
 * fails too, the batch goes back to the queue, and when that happens {@code systemicFailureThreshold}
 * batches in a row the slot fails (and with it the task, which Flink restarts and replays from its
 * checkpoint): a broken model, a lost device or a crashed native library never turns frames into dead
 * letters. If the probe succeeds a {@link Bisection} within {@code bisectionBudget} forwards finds the frames at
 * fault: those are dead letters ({@link FailureReason#INFERENCE_ERROR}); frames it suspects are the slot's are
 * treated like a failed batch; frames the budget did not reach go back to the queue.
 *
 * <p>Out of memory is never a frame's fault either: it lowers the slot's {@link BatchSizeLimit} and runs the
 * batch again in smaller pieces. A single frame out of
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
    private final BatchSizeLimit limit;
    private final FailurePolicy policy;
    private final BatchListener listener;
    private final Slot slot;
    private final float[] knownGood;
    private int failedProbesInARow;
    private float[] buffer = new float[0];

    BatchRunner(SlotClassifier model, int imageSize, int topK, int maxBatchSize, FailurePolicy policy,
            BatchListener listener, Slot slot) {
        this.model = model;
        this.imageSize = imageSize;
        this.topK = topK;
        this.limit = new BatchSizeLimit(maxBatchSize, policy.batchSizeRecoveryBatches(), listener);
        this.policy = policy;
        this.listener = listener;
        this.slot = slot;
        this.knownGood = new float[imageSize];
    }

    /** The slot's current batch size limit (lowered by out-of-memory errors, raised again by runs of successes). */
    int maxBatchSize() {
        return limit.get();
    }

    void run(List<PendingFrame> frames) {
        List<PendingFrame> batch = unanswered(frames);
        if (batch.isEmpty()) {
            return;
        }
        if (batch.size() > limit.get()) {
            // The limit dropped since this batch formed: run it in pieces of the current limit.
            for (int from = 0; from < batch.size() && !slot.stopped(); ) {
                int to = Math.min(batch.size(), from + limit.get());
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
        limit.succeeded(batch.size());
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

    private void outOfMemory(List<PendingFrame> batch, Throwable error) {
        if (batch.size() == 1) {
            slotSuspected(batch, error, "the model ran out of memory with a single frame");
            return;
        }
        limit.outOfMemory(batch.size(), error);
        run(batch);
    }

    private void isolate(List<PendingFrame> batch, Throwable error) {
        if (!probe()) {
            slotSuspected(batch, error, "every frame of the batch failed and so did a known-good input");
            return;
        }
        LOG.warn("inference failed for a batch of {} while the model works; splitting it to isolate the cause: {}",
                batch.size(), error.toString());
        Bisection.Verdict verdict = new Bisection(policy.bisectionBudget(), new Bisection.Forwards() {
            @Override
            public Throwable forward(List<PendingFrame> group) {
                return BatchRunner.this.forward(group);
            }

            @Override
            public boolean probe() {
                return BatchRunner.this.probe();
            }
        }, limit, slot::stopped).run(batch, error);
        if (verdict.stopped()) {
            return;
        }
        verdict.deadLetters().forEach(this::deadLetter);
        if (!verdict.suspected().isEmpty()) {
            slotSuspected(verdict.suspected(), error, "the model stopped working while a failed batch was split");
        } else if (!verdict.notReached().isEmpty()) {
            LOG.warn("the bisection budget of {} forwards is spent on a batch of {}: {} frame(s) go back to the"
                    + " queue", policy.bisectionBudget(), batch.size(), verdict.notReached().size());
            slot.retry(verdict.notReached());
        }
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

    static List<PendingFrame> unanswered(List<PendingFrame> frames) {
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
