package io.densenetflink.model.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.RenderedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Builds real encoded test images with ImageIO, plus hand-made PNG headers. */
public final class TestImages {

    private TestImages() {}

    public static BufferedImage solid(int width, int height, Color colour) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        fill(image, colour, 0, 0, width, height);
        return image;
    }

    /** Vertical bands of equal width (the last takes the remainder), left to right. */
    public static BufferedImage columns(int width, int height, Color... colours) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int band = width / colours.length;
        for (int i = 0; i < colours.length; i++) {
            int x0 = i * band;
            int x1 = i == colours.length - 1 ? width : x0 + band;
            fill(image, colours[i], x0, 0, x1 - x0, height);
        }
        return image;
    }

    /** Horizontal bands of equal height, top to bottom. */
    public static BufferedImage rows(int width, int height, Color... colours) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int band = height / colours.length;
        for (int i = 0; i < colours.length; i++) {
            int y0 = i * band;
            int y1 = i == colours.length - 1 ? height : y0 + band;
            fill(image, colours[i], 0, y0, width, y1 - y0);
        }
        return image;
    }

    /** Smooth random-ish content, so JPEG data is long enough to be cut mid-scan. */
    public static BufferedImage noisy(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        return image;
    }

    public static BufferedImage convert(BufferedImage source, int type) {
        BufferedImage out = new BufferedImage(source.getWidth(), source.getHeight(), type);
        Graphics2D g = out.createGraphics();
        g.drawImage(source, 0, 0, null);
        g.dispose();
        return out;
    }

    public static BufferedImage grey(int width, int height, int value) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        Arrays.fill(data, (byte) value);
        return image;
    }

    /** A solid image with a ComponentColorModel of the given colour space, alpha and sample type. */
    public static BufferedImage component(int colourSpace, boolean alpha, int dataType, int width, int height,
            int... samples) {
        ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(colourSpace), alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, dataType);
        WritableRaster raster = cm.createCompatibleWritableRaster(width, height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setPixel(x, y, samples);
            }
        }
        return new BufferedImage(cm, raster, false, null);
    }

    public static BufferedImage ushortGrey(int width, int height, int value) {
        return component(ColorSpace.CS_GRAY, false, DataBuffer.TYPE_USHORT, width, height, value);
    }

    public static byte[] encode(RenderedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no " + format + " writer for " + image);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] jpeg(RenderedImage image, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /**
     * A 4-component (CMYK) JPEG of one colour. The JDK writer marks 4-component data as Adobe-style inverted and
     * its reader un-inverts it, so the samples written are {@code 255 - ink}.
     */
    public static byte[] cmykJpeg(int width, int height, int c, int m, int y, int k) {
        return rasterJpeg(width, height, 255 - c, 255 - m, 255 - y, 255 - k);
    }

    /** A JPEG written from a bare raster with one band per sample given, every pixel the same. */
    public static byte[] rasterJpeg(int width, int height, int... samples) {
        WritableRaster raster = WritableRaster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height,
                samples.length, null);
        for (int row = 0; row < height; row++) {
            for (int col = 0; col < width; col++) {
                raster.setPixel(col, row, samples);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(1f);
            writer.write(null, new IIOImage(raster, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A two-frame GIF: the first frame in {@code first}, the second in {@code second}. */
    public static byte[] twoFrameGif(int width, int height, Color first, Color second) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new IIOImage(indexed(solid(width, height, first)), null, null), null);
            writer.writeToSequence(new IIOImage(indexed(solid(width, height, second)), null, null), null);
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    public static BufferedImage indexed(BufferedImage image) {
        return convert(image, BufferedImage.TYPE_BYTE_INDEXED);
    }

    /** PNG signature and an IHDR chunk (8-bit RGB) with a correct CRC, and nothing after it. */
    public static byte[] pngHeaderOnly(int width, int height) {
        return pngHeaderOnly(width, height, 8, 2);
    }

    /** As {@link #pngHeaderOnly(int, int)} with the IHDR's bit depth and colour type (6: RGBA, 0: grey). */
    public static byte[] pngHeaderOnly(int width, int height, int bitDepth, int colourType) {
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(width).putInt(height).put((byte) bitDepth).put((byte) colourType).put((byte) 0).put((byte) 0)
                .put((byte) 0);
        byte[] chunk = chunk("IHDR", ihdr.array());
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        return ByteBuffer.allocate(signature.length + chunk.length).put(signature).put(chunk).array();
    }

    /** A PNG whose IHDR says {@code width x height} at the bit depth and colour type given, and no pixel data. */
    public static byte[] pngWithoutPixels(int width, int height, int bitDepth, int colourType) {
        byte[] header = pngHeaderOnly(width, height, bitDepth, colourType);
        byte[] idat = chunk("IDAT", new byte[0]);
        byte[] iend = chunk("IEND", new byte[0]);
        return ByteBuffer.allocate(header.length + idat.length + iend.length).put(header).put(idat).put(iend).array();
    }

    private static byte[] chunk(String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(typeBytes).put(data)
                .putInt((int) crc.getValue()).array();
    }

    /** Pixels as HWC bytes, RGB order (or grey for 1 channel). */
    public static byte[] hwc(BufferedImage image, int channels) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * channels];
        int o = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (channels == 1) {
                    out[o++] = (byte) image.getRaster().getSample(x, y, 0);
                } else {
                    int rgb = image.getRGB(x, y);
                    out[o++] = (byte) (rgb >> 16);
                    out[o++] = (byte) (rgb >> 8);
                    out[o++] = (byte) rgb;
                }
            }
        }
        return out;
    }

    private static void fill(BufferedImage image, Color colour, int x, int y, int w, int h) {
        Graphics2D g = image.createGraphics();
        g.setColor(colour);
        g.fillRect(x, y, w, h);
        g.dispose();
    }
}
