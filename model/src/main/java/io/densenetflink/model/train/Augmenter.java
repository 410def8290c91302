package io.densenetflink.model.train;

import io.densenetflink.model.data.LabeledImages;
import java.util.Random;

/**
 * Training-time augmentation on the CPU, straight into the batch buffer: a random crop of the original size
 * from the image zero-padded by {@code padding} pixels on every side (a shift of up to {@code padding} pixels
 * in each direction, uncovered pixels black), then a horizontal flip with probability 1/2. All randomness
 * comes from the caller's {@link Random}, so a seeded run is reproducible.
 */
public final class Augmenter {

    private final int padding;
    private final boolean flip;
    private final PixelNormaliser normaliser;

    public Augmenter(int padding, boolean flip, PixelNormaliser normaliser) {
        if (padding < 0) {
            throw new IllegalArgumentException("padding must be >= 0, got " + padding);
        }
        this.padding = padding;
        this.flip = flip;
        this.normaliser = normaliser;
    }

    /**
     * Writes the augmented, normalised images {@code order[from] .. order[from+count-1]} of {@code data} into
     * {@code dest} (NCHW with one channel), and their labels into {@code labels}.
     */
    public void fill(LabeledImages data, int[] order, int from, int count, Random rng, float[] dest, float[] labels) {
        int rows = data.rows();
        int cols = data.cols();
        int size = rows * cols;
        byte[] pixels = data.pixels();
        float black = normaliser.black();
        for (int i = 0; i < count; i++) {
            int image = order[from + i];
            int dy = padding == 0 ? 0 : rng.nextInt(2 * padding + 1) - padding;
            int dx = padding == 0 ? 0 : rng.nextInt(2 * padding + 1) - padding;
            boolean mirror = flip && rng.nextBoolean();
            int src = image * size;
            int dst = i * size;
            for (int y = 0; y < rows; y++) {
                int sy = y + dy;
                boolean rowInside = sy >= 0 && sy < rows;
                for (int x = 0; x < cols; x++) {
                    int sx = (mirror ? cols - 1 - x : x) + dx;
                    dest[dst + y * cols + x] = rowInside && sx >= 0 && sx < cols
                            ? normaliser.value(pixels[src + sy * cols + sx]) : black;
                }
            }
            labels[i] = data.label(image);
        }
    }
}
