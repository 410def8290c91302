package io.densenetflink.job.kafka.client;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Synthetic frames that cost what camera frames cost to decode: JPEG at quality 85 of smooth colour fields with
 * edges and fine grain, about 12 KB at 224x224 like a downscaled photo (white noise, by contrast, compresses to
 * 90+ KB and decodes several times slower, which would misstate a pipeline's decoding cost).
 */
public final class SyntheticPhotos {

    private static final int DISTINCT = 32;

    private SyntheticPhotos() {}

    /** {@code count} frames {@code synthetic-0 ...} cycling over 32 distinct photos of {@code size} x {@code size}. */
    public static List<FrameInput> frames(int count, int size) {
        List<byte[]> photos = new ArrayList<>(DISTINCT);
        Random random = new Random(42);
        for (int i = 0; i < DISTINCT; i++) {
            photos.add(jpeg(photo(size, random), 0.85f));
        }
        List<FrameInput> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] bytes = photos.get(i % DISTINCT);
            frames.add(new FrameInput("synthetic-" + i, "image/jpeg", null, () -> bytes));
        }
        return frames;
    }

    /** Overlapping soft gradients (sky, objects), an object's edge, fine texture and +-12 levels of grain. */
    static BufferedImage photo(int size, Random random) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        double[][] waves = new double[3][6];
        for (double[] w : waves) {
            for (int k = 0; k < w.length; k++) {
                w[k] = random.nextDouble() * 6 + 0.5;
            }
        }
        int edgeX = random.nextInt(size);
        int edgeY = random.nextInt(size);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double u = x / (double) size;
                double v = y / (double) size;
                boolean object = (x - edgeX) * (x - edgeX) + (y - edgeY) * (y - edgeY) < size * size / 16;
                for (int c = 0; c < 3; c++) {
                    double[] w = waves[c];
                    double value = 128 + 60 * Math.sin(w[0] * u + w[1] * v + w[2]) + 30 * Math.cos(w[3] * u * v * 4 + w[4])
                            + (object ? 40 * Math.sin(w[5] * (u + v) * 8) : 0)
                            + 14 * Math.sin(w[1] * 40 * u) * Math.sin(w[2] * 37 * v) + random.nextInt(25) - 12;
                    px[(y * size + x) * 3 + c] = (byte) Math.max(0, Math.min(255, (int) value));
                }
            }
        }
        return image;
    }

    static byte[] jpeg(BufferedImage image, float quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter writer = writers.next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }
}
