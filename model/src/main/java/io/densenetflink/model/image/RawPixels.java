package io.densenetflink.model.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * Raw HWC uint8 pixels checked against their stated shape and wrapped, without copying, as a
 * {@code TYPE_BYTE_GRAY} or {@code TYPE_3BYTE_BGR} image so they take the same path as decoded images.
 *
 * <p>RGB bytes are wrapped as if they were BGR: resampling treats channels alike and keeps their byte positions,
 * so only the final read has to know, via {@code swapRedBlue} in {@link PixelView#of}. This keeps Java2D on its
 * fast built-in loops, which a true RGB-ordered custom layout would not get.
 */
final class RawPixels {

    private RawPixels() {}

    static BufferedImage wrap(byte[] pixels, int height, int width, int channels, long maxPixels)
            throws ImageDecodeException {
        if (pixels == null || pixels.length == 0) {
            throw new ImageDecodeException(ImageErrorReason.EMPTY,
                    pixels == null ? "no pixel bytes (null)" : "no pixel bytes (length 0)");
        }
        if (height <= 0 || width <= 0 || (channels != 1 && channels != 3)) {
            throw new ImageDecodeException(ImageErrorReason.BAD_SHAPE, "raw shape " + shape(height, width, channels)
                    + " is invalid: height and width must be > 0 and channels 1 or 3");
        }
        long expected = (long) height * width * channels;
        if (pixels.length != expected) {
            throw new ImageDecodeException(ImageErrorReason.BAD_SHAPE, "raw shape " + shape(height, width, channels)
                    + " needs " + expected + " bytes, got " + pixels.length);
        }
        if ((long) height * width > maxPixels) {
            throw new ImageDecodeException(ImageErrorReason.TOO_LARGE, "raw image is " + width + "x" + height
                    + " pixels, more than the limit of " + maxPixels + " (Preprocessing.maxPixels)");
        }
        DataBufferByte buffer = new DataBufferByte(pixels, pixels.length);
        int[] bandOffsets = channels == 1 ? new int[] {0} : new int[] {2, 1, 0};
        WritableRaster raster = Raster.createInterleavedRaster(buffer, width, height, width * channels, channels,
                bandOffsets, null);
        ColorSpace space = ColorSpace.getInstance(channels == 1 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        ColorModel model = new ComponentColorModel(space, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        // BufferedImage recognises this layout as TYPE_BYTE_GRAY / TYPE_3BYTE_BGR.
        return new BufferedImage(model, raster, false, null);
    }

    private static String shape(int height, int width, int channels) {
        return height + "x" + width + "x" + channels + " (HxWxC)";
    }
}
