package io.densenetflink.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @TempDir
    Path dir;

    private static boolean debianPackagePresent() {
        return Files.isDirectory(FashionMnist.DEBIAN_DIR);
    }

    @Test
    void loadsATestSplitWrittenAsSample() throws IOException {
        LabeledImages data = IdxReaderTest.random(30, 28, 28, 5);
        FashionMnist.writeSample(data, 12, dir, FashionMnist.Split.TEST);
        assertTrue(Files.isRegularFile(dir.resolve("t10k-images-idx3-ubyte.gz")));
        assertTrue(Files.isRegularFile(dir.resolve("t10k-labels-idx1-ubyte.gz")));
        LabeledImages back = FashionMnist.load(dir, FashionMnist.Split.TEST);
        assertEquals(12, back.count());
        for (int i = 0; i < 12; i++) {
            assertEquals(data.label(i), back.label(i));
        }
    }

    @Test
    void readsUncompressedFilesToo() throws IOException {
        LabeledImages data = IdxReaderTest.random(4, 28, 28, 6);
        IdxWriter.writeImages(dir.resolve("train-images-idx3-ubyte"), data, false);
        IdxWriter.writeLabels(dir.resolve("train-labels-idx1-ubyte"), data, false);
        assertEquals(4, FashionMnist.load(dir, FashionMnist.Split.TRAIN).count());
    }

    @Test
    void missingDirectoryOrFileIsNamed() throws IOException {
        Path absent = dir.resolve("absent");
        DatasetException e = assertThrows(DatasetException.class,
                () -> FashionMnist.load(absent, FashionMnist.Split.TRAIN));
        assertTrue(e.getMessage().contains("data directory not found: " + absent), e.getMessage());

        IdxWriter.writeImages(dir.resolve("t10k-images-idx3-ubyte.gz"), IdxReaderTest.random(2, 28, 28, 7), true);
        DatasetException f = assertThrows(DatasetException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(f.getMessage().contains("t10k-labels-idx1-ubyte.gz"), f.getMessage());
    }

    @Test
    void refusesOtherImageSizesAndLabelsOutOfRange() throws IOException {
        LabeledImages small = IdxReaderTest.random(3, 20, 20, 8);
        FashionMnist.writeSample(small, 3, dir, FashionMnist.Split.TEST);
        DatasetException e = assertThrows(DatasetException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(e.getMessage().contains("20x20"), e.getMessage());

        byte[] labels = {1, 2, 12};
        LabeledImages bad = new LabeledImages(new byte[3 * 784], labels, 28, 28);
        FashionMnist.writeSample(bad, 3, dir, FashionMnist.Split.TEST);
        DatasetException l = assertThrows(DatasetException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(l.getMessage().contains("label 12 of image 2"), l.getMessage());
    }

    @Test
    void unsupportedDatasetNameIsRefused() {
        FashionMnist.requireSupported("Fashion-MNIST");
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.requireSupported("cifar10"));
    }

    @Test
    void debianPackageHoldsSixtyAndTenThousandImages() {
        assumeTrue(debianPackagePresent(), "Fashion-MNIST is not installed in " + FashionMnist.DEBIAN_DIR
                + " (apt-get install dataset-fashion-mnist): skipping");
        LabeledImages train = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TRAIN);
        LabeledImages test = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TEST);
        assertEquals(60_000, train.count());
        assertEquals(10_000, test.count());
        for (int c : train.classCounts(10)) {
            assertEquals(6_000, c);
        }
        for (int c : test.classCounts(10)) {
            assertEquals(1_000, c);
        }
        double[] stats = train.pixelMeanStd();
        assertEquals(FashionMnist.TRAIN_MEAN, stats[0], 5e-4);
        assertEquals(FashionMnist.TRAIN_STD, stats[1], 5e-4);
    }
}
