package io.densenetflink.operators;

import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.weights.TorchvisionImporter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** A small real DenseNet model directory and real encoded frames for the operator tests. */
public final class TestModels {

    public static final List<String> LABELS = List.of("zero", "one", "two", "three", "four", "five", "six",
            "seven", "eight", "nine");

    private TestModels() {}

    /** A DenseNet-BC (k=4, blocks 2,2) on 28x28 grey input with random weights, written into {@code dir}. */
    public static Path tinyModel(Path dir) throws IOException {
        DenseNetConfig config = DenseNetConfig.builder().growthRate(4).blocks(2, 2).initFeatures(8).numClasses(10)
                .inputChannels(1).stem(DenseNetConfig.Stem.CIFAR).build();
        TorchvisionImporter.writeRandomArtifact(ModelArtifact.builder().directory(dir).name("tiny-test").version("1")
                .architecture(config).labels(LABELS)
                .preprocessing(Preprocessing.of(1, 28, 28, 28, new float[] {0.5f}, new float[] {0.25f})).build());
        return dir;
    }

    /** A 28x28 grey PNG of seeded noise. */
    public static byte[] png(long seed) {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        Random random = new Random(seed);
        byte[] pixels = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
        random.nextBytes(pixels);
        return encode(image, "png");
    }

    /** A 28x28 all-white PNG: the "poison" input of the bisection tests. */
    public static byte[] whitePng() {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        java.util.Arrays.fill(((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData(), (byte) 255);
        return encode(image, "png");
    }

    /** The first half of a real PNG: a truncated file. */
    public static byte[] truncatedPng(long seed) {
        byte[] full = png(seed);
        return java.util.Arrays.copyOf(full, full.length / 2);
    }

    private static byte[] encode(BufferedImage image, String format) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, format, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Frame frame(String source, String id, byte[] payload) {
        return new Frame(source, id, payload, System.currentTimeMillis());
    }
}
