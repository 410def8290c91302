package io.densenetflink.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.data.FashionMnist;
import io.densenetflink.model.data.IdxWriter;
import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.train.EvaluationReport;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train}, {@code eval} and {@code sample} through the CLI entry point, on a small synthetic data set in
 * Fashion-MNIST's file layout (so the test runs without the Debian package).
 */
class TrainEvalCommandsTest {

    @TempDir
    static Path dir;

    private static Path data;



    /** 28x28 images whose class is their overall brightness, plus noise. */
    private static LabeledImages synthetic(int count, long seed) {
        Random rng = new Random(seed);
        byte[] pixels = new byte[count * 784];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            int c = i % 10;
            labels[i] = (byte) c;
            for (int p = 0; p < 784; p++) {
                pixels[i * 784 + p] = (byte) Math.min(255, 20 * c + rng.nextInt(40));
            }
        }
        return new LabeledImages(pixels, labels, 28, 28);
    }

    @BeforeAll
    static void writeData() throws Exception {
        data = dir.resolve("data");
        LabeledImages train = synthetic(240, 1);
        LabeledImages test = synthetic(60, 2);
        IdxWriter.writeImages(data.resolve("train-images-idx3-ubyte.gz"), train, true);
        IdxWriter.writeLabels(data.resolve("train-labels-idx1-ubyte.gz"), train, true);
        IdxWriter.writeImages(data.resolve("t10k-images-idx3-ubyte"), test, false);
        IdxWriter.writeLabels(data.resolve("t10k-labels-idx1-ubyte"), test, false);
    }

    private static String[] trainArgs(Path out, int epochs, String... extra) {
        String[] base = {"train", "--dataset", "fashion-mnist", "--data-dir", data.toString(), "--growth-rate", "4",
            "--blocks", "1,1", "--init-features", "8", "--epochs", Integer.toString(epochs), "--batch-size", "20",
            "--validation-size", "40", "--limit", "200", "--threads", "1", "--out", out.toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void trainWritesAModelThatEvalReportsOnAndResumeContinues() throws Exception {
        Path model = dir.resolve("model");
        CliRun trained = CliRun.of(trainArgs(model, 1));
        assertEquals(0, trained.code(), trained.err());
        assertTrue(trained.out().contains("trained 1 epoch(s) (1 in this run)"), trained.out());
        assertTrue(trained.err().contains("epoch 1/1"), trained.err());
        ModelArtifact artifact = ModelArtifact.read(model);
        assertEquals(FashionMnist.CLASS_NAMES, artifact.labels());
        assertEquals(1, artifact.architecture().inputChannels());
        assertEquals("cifar", artifact.architecture().stem().id());
        assertEquals(28, artifact.preprocessing().cropHeight());

        Path png = dir.resolve("report.png");
        CliRun eval = CliRun.of("eval", "--model", model.toString(), "--dataset", "fashion-mnist", "--data-dir",
                data.toString(), "--report", png.toString(), "--threads", "1");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("on 60 Fashion-MNIST test images"), eval.out());
        assertTrue(eval.out().contains("per-class accuracy"), eval.out());
        assertTrue(eval.out().contains("confusion matrix"), eval.out());
        assertTrue(eval.out().contains("Ankle boot"), eval.out());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(EvaluationReport.WIDTH, image.getWidth());
        assertEquals(EvaluationReport.HEIGHT, image.getHeight());

        CliRun limited = CliRun.of("eval", "--model", model.toString(), "--data-dir", data.toString(), "--limit", "25",
                "--threads", "1");
        assertEquals(0, limited.code(), limited.err());
        assertTrue(limited.out().contains("of 25)"), limited.out());

        CliRun again = CliRun.of(trainArgs(model, 1));
        assertEquals(2, again.code());
        assertTrue(again.err().contains("--resume"), again.err());

        CliRun resumed = CliRun.of(trainArgs(model, 2, "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("continuing at epoch 2 of 2"), resumed.err());
        assertTrue(!resumed.err().contains("epoch 1/2"), "epoch 1 must not be trained again: " + resumed.err());
        assertTrue(resumed.out().contains("trained 2 epoch(s) (1 in this run)"), resumed.out());
    }

    @Test
    void presetNamesTheArchitecture() throws Exception {
        Path model = dir.resolve("preset");
        CliRun run = CliRun.of("train", "--data-dir", data.toString(), "--preset", "densenet-bc-10-4", "--epochs", "1",
                "--batch-size", "40", "--validation-size", "20", "--limit", "100", "--threads", "1", "--out",
                model.toString());
        assertEquals(0, run.code(), run.err());
        assertEquals(4, ModelArtifact.read(model).architecture().growthRate());
    }

    @Test
    void sampleWritesTheFirstTestImagesAsAnIdxPair() throws Exception {
        Path out = dir.resolve("sample");
        CliRun run = CliRun.of("sample", "--data-dir", data.toString(), "--count", "12", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(Files.isRegularFile(out.resolve("t10k-images-idx3-ubyte.gz")));
        LabeledImages sample = FashionMnist.load(out, FashionMnist.Split.TEST);
        assertEquals(12, sample.count());
        assertEquals(3, sample.label(3));
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() throws Exception {
        CliRun missing = CliRun.of("train", "--data-dir", dir.resolve("nowhere").toString(), "--preset", "densenet-bc-10-4",
                "--epochs", "1", "--out", dir.resolve("x").toString());
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("data directory not found"), missing.err());

        CliRun noArchitecture = CliRun.of("train", "--data-dir", data.toString(), "--epochs", "1", "--out",
                dir.resolve("y").toString());
        assertEquals(2, noArchitecture.code());
        assertTrue(noArchitecture.err().contains("--preset"), noArchitecture.err());

        Path wrong = dir.resolve("wrong");
        Files.createDirectories(wrong);
        LabeledImages few = synthetic(5, 3);
        IdxWriter.writeLabels(wrong.resolve("t10k-images-idx3-ubyte.gz"), few, true);
        IdxWriter.writeLabels(wrong.resolve("t10k-labels-idx1-ubyte.gz"), few, true);
        CliRun magic = CliRun.of("sample", "--data-dir", wrong.toString(), "--count", "3", "--out",
                dir.resolve("z").toString());
        assertEquals(2, magic.code());
        assertTrue(magic.err().contains("wrong magic number 2049"), magic.err());

        CliRun noModel = CliRun.of("eval", "--model", dir.resolve("no-model").toString(), "--data-dir", data.toString());
        assertEquals(2, noModel.code());
        assertTrue(noModel.err().contains("model directory not found"), noModel.err());

        CliRun dataset = CliRun.of("eval", "--model", dir.resolve("no-model").toString(), "--dataset", "cifar10");
        assertEquals(2, dataset.code());
        assertTrue(dataset.err().contains("only fashion-mnist"), dataset.err());
    }
}
