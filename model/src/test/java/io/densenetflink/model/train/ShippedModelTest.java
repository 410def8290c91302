package io.densenetflink.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import io.densenetflink.model.data.FashionMnist;
import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.inference.DenseNetClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed model meets its targets: >= 93.5% on the full test set, >= 92.5% on the committed sample. */
class ShippedModelTest {

    /** The repository root seen from the model module (Maven runs tests in the module directory). */
    static final Path ROOT = Files.isDirectory(Path.of("models")) ? Path.of(".") : Path.of("..");
    static final Path MODEL = ROOT.resolve("models/fashion-mnist-densenet");
    static final Path SAMPLE = ROOT.resolve("models/fashion-mnist-sample");

    private static void requireModel() {
        assertTrue(Files.isRegularFile(MODEL.resolve("model.json")), "no shipped model in "
                + MODEL.toAbsolutePath().normalize());
    }

    @Test
    void fullTestSetAccuracyIsAtLeast93point5Percent() throws Exception {
        requireModel();
        assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIR), "Fashion-MNIST is not installed in "
                + FashionMnist.DEBIAN_DIR + " (apt-get install dataset-fashion-mnist): skipping");
        LabeledImages test = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TEST);
        assertEquals(10_000, test.count());
        try (DenseNetClassifier classifier = DenseNetClassifier.load(MODEL, Device.cpu())) {
            Evaluation e = Evaluator.evaluate(classifier, test, 500, null);
            assertTrue(e.accuracy() >= 0.935, "full test set accuracy " + e.accuracy() + "\n" + e.format());
        }
    }

    @Test
    void committedSampleAccuracyIsAtLeast92point5Percent() throws Exception {
        requireModel();
        assertTrue(Files.isDirectory(SAMPLE), "no committed sample in " + SAMPLE.toAbsolutePath().normalize());
        LabeledImages sample = FashionMnist.load(SAMPLE, FashionMnist.Split.TEST);
        assertEquals(1_000, sample.count());
        try (DenseNetClassifier classifier = DenseNetClassifier.load(MODEL, Device.cpu())) {
            Evaluation e = Evaluator.evaluate(classifier, sample, 500, null);
            assertTrue(e.accuracy() >= 0.925, "sample accuracy " + e.accuracy() + "\n" + e.format());
        }
    }

    @Test
    void committedSampleIsTheFirstThousandTestImages() {
        assumeTrue(Files.isDirectory(SAMPLE), "no committed sample in " + SAMPLE + ": skipping");
        assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIR), "Fashion-MNIST is not installed: skipping");
        LabeledImages sample = FashionMnist.load(SAMPLE, FashionMnist.Split.TEST);
        LabeledImages first = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TEST).first(1_000);
        assertTrue(java.util.Arrays.equals(first.pixels(), sample.pixels()));
        assertTrue(java.util.Arrays.equals(first.labels(), sample.labels()));
    }
}
