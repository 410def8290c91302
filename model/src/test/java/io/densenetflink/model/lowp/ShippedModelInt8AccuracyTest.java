package io.densenetflink.model.lowp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.artifact.Precision;
import io.densenetflink.model.data.FashionMnist;
import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.train.Evaluation;
import io.densenetflink.model.train.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Fashion-MNIST model quantized to int8 with the default settings, calibrated on TRAINING images
 * (the first 500; the test set is what it is judged on), stays within 0.3 points of the fp32 model on the full
 * 10,000-image test set, both measured here.
 */
class ShippedModelInt8AccuracyTest {

    static final Path ROOT = Files.isDirectory(Path.of("models")) ? Path.of(".") : Path.of("..");
    static final Path MODEL = ROOT.resolve("models/fashion-mnist-densenet");

    @TempDir
    Path tmp;

    @Test
    void int8IsWithinThreeTenthsOfAPointOfFp32OnTheFullTestSet() throws Exception {
        assertTrue(Files.isRegularFile(MODEL.resolve("model.json")), "no shipped model in " + MODEL);
        assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIR), "Fashion-MNIST is not installed in "
                + FashionMnist.DEBIAN_DIR + " (apt-get install dataset-fashion-mnist): skipping");
        ModelArtifact fp32 = ModelArtifact.read(MODEL);
        LabeledImages train = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TRAIN).first(500);
        CalibrationSet calibration = CalibrationSet.labeledImages(train, 1, fp32.preprocessing(),
                "fashion-mnist train", FashionMnist.DEBIAN_DIR);
        ModelArtifact int8 = PrecisionConverter.convert(fp32,
                PrecisionConverter.Request.int8(calibration, Int8Quantizer.Settings.defaults()), tmp.resolve("int8"));
        assertEquals(Precision.INT8, int8.precision());

        LabeledImages test = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TEST);
        assertEquals(10_000, test.count());
        double fp32Accuracy = accuracy(fp32, test);
        double int8Accuracy = accuracy(int8, test);
        assertTrue(int8Accuracy >= fp32Accuracy - 0.003, "int8 " + int8Accuracy + " vs fp32 " + fp32Accuracy);
    }

    private static double accuracy(ModelArtifact model, LabeledImages test) throws Exception {
        try (DenseNetClassifier classifier = DenseNetClassifier.load(model, Device.cpu())) {
            Evaluation e = Evaluator.evaluate(classifier, test, 250, null);
            return e.accuracy();
        }
    }
}
