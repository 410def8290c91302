package io.densenetflink.model.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format), gzipped or not: a big-endian header (magic number,
 * then one 32-bit size per dimension) followed by unsigned bytes. Gzip is recognised by its magic bytes, not
 * the file name.
 *
 * <p>Only the unsigned-byte type is supported: magic {@value #IMAGES_MAGIC} for image files (3 dimensions:
 * count, rows, columns) and {@value #LABELS_MAGIC} for label files (1 dimension: count). Every failure is a
 * {@link DatasetException} naming the file and what is wrong with it.
 */
public final class IdxReader {

    /** Magic of an unsigned-byte, 3-dimensional IDX file (images): 0x00000803. */
    public static final int IMAGES_MAGIC = 2051;

    /** Magic of an unsigned-byte, 1-dimensional IDX file (labels): 0x00000801. */
    public static final int LABELS_MAGIC = 2049;

    private static final int GZIP_MAGIC_1 = 0x1f;
    private static final int GZIP_MAGIC_2 = 0x8b;

    private IdxReader() {}

    /** Images of an IDX image file: {@code {count, rows, cols}} in {@code dims}, pixels in {@code data}. */
    public record ImageFile(int count, int rows, int cols, byte[] pixels) {}

    /** Reads an image file (magic 2051). */
    public static ImageFile readImages(Path file) {
        return read(file, IMAGES_MAGIC, (dims, data) -> new ImageFile(dims[0], dims[1], dims[2], data));
    }

    /** Reads a label file (magic 2049) and returns its labels. */
    public static byte[] readLabels(Path file) {
        return read(file, LABELS_MAGIC, (dims, data) -> data);
    }

    /** Reads an image file and its label file and checks that they describe the same number of images. */
    public static LabeledImages readPair(Path images, Path labels) {
        ImageFile imageFile = readImages(images);
        byte[] labelData = readLabels(labels);
        if (imageFile.count() != labelData.length) {
            throw new DatasetException("image and label counts differ: " + images + " holds " + imageFile.count()
                    + " images but " + labels + " holds " + labelData.length + " labels");
        }
        return new LabeledImages(imageFile.pixels(), labelData, imageFile.rows(), imageFile.cols());
    }

    /** True when the file starts with the gzip magic bytes. */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == GZIP_MAGIC_1 && in.read() == GZIP_MAGIC_2;
        }
    }

    private interface Result<T> {
        T make(int[] dims, byte[] data);
    }

    private static <T> T read(Path file, int expectedMagic, Result<T> result) {
        if (!Files.exists(file)) {
            throw new DatasetException("IDX file not found: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("not a regular file: " + file);
        }
        try (InputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "the magic number");
            if (magic != expectedMagic) {
                throw new DatasetException(file + ": wrong magic number " + magic + " (" + describe(magic)
                        + "), expected " + expectedMagic + " (" + describe(expectedMagic) + ")");
            }
            int dimensions = magic & 0xff;
            int[] dims = new int[dimensions];
            long total = 1;
            for (int d = 0; d < dimensions; d++) {
                dims[d] = readHeaderInt(in, file, "dimension " + (d + 1));
                if (dims[d] < 0 || (d > 0 && dims[d] == 0)) {
                    throw new DatasetException(file + ": bad size " + dims[d] + " for dimension " + (d + 1));
                }
                total *= dims[d];
            }
            if (total > Integer.MAX_VALUE - 16) {
                throw new DatasetException(file + ": " + total + " bytes of data do not fit one array");
            }
            byte[] data = in.readNBytes((int) total);
            if (data.length < total) {
                throw new DatasetException(file + ": truncated: the header announces " + describeDims(dims)
                        + " (" + total + " bytes) but only " + data.length + " bytes follow");
            }
            if (in.read() != -1) {
                throw new DatasetException(file + ": unexpected data after the " + describeDims(dims)
                        + " the header announces");
            }
            return result.make(dims, data);
        } catch (EOFException | ZipException e) {
            throw new DatasetException(file + ": truncated or corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        boolean gzip = raw.read() == GZIP_MAGIC_1 && raw.read() == GZIP_MAGIC_2;
        raw.reset();
        return gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
    }

    private static int readHeaderInt(InputStream in, Path file, String what) throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length < 4) {
            throw new DatasetException(file + ": truncated: the file ends inside its header (reading " + what + ")");
        }
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private static String describe(int magic) {
        if (magic == IMAGES_MAGIC) {
            return "IDX images";
        }
        if (magic == LABELS_MAGIC) {
            return "IDX labels";
        }
        if ((magic >>> 16) == 0 && ((magic >> 8) & 0xff) != 0) {
            return "IDX type 0x" + Integer.toHexString((magic >> 8) & 0xff) + " with " + (magic & 0xff)
                    + " dimensions";
        }
        return "not an IDX file";
    }

    private static String describeDims(int[] dims) {
        if (dims.length == 3) {
            return dims[0] + " images of " + dims[1] + "x" + dims[2];
        }
        if (dims.length == 1) {
            return dims[0] + " labels";
        }
        return java.util.Arrays.toString(dims);
    }
}
