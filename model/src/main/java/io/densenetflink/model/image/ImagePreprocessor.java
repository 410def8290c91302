package io.densenetflink.model.image;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Turns an encoded image (JPEG, PNG, BMP, GIF) or raw HWC pixels into the normalised CHW float tensor that
 * {@link Preprocessing} describes. Thread-safe: it holds nothing but its immutable preprocessing.
 *
 * <p>Steps: read the size from the header and refuse images above {@link Preprocessing#maxPixels()}; decode image
 * 0 (the first GIF frame); resize with bilinear interpolation (repeated halving first for large reductions) and
 * centre-crop, rendering only the crop window; scale to [0,1] and normalise per channel.
 *
 * <p>Colour: the output channels are R, G, B for 3-channel models; a 1-channel model gets luminance
 * {@code 0.299 R + 0.587 G + 0.114 B}; grey images given to a 3-channel model are repeated in all three channels.
 * Transparency is composited over black (a fully transparent pixel reads as black, not as the colour stored
 * under it). CMYK/YCCK JPEGs are converted with the naive formula, ignoring embedded profiles.
 *
 * <p>Failures are always an {@link ImageDecodeException}; no ImageIO or Java2D runtime exception or error escapes,
 * so one bad record cannot fail a job. Out-of-memory is the exception: it says more about what else the heap
 * holds than about the frame, so it propagates (callers budget {@link #decodedBytes} to keep it away).
 */
public final class ImagePreprocessor {

    private final Preprocessing preprocessing;
    private final TensorWriter writer;

    /** @throws IllegalArgumentException if the preprocessing is invalid (see {@link Preprocessing#validate()}) */
    public ImagePreprocessor(Preprocessing preprocessing) {
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing").validate();
        this.writer = new TensorWriter(preprocessing);
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** Floats per image: {@code channels * cropHeight * cropWidth}. */
    public int outputSize() {
        return preprocessing.outputSize();
    }

    /**
     * The tensor of one encoded image, {@code channels x cropHeight x cropWidth} floats in CHW order.
     *
     * @throws ImageDecodeException EMPTY, UNSUPPORTED_FORMAT, CORRUPT or TOO_LARGE
     */
    public float[] preprocess(byte[] encoded) throws ImageDecodeException {
        float[] out = new float[outputSize()];
        preprocessInto(encoded, out, 0);
        return out;
    }

    /**
     * Like {@link #preprocess} but writes the {@link #outputSize()} floats into {@code dest} from {@code offset},
     * for filling a batch buffer. On failure the destination range may be partly written.
     *
     * @throws IndexOutOfBoundsException if the range does not fit {@code dest} (checked before decoding)
     */
    public void preprocessInto(byte[] encoded, float[] dest, int offset) throws ImageDecodeException {
        checkDestination(dest, offset);
        Guarded.call(() -> {
            BufferedImage image = ImageDecoder.decode(encoded, preprocessing.maxPixels());
            render(StandardImages.normalise(image), false, dest, offset);
            return null;
        });
    }

    /**
     * The tensor of raw uint8 pixels in HWC order (RGB for 3 channels), resized, cropped and normalised like a
     * decoded image. The array is read, not copied or modified.
     *
     * @throws ImageDecodeException EMPTY for no bytes, BAD_SHAPE if the shape is invalid or does not match the
     *     byte count, TOO_LARGE above {@link Preprocessing#maxPixels()}
     */
    public float[] preprocessRaw(byte[] pixels, int height, int width, int channels) throws ImageDecodeException {
        float[] out = new float[outputSize()];
        preprocessRawInto(pixels, height, width, channels, out, 0);
        return out;
    }

    /** {@link #preprocessRaw} into a caller's buffer, like {@link #preprocessInto}. */
    public void preprocessRawInto(byte[] pixels, int height, int width, int channels, float[] dest, int offset)
            throws ImageDecodeException {
        checkDestination(dest, offset);
        Guarded.call(() -> {
            BufferedImage image = RawPixels.wrap(pixels, height, width, channels, preprocessing.maxPixels());
            render(image, channels == 3, dest, offset);
            return null;
        });
    }

    /**
     * {width, height} as stated by the image header, without decoding pixels.
     *
     * @throws ImageDecodeException EMPTY, UNSUPPORTED_FORMAT or CORRUPT (unreadable header)
     */
    public int[] probeSize(byte[] encoded) throws ImageDecodeException {
        return Guarded.call(() -> ImageDecoder.probeSize(encoded));
    }

    /**
     * About the most heap decoding {@code encoded} takes, from its header alone: what a caller budgets before
     * {@link #preprocess} (see {@code ImageDecoder.decodedBytes}).
     *
     * @throws ImageDecodeException EMPTY, UNSUPPORTED_FORMAT or CORRUPT (unreadable header), TOO_LARGE (above
     *     {@link Preprocessing#maxPixels()})
     */
    public long decodedBytes(byte[] encoded) throws ImageDecodeException {
        return Guarded.call(() -> ImageDecoder.decodedBytes(encoded, preprocessing.maxPixels()));
    }

    private void render(BufferedImage image, boolean swapRedBlue, float[] dest, int offset) {
        CropGeometry geometry = CropGeometry.plan(image.getWidth(), image.getHeight(), preprocessing);
        PixelView view;
        if (geometry.keepsSize() && PixelView.supports(image)) {
            // Nothing to resample: read the crop straight from the decoded (or caller's) pixels.
            view = PixelView.of(image, (int) geometry.cropX(), (int) geometry.cropY(), swapRedBlue);
        } else {
            // Grey stays grey (a third of the work); everything else is drawn as RGB.
            int canvas = image.getType() == BufferedImage.TYPE_BYTE_GRAY ? BufferedImage.TYPE_BYTE_GRAY
                    : BufferedImage.TYPE_3BYTE_BGR;
            view = PixelView.of(Resampler.renderCrop(image, geometry, canvas), 0, 0, swapRedBlue);
        }
        writer.write(view, dest, offset);
    }

    private void checkDestination(float[] dest, int offset) {
        Objects.requireNonNull(dest, "dest");
        Objects.checkFromIndexSize(offset, outputSize(), dest.length);
    }
}
