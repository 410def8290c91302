package io.densenetflink.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.inference.EngineMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's mechanics on a small synthetic set: checkpoints, resume, artifact, determinism. */
class DenseNetTrainerTest {

    static final List<String> LABELS = List.of("dark", "light", "striped");

    static final DenseNetConfig MICRO = DenseNetConfig.builder().growthRate(4).blocks(1, 2).initFeatures(8)
            .numClasses(3).inputChannels(1).stem(DenseNetConfig.Stem.CIFAR).build();

    @TempDir
    Path dir;

    /** 12x12 images: class 0 dark noise, 1 light noise, 2 vertical stripes. */
    static LabeledImages synthetic(int count, long seed) {
        Random rng = new Random(seed);
        int side = 12;
        byte[] pixels = new byte[count * side * side];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            int c = i % 3;
            labels[i] = (byte) c;
            for (int p = 0; p < side * side; p++) {
                int x = p % side;
                int v = switch (c) {
                    case 0 -> rng.nextInt(80);
                    case 1 -> 170 + rng.nextInt(80);
                    default -> (x % 2 == 0 ? 220 : 30) + rng.nextInt(20);
                };
                pixels[i * side * side + p] = (byte) v;
            }
        }
        return new LabeledImages(pixels, labels, side, side);
    }

    private TrainingSettings.Builder settings(Path out) {
        return TrainingSettings.builder(MICRO, out).epochs(1).batchSize(20).validationSize(30).seed(3).threads(1)
                .learningRate(0.05f).name("micro-test");
    }

    @Test
    void trainsWritesCheckpointAndArtifactThenResumesAtTheNextEpoch() throws Exception {
        LabeledImages data = synthetic(150, 1);
        Path out = dir.resolve("model");
        TrainingResult first = DenseNetTrainer.train(settings(out).build(), data, LABELS, null);
        assertEquals(1, first.firstEpoch());
        assertEquals(1, first.epochsCompleted());
        assertEquals(1, first.history().size());
        assertTrue(Files.isRegularFile(out.resolve("checkpoint/checkpoint.json")));
        assertTrue(Files.isRegularFile(out.resolve("checkpoint/epoch-0001-weights.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("checkpoint/epoch-0001-optimizer.safetensors")));
        ModelArtifact artifact = ModelArtifact.read(out);
        assertEquals(LABELS, artifact.labels());
        assertEquals(1, artifact.preprocessing().channels());
        assertEquals(12, artifact.preprocessing().cropHeight());
        assertTrue(artifact.metrics().containsKey("validation_accuracy"));
        assertTrue(artifact.provenance().containsKey("training"));

        // without --resume an existing checkpoint is not overwritten
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> DenseNetTrainer.train(settings(out).epochs(2).build(), data, LABELS, null));
        assertTrue(refused.getMessage().contains("--resume"), refused.getMessage());
        // settings other than --epochs must match
        IllegalArgumentException changed = assertThrows(IllegalArgumentException.class,
                () -> DenseNetTrainer.train(settings(out).epochs(2).batchSize(10).resume(true).build(), data,
                        LABELS, null));
        assertTrue(changed.getMessage().contains("batch_size 20 -> 10"), changed.getMessage());

        TrainingResult second = DenseNetTrainer.train(settings(out).epochs(3).resume(true).build(), data, LABELS,
                null);
        assertEquals(2, second.firstEpoch(), "resume must start after the saved epoch");
        assertEquals(3, second.epochsCompleted());
        assertEquals(2, second.epochsTrainedNow());
        assertEquals(3, second.history().size());
        assertEquals(first.history().get(0), second.history().get(0), "epoch 1 must not be redone");
        assertEquals(List.of(1, 2, 3), second.history().stream().map(EpochStats::epoch).toList());
        try (Stream<Path> files = Files.list(out.resolve("checkpoint"))) {
            assertEquals(List.of("checkpoint.json", "epoch-0003-optimizer.safetensors",
                    "epoch-0003-weights.safetensors"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(second.last().trainLoss() < first.last().trainLoss(), "loss must fall");
        assertTrue(second.last().validationAccuracy() > 0.6, "validation accuracy " + second.last());

        // nothing left to do: the model is rewritten from the checkpoint, no epoch trained
        TrainingResult third = DenseNetTrainer.train(settings(out).epochs(3).resume(true).build(), data, LABELS,
                null);
        assertEquals(0, third.epochsTrainedNow());
        assertEquals(3, third.epochsCompleted());
    }

    @Test
    void sameSeedSameRun() throws Exception {
        LabeledImages data = synthetic(90, 2);
        TrainingResult a = DenseNetTrainer.train(settings(dir.resolve("a")).build(), data, LABELS, null);
        TrainingResult b = DenseNetTrainer.train(settings(dir.resolve("b")).build(), data, LABELS, null);
        assertEquals(a.last().trainLoss(), b.last().trainLoss(), 1e-4);
        assertEquals(a.last().validationLoss(), b.last().validationLoss(), 1e-4);
    }

    @Test
    void compiledArtifactPredictsLikeTheEagerNetwork() throws Exception {
        LabeledImages data = synthetic(90, 3);
        Path out = dir.resolve("m");
        DenseNetTrainer.train(settings(out).build(), data, LABELS, null);
        PixelNormaliser normaliser;
        float[] batch = new float[30 * 144];
        try (DenseNetClassifier compiled = DenseNetClassifier.load(out, Device.cpu());
                DenseNetClassifier eager = DenseNetClassifier.load(out, Device.cpu(), EngineMode.EAGER)) {
            normaliser = PixelNormaliser.of(compiled.preprocessing());
            normaliser.normalise(data, 0, 30, batch);
            Shape shape = new Shape(30, 1, 12, 12);
            float[] a = compiled.logits(batch, shape);
            float[] b = eager.logits(batch, shape);
            for (int i = 0; i < a.length; i++) {
                assertEquals(b[i], a[i], 1e-3 * Math.max(1, Math.abs(b[i])), "logit " + i);
            }
            int[] ca = new int[30];
            int[] cb = new int[30];
            for (int i = 0; i < 30; i++) {
                ca[i] = DenseNetTrainer.argMax(a, 3 * i, 3);
                cb[i] = DenseNetTrainer.argMax(b, 3 * i, 3);
            }
            assertArrayEquals(cb, ca);
        }
    }

    @Test
    void refusesBadSettingsAndData() {
        LabeledImages data = synthetic(30, 4);
        assertThrows(IllegalArgumentException.class, () -> settings(dir).epochs(0).build());
        assertThrows(IllegalArgumentException.class, () -> settings(dir).batchSize(0).build());
        IllegalArgumentException v = assertThrows(IllegalArgumentException.class,
                () -> DenseNetTrainer.train(settings(dir).validationSize(30).build(), data, LABELS, null));
        assertTrue(v.getMessage().contains("--validation-size"), v.getMessage());
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                () -> DenseNetTrainer.train(settings(dir).build(), data, List.of("a", "b"), null));
        assertTrue(c.getMessage().contains("classes"), c.getMessage());
        assertFalse(DenseNetTrainer.hasCheckpoint(dir));
    }

    @Test
    void splitHoldsOutTheRequestedCountDeterministically() {
        DenseNetTrainer.Split a = DenseNetTrainer.Split.of(100, 20, 9);
        DenseNetTrainer.Split b = DenseNetTrainer.Split.of(100, 20, 9);
        assertEquals(20, a.validation().length);
        assertEquals(80, a.train().length);
        assertArrayEquals(a.validation(), b.validation());
        boolean[] seen = new boolean[100];
        for (int i : a.train()) {
            seen[i] = true;
        }
        for (int i : a.validation()) {
            assertFalse(seen[i], "image " + i + " is in both halves");
        }
    }
}
