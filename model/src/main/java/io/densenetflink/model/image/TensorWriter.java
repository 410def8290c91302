package io.densenetflink.model.image;

/**
 * Writes a {@link PixelView} window as normalised CHW floats: {@code (v / 255 - mean) / std}, computed as
 * {@code v * scale + shift} with {@code scale = 1 / (255 std)} and {@code shift = -mean / std} worked out once.
 *
 * <p>Grey pixels feeding a 3-channel model are repeated in each channel; RGB pixels feeding a 1-channel model
 * become luminance {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, the weights of Pillow's {@code convert("L")}
 * and torchvision's {@code Grayscale}), not rounded to an integer.
 */
final class TensorWriter {

    private static final float LUMA_R = 0.299f;
    private static final float LUMA_G = 0.587f;
    private static final float LUMA_B = 0.114f;

    private final int channels;
    private final int height;
    private final int width;
    private final float[] scale;
    private final float[] shift;

    TensorWriter(Preprocessing p) {
        channels = p.channels();
        height = p.cropHeight();
        width = p.cropWidth();
        float[] mean = p.mean();
        float[] std = p.std();
        scale = new float[channels];
        shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = (float) (1.0 / (255.0 * std[c]));
            shift[c] = (float) (-(double) mean[c] / std[c]);
        }
    }

    /** Writes {@code channels * height * width} floats at {@code dest[offset]}. */
    void write(PixelView view, float[] dest, int offset) {
        if (channels == 1 && !view.isGrey()) {
            writeLuminance(view, dest, offset);
            return;
        }
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            // Grey input: the same sample for every output channel.
            int sample = view.channelOffsets()[view.isGrey() ? 0 : c];
            writePlane(view, sample, scale[c], shift[c], dest, offset + c * plane);
        }
    }

    private void writePlane(PixelView view, int sample, float a, float b, float[] dest, int offset) {
        byte[] data = view.data();
        int step = view.pixelStride();
        int o = offset;
        for (int y = 0; y < height; y++) {
            int p = view.origin() + y * view.rowStride() + sample;
            for (int x = 0; x < width; x++, p += step) {
                dest[o++] = (data[p] & 0xFF) * a + b;
            }
        }
    }

    private void writeLuminance(PixelView view, float[] dest, int offset) {
        byte[] data = view.data();
        int step = view.pixelStride();
        int[] rgb = view.channelOffsets();
        float a = scale[0];
        float b = shift[0];
        int o = offset;
        for (int y = 0; y < height; y++) {
            int p = view.origin() + y * view.rowStride();
            for (int x = 0; x < width; x++, p += step) {
                float luma = LUMA_R * (data[p + rgb[0]] & 0xFF) + LUMA_G * (data[p + rgb[1]] & 0xFF)
                        + LUMA_B * (data[p + rgb[2]] & 0xFF);
                dest[o++] = luma * a + b;
            }
        }
    }
}
