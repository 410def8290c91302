package io.densenetflink.operators;

import ai.djl.Device;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.inference.Prediction;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps the real DenseNet classifier to inject the failures the operator must survive: a forward that
 * throws whenever one particular input (an all-white image) is in the batch, an out-of-memory error above a
 * batch size, or a slow forward. Also counts the models opened and the batches each ran.
 */
public final class FaultyClassifierFactory implements SlotClassifierFactory {

    private static final long serialVersionUID = 1L;

    /** Batches run per opened model instance, by instance number (static: shared with MiniCluster tasks). */
    public static final Map<Integer, AtomicInteger> BATCHES_BY_MODEL = new ConcurrentHashMap<>();
    private static final AtomicInteger OPENED = new AtomicInteger();

    private final DenseNetClassifierFactory real;
    private final boolean failOnWhite;
    private final int oomAbove;
    private final long sleepMillisPerBatch;

    public FaultyClassifierFactory(String modelDir, boolean failOnWhite, int oomAbove, long sleepMillisPerBatch) {
        this.real = new DenseNetClassifierFactory(modelDir, io.densenetflink.model.inference.EngineMode.COMPILED);
        this.failOnWhite = failOnWhite;
        this.oomAbove = oomAbove;
        this.sleepMillisPerBatch = sleepMillisPerBatch;
    }

    public static void reset() {
        BATCHES_BY_MODEL.clear();
        OPENED.set(0);
    }

    @Override
    public SlotClassifier open(Device device) throws Exception {
        SlotClassifier inner = real.open(device);
        int instance = OPENED.incrementAndGet();
        AtomicInteger batches = BATCHES_BY_MODEL.computeIfAbsent(instance, i -> new AtomicInteger());
        return new SlotClassifier() {
            @Override
            public String modelName() {
                return inner.modelName();
            }

            @Override
            public String modelVersion() {
                return inner.modelVersion();
            }

            @Override
            public Preprocessing preprocessing() {
                return inner.preprocessing();
            }

            @Override
            public List<Prediction> classify(float[] pixels, int count, int topK) throws Exception {
                if (sleepMillisPerBatch > 0) {
                    Thread.sleep(sleepMillisPerBatch);
                }
                if (oomAbove > 0 && count > oomAbove) {
                    throw new OutOfMemoryError("injected: batch of " + count + " does not fit");
                }
                if (failOnWhite && containsWhiteImage(pixels, count)) {
                    throw new IllegalStateException("injected: the network cannot process an all-white image");
                }
                batches.incrementAndGet();
                return inner.classify(pixels, count, topK);
            }

            private boolean containsWhiteImage(float[] pixels, int count) {
                Preprocessing p = inner.preprocessing();
                int size = p.outputSize();
                float white = (1f - p.mean()[0]) / p.std()[0];
                for (int i = 0; i < count; i++) {
                    boolean all = true;
                    for (int j = 0; j < size && all; j++) {
                        all = Math.abs(pixels[i * size + j] - white) < 1e-4f;
                    }
                    if (all) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    @Override
    public String describe() {
        return "faulty(" + real.describe() + ")";
    }
}
