package io.densenetflink.model.train;

import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.image.Preprocessing;

/**
 * Turns grey uint8 pixels into the network's input values, {@code (v / 255 - mean) / std}, through a 256-entry
 * table. Training, validation and evaluation all use this one formula, so a model sees the same numbers in
 * every phase.
 */
public final class PixelNormaliser {

    private final float[] table = new float[256];
    private final float mean;
    private final float std;

    public PixelNormaliser(float mean, float std) {
        if (!(std > 0) || !Float.isFinite(mean) || !Float.isFinite(std)) {
            throw new IllegalArgumentException("normalisation needs a finite mean and a std > 0, got " + mean
                    + " / " + std);
        }
        this.mean = mean;
        this.std = std;
        for (int v = 0; v < 256; v++) {
            table[v] = (v / 255f - mean) / std;
        }
    }

    /** The normaliser of a one-channel preprocessing block (its mean and std). */
    public static PixelNormaliser of(Preprocessing preprocessing) {
        if (preprocessing.channels() != 1) {
            throw new IllegalArgumentException("expected a 1-channel (grey) model, its preprocessing has "
                    + preprocessing.channels() + " channels");
        }
        return new PixelNormaliser(preprocessing.mean()[0], preprocessing.std()[0]);
    }

    public float mean() {
        return mean;
    }

    public float std() {
        return std;
    }

    /** The input value of pixel byte {@code b}. */
    public float value(byte b) {
        return table[b & 0xff];
    }

    /** The input value of a black (0) pixel: what padding becomes. */
    public float black() {
        return table[0];
    }

    /** Normalises images {@code from .. from+count-1} of {@code data} into {@code dest} (NCHW, C = 1). */
    public void normalise(LabeledImages data, int from, int count, float[] dest) {
        byte[] pixels = data.pixels();
        int start = from * data.imageSize();
        int n = count * data.imageSize();
        for (int i = 0; i < n; i++) {
            dest[i] = table[pixels[start + i] & 0xff];
        }
    }
}
