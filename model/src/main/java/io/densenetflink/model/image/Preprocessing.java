package io.densenetflink.model.image;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * How an image becomes a model input: resize so the shorter side has {@link #resizeShorter()} pixels (aspect ratio
 * kept), centre-crop {@link #cropHeight()} x {@link #cropWidth()}, scale to [0,1], then subtract {@link #mean()} and
 * divide by {@link #std()} per channel. The output is {@code channels x cropHeight x cropWidth} floats in CHW order.
 *
 * <p>Immutable. Gson can read it from JSON: fields left out of the JSON keep the {@link #imagenet()} values (Gson
 * calls the private no-argument constructor), and a deserialised instance is checked by {@link #validate()}, which
 * {@link ImagePreprocessor} calls too.
 */
public final class Preprocessing implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default pixel limit: above a 7000 x 7000 photo, well below what would exhaust a task manager heap. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private final int channels;
    private final int resizeShorter;
    private final int cropHeight;
    private final int cropWidth;
    private final float[] mean;
    private final float[] std;
    private final long maxPixels;

    /** For Gson only: gives omitted JSON fields the ImageNet defaults. */
    private Preprocessing() {
        this(3, 256, 224, 224, IMAGENET_MEAN, IMAGENET_STD, DEFAULT_MAX_PIXELS);
    }

    private Preprocessing(int channels, int resizeShorter, int cropHeight, int cropWidth, float[] mean, float[] std,
            long maxPixels) {
        this.channels = channels;
        this.resizeShorter = resizeShorter;
        this.cropHeight = cropHeight;
        this.cropWidth = cropWidth;
        this.mean = mean == null ? null : mean.clone();
        this.std = std == null ? null : std.clone();
        this.maxPixels = maxPixels;
    }

    /** torchvision's ImageNet evaluation transform: RGB, resize 256, centre crop 224 x 224, ImageNet mean/std. */
    public static Preprocessing imagenet() {
        return new Preprocessing();
    }

    /**
     * A validated preprocessing with the default pixel limit.
     *
     * @param channels 1 (luminance) or 3 (RGB)
     * @param resizeShorter the shorter side after resizing, 0 for no resize
     * @param cropHeight centre crop height, &gt; 0
     * @param cropWidth centre crop width, &gt; 0
     * @param mean per-channel mean of the [0,1]-scaled values, {@code channels} values
     * @param std per-channel standard deviation, {@code channels} values, each &gt; 0
     * @throws IllegalArgumentException naming the offending field
     */
    public static Preprocessing of(int channels, int resizeShorter, int cropHeight, int cropWidth, float[] mean,
            float[] std) {
        return new Preprocessing(channels, resizeShorter, cropHeight, cropWidth, mean, std, DEFAULT_MAX_PIXELS)
                .validate();
    }

    /** A copy with another limit on {@code width * height} as stated by the image header. */
    public Preprocessing withMaxPixels(long maxPixels) {
        return new Preprocessing(channels, resizeShorter, cropHeight, cropWidth, mean, std, maxPixels).validate();
    }

    /**
     * Checks every field; needed after Gson deserialisation, which bypasses the factories.
     *
     * @return this
     * @throws IllegalArgumentException whose message starts with {@code preprocessing.<field>}
     */
    public Preprocessing validate() {
        if (channels != 1 && channels != 3) {
            throw invalid("channels", "expected 1 or 3, got " + channels);
        }
        if (resizeShorter < 0) {
            throw invalid("resizeShorter", "must be >= 0 (0 = no resize), got " + resizeShorter);
        }
        if (cropHeight <= 0) {
            throw invalid("cropHeight", "must be > 0, got " + cropHeight);
        }
        if (cropWidth <= 0) {
            throw invalid("cropWidth", "must be > 0, got " + cropWidth);
        }
        if ((long) channels * cropHeight * cropWidth > Integer.MAX_VALUE) {
            throw invalid("cropHeight", "channels * cropHeight * cropWidth = " + (long) channels * cropHeight
                    * cropWidth + " does not fit a Java array");
        }
        checkPerChannel("mean", mean, false);
        checkPerChannel("std", std, true);
        if (maxPixels <= 0) {
            throw invalid("maxPixels", "must be > 0, got " + maxPixels);
        }
        return this;
    }

    private void checkPerChannel(String field, float[] values, boolean positive) {
        if (values == null) {
            throw invalid(field, "missing, expected " + channels + " values");
        }
        if (values.length != channels) {
            throw invalid(field, "expected " + channels + " values, got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw invalid(field + "[" + i + "]", "must be finite, got " + values[i]);
            }
            if (positive && values[i] <= 0) {
                throw invalid(field + "[" + i + "]", "must be > 0, got " + values[i]);
            }
        }
    }

    private static IllegalArgumentException invalid(String field, String problem) {
        return new IllegalArgumentException("preprocessing." + field + ": " + problem);
    }

    public int channels() {
        return channels;
    }

    public int resizeShorter() {
        return resizeShorter;
    }

    public int cropHeight() {
        return cropHeight;
    }

    public int cropWidth() {
        return cropWidth;
    }

    /** A copy of the per-channel means. */
    public float[] mean() {
        return mean.clone();
    }

    /** A copy of the per-channel standard deviations. */
    public float[] std() {
        return std.clone();
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** Floats per image: {@code channels * cropHeight * cropWidth}. */
    public int outputSize() {
        return channels * cropHeight * cropWidth;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Preprocessing)) {
            return false;
        }
        Preprocessing p = (Preprocessing) o;
        return channels == p.channels && resizeShorter == p.resizeShorter && cropHeight == p.cropHeight
                && cropWidth == p.cropWidth && maxPixels == p.maxPixels && Arrays.equals(mean, p.mean)
                && Arrays.equals(std, p.std);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(channels, resizeShorter, cropHeight, cropWidth, maxPixels)
                + 17 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Preprocessing{channels=" + channels + ", resizeShorter=" + resizeShorter + ", crop=" + cropHeight
                + "x" + cropWidth + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std)
                + ", maxPixels=" + maxPixels + "}";
    }
}
