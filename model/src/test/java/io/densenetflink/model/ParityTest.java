package io.densenetflink.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.weights.TorchvisionImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The imported network reproduces torchvision's logits for the shared parity fixtures. */
class ParityTest {

    static final float TOLERANCE = 1e-3f;

    @TempDir
    Path tmp;

    @Test
    void tinyFixtureMatchesTorchvision() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("fixture"));
        for (String file : new String[] {"tiny.json", "tiny.safetensors", "tiny-input.npy", "tiny-logits.npy"}) {
            Fixtures.resource("parity/" + file, dir);
        }
        assertParity(new ParityFixture(dir, "tiny"));
    }

    @Test
    void densenet121FixtureMatchesTorchvision() throws Exception {
        Path shared = Fixtures.sharedParityDir();
        Assumptions.assumeTrue(shared != null && Files.exists(shared.resolve("densenet121.safetensors")),
                "../shared/fixtures/parity is not beside this clone: densenet121 parity skipped"
                        + " (set DENSENET_FIXTURES to the fixture folder to run it)");
        assertParity(new ParityFixture(shared, "densenet121"));
    }

    private void assertParity(ParityFixture fixture) throws Exception {
        DenseNetConfig architecture = fixture.architecture();
        ModelArtifact target = ModelArtifact.builder().name(fixture.name()).version("fixture")
                .architecture(architecture).preprocessing(Preprocessing.imagenet()).build();
        Path out = tmp.resolve(fixture.name() + "-model");
        TorchvisionImporter.importWeights(fixture.weights(), target, out);
        try (DenseNetClassifier classifier = DenseNetClassifier.load(out, Device.cpu());
                NDManager manager = NDManager.newBaseManager(Device.cpu(), "MXNet")) {
            NDArray input = NDList.decode(manager, Files.readAllBytes(fixture.input())).singletonOrThrow();
            NDArray expected = NDList.decode(manager, Files.readAllBytes(fixture.logits())).singletonOrThrow();
            float[] actual = classifier.logits(input.toFloatArray(), input.getShape());
            float[] want = expected.toFloatArray();
            assertEquals(want.length, actual.length, "logit count");
            float maxDiff = 0;
            for (int i = 0; i < want.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(want[i] - actual[i]));
            }
            assertTrue(maxDiff <= TOLERANCE, fixture.name() + ": max |logit difference| " + maxDiff
                    + " exceeds " + TOLERANCE);
            assertArrayEquals(expected.getShape().getShape(),
                    new long[] {input.getShape().get(0), architecture.numClasses()});
        }
    }
}
