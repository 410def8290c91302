package io.densenetflink.operators;

import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.TinyModels;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.artifact.ScratchDirectory;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.weights.TorchvisionImporter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The operator tests' models (the shared {@link TinyModels} one, and a DenseNet-121-wide one) and real encoded
 * frames.
 */
public final class TestModels {

    /** 28x28 grey frames. */
    private static final Preprocessing INPUT = Preprocessing.of(1, 28, 28, 28, new float[] {0.5f}, new float[] {0.25f});

    public static final List<String> LABELS = List.of("zero", "one", "two", "three", "four", "five", "six",
            "seven", "eight", "nine");

    /** The models written once per test JVM, by name. Guarded by the class. */
    private static final Map<String, Path> SHARED = new HashMap<>();

    private TestModels() {}

    /** How a model directory is written. */
    private interface ModelWriter {
        Path write(Path dir) throws IOException;
    }

    /** The {@link #tinyModel} directory, written once per test JVM (removed when it exits). */
    public static String tiny() {
        return shared("tiny", TestModels::tinyModel);
    }

    /** The {@link #mediumModel} directory, written once per test JVM (removed when it exits). */
    public static String medium() {
        return shared("medium", TestModels::mediumModel);
    }

    private static synchronized String shared(String name, ModelWriter writer) {
        Path dir = SHARED.get(name);
        if (dir == null) {
            try {
                ScratchDirectory scratch = ScratchDirectory.create("densenet-test-" + name + "-");
                Runtime.getRuntime().addShutdownHook(new Thread(scratch::close));
                dir = writer.write(scratch.path().resolve("model"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            SHARED.put(name, dir);
        }
        return dir.toString();
    }

    /** A DenseNet-BC (k=4, blocks 2,2) on 28x28 grey input with random weights, written into {@code dir}. */
    public static Path tinyModel(Path dir) throws IOException {
        return tinyModel(dir, LABELS.size());
    }

    /** The {@link #tinyModel} architecture scoring the first {@code classes} of {@link #LABELS}. */
    public static Path tinyModel(Path dir, int classes) throws IOException {
        return TinyModels.write(dir, "tiny-test", LABELS.subList(0, classes), INPUT, DenseNetConfig.Stem.CIFAR);
    }

    /**
     * DenseNet-121's widths (k=32, blocks 6,12,24,16, 64 initial features: 7 M parameters, 28 MB of weights)
     * on the same 28x28 grey input, random weights: a model whose native memory shows in the process's
     * resident set when it leaks.
     */
    public static Path mediumModel(Path dir) throws IOException {
        DenseNetConfig config = DenseNetConfig.builder().growthRate(32).blocks(6, 12, 24, 16).initFeatures(64)
                .numClasses(10).inputChannels(1).stem(DenseNetConfig.Stem.CIFAR).build();
        return write(dir, "medium-test", config, LABELS);
    }

    private static Path write(Path dir, String name, DenseNetConfig config, List<String> labels) throws IOException {
        TorchvisionImporter.writeRandomArtifact(ModelArtifact.builder().directory(dir).name(name).version("1")
                .architecture(config).labels(labels).preprocessing(INPUT).build());
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

    /** A {@code side} x {@code side} grey PNG of seeded noise: about {@code side * side} bytes (noise does not compress). */
    public static byte[] largePng(long seed, int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        new Random(seed).nextBytes(((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData());
        return encode(image, "png");
    }

    /**
     * A {@code side} x {@code side} PNG of 16-bit RGBA samples, one colour: a few KB that decode to {@code side^2 x 8}
     * bytes (the frame a decode budget is for).
     */
    public static byte[] sixteenBitRgbaPng(int side) {
        java.awt.image.ComponentColorModel cm = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB), true, false,
                java.awt.Transparency.TRANSLUCENT, java.awt.image.DataBuffer.TYPE_USHORT);
        java.awt.image.WritableRaster raster = cm.createCompatibleWritableRaster(side, side);
        int[] pixel = {30000, 20000, 10000, 65535};
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                raster.setPixel(x, y, pixel);
            }
        }
        return encode(new BufferedImage(cm, raster, false, null), "png");
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
