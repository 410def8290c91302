package io.densenetflink.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.data.FashionMnist;
import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.inference.DenseNetClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real data: one short epoch on 2,000 Fashion-MNIST training images learns well above chance. */
class FashionMnistTrainingTest {

    @Test
    void oneShortEpochOnTwoThousandImagesBeatsChanceAndResumeContinues(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIR), "Fashion-MNIST is not installed in "
                + FashionMnist.DEBIAN_DIR + " (apt-get install dataset-fashion-mnist): skipping");
        LabeledImages train = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TRAIN);
        DenseNetConfig small = DenseNetConfig.presetBuilder("densenet-bc-16-8").inputChannels(1).build();
        Path out = dir.resolve("model");
        TrainingSettings settings = TrainingSettings.builder(small, out).epochs(1).batchSize(25).limit(2000)
                .validationSize(500).seed(1).threads(1).name("fmnist-quick").build();
        TrainingResult first = DenseNetTrainer.train(settings, train, FashionMnist.CLASS_NAMES, System.err);
        EpochStats epoch1 = first.last();
        assertTrue(epoch1.validationAccuracy() > 0.30, "validation accuracy after one epoch: " + epoch1);
        assertTrue(epoch1.validationLoss() < Math.log(10), "validation loss must fall below chance: " + epoch1);

        TrainingResult second = DenseNetTrainer.train(settings.toBuilder().epochs(2).resume(true).build(), train,
                FashionMnist.CLASS_NAMES, System.err);
        assertEquals(2, second.firstEpoch());
        assertEquals(2, second.history().size());
        assertEquals(epoch1, second.history().get(0));
        assertTrue(second.last().trainLoss() < epoch1.trainLoss(), "training loss must fall: " + second.history());

        LabeledImages test = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TEST).first(500);
        try (DenseNetClassifier classifier = DenseNetClassifier.load(out, Device.cpu())) {
            Evaluation e = Evaluator.evaluate(classifier, test, 250, null);
            assertEquals(500, e.total());
            assertTrue(e.accuracy() > 0.30, "test accuracy of the quick model: " + e.accuracy());
        }
    }
}
