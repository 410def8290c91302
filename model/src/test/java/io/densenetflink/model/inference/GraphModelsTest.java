package io.densenetflink.model.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.RandomWeights;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.image.Preprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export to MXNet's graph files, then import them as a foreign (Gluon-style) classifier. */
class GraphModelsTest {

    /** The input of the tiny graph below: 1 x 16 x 16. */
    private static final Preprocessing TINY_INPUT = Preprocessing.of(1, 16, 16, 16, new float[] {0.5f}, new float[] {0.5f});

    @TempDir
    Path tmp;

    @Test
    void exportedGraphImportsAndPredictsLikeTheOriginal() throws Exception {
        Preprocessing pre = Preprocessing.of(3, 40, 40, 40, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.2f, 0.2f, 0.2f});
        ModelArtifact original = RandomWeights.artifact(DenseNetConfig.builder().growthRate(8).blocks(2, 3, 2)
                .initFeatures(16).numClasses(7).build(), pre, 5, tmp.resolve("densenet"));
        GraphModels.export(original, tmp.resolve("export"), "mynet");
        assertTrue(Files.exists(tmp.resolve("export/mynet-symbol.json")));
        assertTrue(Files.exists(tmp.resolve("export/mynet-0000.params")));

        ModelArtifact imported = GraphModels.importGraph(tmp.resolve("export/mynet-symbol.json"),
                tmp.resolve("export/mynet-0000.params"), "gluon-net", "1", pre, null, tmp.resolve("imported"));
        assertEquals(7, imported.numClasses());
        assertTrue(ModelArtifact.read(tmp.resolve("imported")).isGraph());

        Shape shape = new Shape(3, 3, 40, 40);
        float[] input = new float[(int) shape.size()];
        Random random = new Random(9);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        float[] want;
        try (DenseNetClassifier c = DenseNetClassifier.load(original, Device.cpu(), EngineMode.EAGER)) {
            want = c.logits(input, shape);
        }
        try (DenseNetClassifier c = DenseNetClassifier.load(tmp.resolve("imported"), Device.cpu())) {
            float[] got = c.logits(input, shape);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-3, "logit " + i);
            }
            assertEquals(3, c.classify(input, 3, 2).size());
        }
        ModelLoadException eager = assertThrows(ModelLoadException.class,
                () -> DenseNetClassifier.load(tmp.resolve("imported"), Device.cpu(), EngineMode.EAGER));
        assertTrue(eager.getMessage().contains("compiled only"), eager.getMessage());
    }

    /** A tiny random DenseNet of 3 classes exported as tmp/e/n-symbol.json and tmp/e/n-0000.params. */
    private void exportTinyGraph() throws Exception {
        ModelArtifact original = RandomWeights.artifact(DenseNetConfig.builder().growthRate(4).blocks(1, 1)
                .initFeatures(4).numClasses(3).inputChannels(1).stem(DenseNetConfig.Stem.CIFAR).build(), TINY_INPUT, 2,
                tmp.resolve("d"));
        GraphModels.export(original, tmp.resolve("e"), "n");
    }

    /** A graph whose model.json lists fewer labels than it has outputs (edited by hand) never loads. */
    @Test
    void aGraphWithOtherThanOneLabelPerOutputIsRefusedAtLoad() throws Exception {
        exportTinyGraph();
        Path dir = tmp.resolve("imported");
        GraphModels.importGraph(tmp.resolve("e/n-symbol.json"), tmp.resolve("e/n-0000.params"), "x", "1", TINY_INPUT, null, dir);
        // Edited by hand, as a model.json written before content digests were recorded (a digest would refuse it first).
        String json = Files.readString(dir.resolve("model.json")).replaceAll("\"content_digest\": \"[^\"]*\",\\s*", "");
        for (String labels : List.of("[\"a\", \"b\"]", "[\"a\", \"b\", \"c\", \"d\"]")) {
            Files.writeString(dir.resolve("model.json"), json.replaceAll("(?s)\"labels\": \\[[^\\]]*\\]", "\"labels\": " + labels));
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> DenseNetClassifier.load(dir, Device.cpu()),
                    "labels " + labels);
            assertTrue(e.getMessage().contains("gives 3 class scores per image but model.json lists "
                    + labels.split(",").length + " labels"), e.getMessage());
        }
        Files.writeString(dir.resolve("model.json"), json);
        try (DenseNetClassifier c = DenseNetClassifier.load(dir, Device.cpu())) {
            assertEquals(3, c.classify(new float[2 * 16 * 16], 2, 3).get(1).topK().size());
        }
    }

    @Test
    void importRefusesMismatchedLabelsAndMissingFiles() throws Exception {
        exportTinyGraph();
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> GraphModels.importGraph(tmp.resolve("e/n-symbol.json"), tmp.resolve("e/n-0000.params"), "x", "1",
                        TINY_INPUT, List.of("a", "b"), tmp.resolve("i")));
        assertTrue(labels.getMessage().contains("2 labels for a graph with 3 outputs"), labels.getMessage());
        assertThrows(ModelLoadException.class, () -> GraphModels.importGraph(tmp.resolve("e/none.json"),
                tmp.resolve("e/n-0000.params"), "x", "1", TINY_INPUT, null, tmp.resolve("j")));
    }
}
