package io.densenetflink.model.image;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.WritableRaster;

/**
 * A window onto 8-bit interleaved pixels in a byte array: pixel (x, y) of the window starts at
 * {@code origin + y * rowStride + x * pixelStride}, and its red, green, blue samples lie at {@code channelOffsets}
 * from there (one offset, the grey sample, for grey pixels). Lets {@link TensorWriter} read straight from the
 * decoder's or the caller's buffer.
 */
record PixelView(byte[] data, int origin, int rowStride, int pixelStride, int[] channelOffsets) {

    boolean isGrey() {
        return channelOffsets.length == 1;
    }

    /** Whether {@link #of} can read the image without conversion. */
    static boolean supports(BufferedImage image) {
        int type = image.getType();
        WritableRaster raster = image.getRaster();
        return (type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_BYTE_GRAY)
                && raster.getDataBuffer() instanceof DataBufferByte
                && raster.getDataBuffer().getNumBanks() == 1
                && raster.getSampleModel() instanceof ComponentSampleModel;
    }

    /**
     * The window whose top-left pixel is (x, y) of a {@link #supports supported} image.
     *
     * @param swapRedBlue true when the bytes are RGB ordered but wrapped as {@code TYPE_3BYTE_BGR}, as raw input is
     */
    static PixelView of(BufferedImage image, int x, int y, boolean swapRedBlue) {
        WritableRaster raster = image.getRaster();
        ComponentSampleModel model = (ComponentSampleModel) raster.getSampleModel();
        DataBufferByte buffer = (DataBufferByte) raster.getDataBuffer();
        // A sub-image shares its parent's buffer; the translation locates it there.
        int sx = x - raster.getSampleModelTranslateX();
        int sy = y - raster.getSampleModelTranslateY();
        int origin = buffer.getOffset() + sy * model.getScanlineStride() + sx * model.getPixelStride();
        int[] bands = model.getBandOffsets();
        int[] offsets = bands.length == 1 ? new int[] {bands[0]}
                : swapRedBlue ? new int[] {bands[2], bands[1], bands[0]} : new int[] {bands[0], bands[1], bands[2]};
        return new PixelView(buffer.getData(), origin, model.getScanlineStride(), model.getPixelStride(), offsets);
    }
}
