package io.densenetflink.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.inference.EngineMode;
import io.densenetflink.model.weights.TorchvisionImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The imported network reproduces torchvision's logits for the shared parity fixtures, in both engine
 * modes, and the compiled graph (with its folded BatchNorms and reordered transitions) matches the op-by-op
 * block for every ImageNet preset.
 */
class ParityTest {

    static final float TOLERANCE = 1e-3f;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(EngineMode.class)
    void tinyFixtureMatchesTorchvision(EngineMode mode) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("fixture"));
        for (String file : new String[] {"tiny.json", "tiny.safetensors", "tiny-input.npy", "tiny-logits.npy"}) {
            Fixtures.resource("parity/" + file, dir);
        }
        assertParity(new ParityFixture(dir, "tiny"), mode);
    }

    @ParameterizedTest
    @EnumSource(EngineMode.class)
    void densenet121FixtureMatchesTorchvision(EngineMode mode) throws Exception {
        Path shared = Fixtures.sharedParityDir();
        Assumptions.assumeTrue(shared != null && Files.exists(shared.resolve("densenet121.safetensors")),
                "../shared/fixtures/parity is not beside this clone: densenet121 parity skipped"
                        + " (set DENSENET_FIXTURES to the fixture folder to run it)");
        assertParity(new ParityFixture(shared, "densenet121"), mode);
    }

    /** Random weights (random BatchNorm statistics too), a non-square 64x96 input, batch 2. */
    @ParameterizedTest
    @CsvSource({"densenet121", "densenet161", "densenet169", "densenet201", "densenet264"})
    void compiledGraphMatchesEagerBlockForEveryPreset(String preset) throws Exception {
        ModelArtifact artifact = RandomWeights.artifact(DenseNetConfig.preset(preset),
                Preprocessing.of(3, 64, 64, 96, new float[] {0, 0, 0}, new float[] {1, 1, 1}), 11, tmp.resolve(preset));
        Shape shape = new Shape(2, 3, 64, 96);
        float[] input = new float[(int) shape.size()];
        Random random = new Random(3);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        float[] eager;
        float[] compiled;
        try (DenseNetClassifier c = DenseNetClassifier.load(artifact, Device.cpu(), EngineMode.EAGER)) {
            eager = c.logits(input, shape);
        }
        try (DenseNetClassifier c = DenseNetClassifier.load(artifact, Device.cpu(), EngineMode.COMPILED)) {
            compiled = c.logits(input, shape);
        }
        assertClose(eager, compiled, preset + " compiled vs eager");
    }

    private void assertParity(ParityFixture fixture, EngineMode mode) throws Exception {
        DenseNetConfig architecture = fixture.architecture();
        ModelArtifact target = ModelArtifact.builder().name(fixture.name()).version("fixture")
                .architecture(architecture).preprocessing(Preprocessing.imagenet()).build();
        Path out = tmp.resolve(fixture.name() + "-model");
        TorchvisionImporter.importWeights(fixture.weights(), target, out);
        try (DenseNetClassifier classifier = DenseNetClassifier.load(out, Device.cpu(), mode);
                NDManager manager = NDManager.newBaseManager(Device.cpu(), "MXNet")) {
            NDArray input = NDList.decode(manager, Files.readAllBytes(fixture.input())).singletonOrThrow();
            NDArray expected = NDList.decode(manager, Files.readAllBytes(fixture.logits())).singletonOrThrow();
            float[] actual = classifier.logits(input.toFloatArray(), input.getShape());
            assertArrayEquals(expected.getShape().getShape(),
                    new long[] {input.getShape().get(0), architecture.numClasses()});
            assertClose(expected.toFloatArray(), actual, fixture.name() + " (" + mode.id() + ")");
        }
    }

    static void assertClose(float[] want, float[] actual, String what) {
        assertEquals(want.length, actual.length, what + ": logit count");
        float maxDiff = 0;
        for (int i = 0; i < want.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(want[i] - actual[i]));
        }
        assertTrue(maxDiff <= TOLERANCE, what + ": max |logit difference| " + maxDiff + " exceeds " + TOLERANCE);
    }
}
