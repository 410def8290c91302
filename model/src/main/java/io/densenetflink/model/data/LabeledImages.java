package io.densenetflink.model.data;

import java.util.Arrays;

/**
 * A set of grey images of one size with one class label each, held as bytes: {@code count} images of
 * {@code rows x cols} pixels back to back (row-major, 0 = black, 255 = white) and {@code count} labels.
 *
 * <p>Fashion-MNIST's 70,000 images take 55 MB this way. The arrays are shared, not copied: treat them as
 * read-only.
 */
public final class LabeledImages {

    private final byte[] pixels;
    private final byte[] labels;
    private final int count;
    private final int rows;
    private final int cols;

    /**
     * @param pixels {@code count * rows * cols} bytes
     * @param labels {@code count} class indices (unsigned bytes)
     */
    public LabeledImages(byte[] pixels, byte[] labels, int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + rows + "x" + cols);
        }
        if ((long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + pixels.length + " pixel bytes ("
                    + ((double) pixels.length / ((long) rows * cols)) + " images of " + rows + "x" + cols + ")");
        }
        this.pixels = pixels;
        this.labels = labels;
        this.count = labels.length;
        this.rows = rows;
        this.cols = cols;
    }

    public int count() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Bytes per image: {@code rows * cols}. */
    public int imageSize() {
        return rows * cols;
    }

    /** Every image's pixels back to back (shared, do not modify). */
    public byte[] pixels() {
        return pixels;
    }

    /** Every label (shared, do not modify); use {@link #label(int)} for the unsigned value. */
    public byte[] labels() {
        return labels;
    }

    /** The class index of image {@code i}. */
    public int label(int i) {
        return labels[i] & 0xff;
    }

    /** A copy of image {@code i}'s pixels. */
    public byte[] image(int i) {
        return Arrays.copyOfRange(pixels, i * imageSize(), (i + 1) * imageSize());
    }

    /** The first {@code n} images (all of them when {@code n >= count}), copied. */
    public LabeledImages first(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + n);
        }
        int k = Math.min(n, count);
        return new LabeledImages(Arrays.copyOf(pixels, k * imageSize()), Arrays.copyOf(labels, k), rows, cols);
    }

    /** The images at {@code indices}, in that order, copied. */
    public LabeledImages select(int[] indices) {
        int size = imageSize();
        byte[] p = new byte[indices.length * size];
        byte[] l = new byte[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * size, p, i * size, size);
            l[i] = labels[indices[i]];
        }
        return new LabeledImages(p, l, rows, cols);
    }

    /** Images per class index, for {@code classes} classes. */
    public int[] classCounts(int classes) {
        int[] out = new int[classes];
        for (int i = 0; i < count; i++) {
            out[label(i)]++;
        }
        return out;
    }

    /** Mean and standard deviation of all pixels scaled to [0, 1]: {@code {mean, std}}. */
    public double[] pixelMeanStd() {
        long sum = 0;
        long sumSquares = 0;
        for (byte b : pixels) {
            int v = b & 0xff;
            sum += v;
            sumSquares += (long) v * v;
        }
        double n = pixels.length;
        double mean = sum / n;
        double variance = Math.max(0, sumSquares / n - mean * mean);
        return new double[] {mean / 255.0, Math.sqrt(variance) / 255.0};
    }
}
