package io.densenetflink.model.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.bench.ProcessMemory;
import io.densenetflink.model.image.Preprocessing;
import java.util.List;
import org.junit.jupiter.api.Test;

class DenseNetClassifierTest {

    private static ModelArtifact micro() {
        return ModelArtifact.builder().name("micro").version("t")
                .architecture(DenseNetConfig.builder().growthRate(2).blocks(1, 1).initFeatures(4).numClasses(4)
                        .inputChannels(1).stem(DenseNetConfig.Stem.CIFAR).build())
                .preprocessing(Preprocessing.of(1, 8, 8, 8, new float[] {0.5f}, new float[] {0.5f}))
                .labels(List.of("w", "x", "y", "z"))
                .build();
    }

    @Test
    void classifiesABatchIntoSortedProbabilities() {
        try (DenseNetClassifier classifier = DenseNetClassifier.withRandomWeights(micro(), Device.cpu(), EngineMode.COMPILED)) {
            float[] pixels = new float[3 * classifier.imageSize()];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (i % 7) / 7f;
            }
            List<Prediction> predictions = classifier.classify(pixels, 3, 3);
            assertEquals(3, predictions.size());
            for (Prediction p : predictions) {
                assertEquals(3, p.topK().size());
                assertEquals(4, p.logits().length);
                assertTrue(p.topK().get(0).probability() >= p.topK().get(1).probability());
                int best = 0;
                for (int c = 1; c < 4; c++) {
                    if (p.logits()[c] > p.logits()[best]) {
                        best = c;
                    }
                }
                assertEquals(best, p.best().index());
                assertEquals(List.of("w", "x", "y", "z").get(best), p.best().label());
            }
            float sum = 0;
            for (float l : predictions.get(0).logits()) {
                sum += (float) Math.exp(l);
            }
            assertEquals(Math.exp(predictions.get(0).logits()[predictions.get(0).best().index()]) / sum,
                    predictions.get(0).best().probability(), 1e-5);
        }
    }

    @Test
    void refusesInputOfTheWrongShape() {
        try (DenseNetClassifier classifier = DenseNetClassifier.withRandomWeights(micro(), Device.cpu(), EngineMode.COMPILED)) {
            assertThrows(IllegalArgumentException.class, () -> classifier.logits(new float[10], new Shape(1, 3, 8, 8)));
            assertThrows(IllegalArgumentException.class, () -> classifier.logits(new float[10], new Shape(1, 1, 8, 8)));
        }
    }

    /** Every batch's native arrays are freed when the call returns: 100,000 batches, resident memory flat. */
    @Test
    void memoryStaysFlatOverAHundredThousandBatches() {
        try (DenseNetClassifier classifier = DenseNetClassifier.withRandomWeights(micro(), Device.cpu(), EngineMode.COMPILED)) {
            float[] pixels = new float[2 * classifier.imageSize()];
            Shape shape = new Shape(2, 1, 8, 8);
            for (int i = 0; i < 2_000; i++) {
                classifier.logits(pixels, shape);
            }
            System.gc();
            long baseline = ProcessMemory.residentMb();
            for (int i = 0; i < 100_000; i++) {
                classifier.logits(pixels, shape);
            }
            System.gc();
            long after = ProcessMemory.residentMb();
            // Leaking a batch's arrays (about 20 native arrays each) would add well over 1 GB here.
            assertTrue(after - baseline < 64, "resident memory grew from " + baseline + " MB to " + after + " MB");
        }
    }

    /**
     * A forward allocates no direct memory per call: DJL's own copy path took a fresh direct buffer for every
     * input, freed only by a garbage collection (a slot's resident memory grew by hundreds of MB between them).
     */
    @Test
    void forwardsDoNotAccumulateDirectMemory() {
        var direct = java.lang.management.ManagementFactory.getPlatformMXBeans(
                java.lang.management.BufferPoolMXBean.class).stream().filter(b -> b.getName().equals("direct"))
                .findFirst().orElseThrow();
        ModelArtifact spec = micro().toBuilder()
                .preprocessing(Preprocessing.of(1, 64, 64, 64, new float[] {0.5f}, new float[] {0.5f})).build();
        try (DenseNetClassifier classifier = DenseNetClassifier.withRandomWeights(spec, Device.cpu(),
                EngineMode.COMPILED)) {
            int batch = 16;
            float[] pixels = new float[batch * classifier.imageSize()];
            Shape shape = new Shape(batch, 1, 64, 64);
            classifier.logits(pixels, shape);
            long before = direct.getMemoryUsed();
            for (int i = 0; i < 40; i++) {
                classifier.logits(pixels, shape);
            }
            long grown = direct.getMemoryUsed() - before;
            long inputBytes = (long) pixels.length * Float.BYTES;
            assertTrue(grown < inputBytes, "direct memory grew by " + grown + " bytes over 40 forwards of "
                    + inputBytes + "-byte inputs");
        }
    }
}
