package io.densenetflink.model.lowp;

import io.densenetflink.model.Fixtures;
import io.densenetflink.model.ParityFixture;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.image.TestImages;
import io.densenetflink.model.weights.TorchvisionImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The tiny parity fixture as an fp32 model directory (64x64 input), and real image files to calibrate on. */
final class ConvertedModels {

    static final Preprocessing TINY_INPUT = Preprocessing.of(3, 64, 64, 64,
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    private ConvertedModels() {}

    /** The fixture's files (weights, input, logits) copied into {@code dir}. */
    static ParityFixture tinyFixture(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String file : new String[] {"tiny.json", "tiny.safetensors", "tiny-input.npy", "tiny-logits.npy"}) {
            Fixtures.resource("parity/" + file, dir);
        }
        return new ParityFixture(dir, "tiny");
    }

    /** The tiny fixture imported as an fp32 model directory. */
    static ModelArtifact tinyModel(Path work) throws Exception {
        ParityFixture fixture = tinyFixture(work.resolve("fixture"));
        ModelArtifact target = ModelArtifact.builder().name("tiny").version("1").architecture(fixture.architecture())
                .preprocessing(TINY_INPUT).build();
        return TorchvisionImporter.importWeights(fixture.weights(), target, work.resolve("fp32"));
    }

    /** {@code count} noisy PNG and JPEG images of 80x72 pixels in a new directory. */
    static Path calibrationImages(Path dir, int count) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < count; i++) {
            var image = TestImages.noisy(80, 72, i);
            byte[] bytes = i % 2 == 0 ? TestImages.encode(image, "png") : TestImages.jpeg(image, 0.9f);
            Files.write(dir.resolve(String.format("frame-%03d.%s", i, i % 2 == 0 ? "png" : "jpg")), bytes);
        }
        return dir;
    }
}
