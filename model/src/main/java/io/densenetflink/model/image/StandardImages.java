package io.densenetflink.model.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/**
 * Rewrites decoded images whose layout Java2D would convert wrongly or slowly into plain 8-bit
 * {@code TYPE_BYTE_GRAY} or {@code TYPE_3BYTE_BGR}; every other image is returned as it is and left to Java2D's
 * built-in loops (which handle the standard types, palettes and packed RGB exactly).
 *
 * <p>Rewritten: grey with alpha and 16-bit grey (Java2D would treat the grey as linear light and brighten it
 * through a gamma table), 16-bit RGB(A) (per-pixel generic path), and CMYK (the JDK reads CMYK/YCCK JPEGs, already
 * un-inverting Adobe data, but its colour space converts through a linear-light approximation). Samples are
 * rescaled to 8 bits with rounding ({@code 0xFFFF -> 255}, {@code 0x8080 -> 128}); alpha is composited over black,
 * as Java2D does for the other types when drawing onto the opaque canvas; CMYK becomes
 * {@code R = (255 - C)(255 - K) / 255} etc., as Pillow's {@code convert("RGB")} does, ignoring any ICC profile.
 */
final class StandardImages {

    private enum Layout { GREY, RGB, CMYK }

    private StandardImages() {}

    /** The image itself, or an 8-bit grey/BGR copy where Java2D cannot be trusted with it. */
    static BufferedImage normalise(BufferedImage image) {
        int type = image.getType();
        if (type != BufferedImage.TYPE_CUSTOM && type != BufferedImage.TYPE_USHORT_GRAY) {
            return image;
        }
        ColorModel cm = image.getColorModel();
        int transfer = image.getRaster().getTransferType();
        if (!(cm instanceof ComponentColorModel)
                || (transfer != DataBuffer.TYPE_BYTE && transfer != DataBuffer.TYPE_USHORT)) {
            return image;
        }
        Layout layout = layoutOf(cm);
        return layout == null ? image : convert(image, layout);
    }

    private static Layout layoutOf(ColorModel cm) {
        ColorSpace cs = cm.getColorSpace();
        int colours = cm.getNumColorComponents();
        if (cs.getType() == ColorSpace.TYPE_GRAY && colours == 1) {
            return Layout.GREY;
        }
        if (cs.isCS_sRGB() && colours == 3) {
            return Layout.RGB;
        }
        if (cs.getType() == ColorSpace.TYPE_CMYK && colours == 4 && !cm.hasAlpha()) {
            return Layout.CMYK;
        }
        return null;
    }

    private static BufferedImage convert(BufferedImage src, Layout layout) {
        ColorModel cm = src.getColorModel();
        Raster raster = src.getRaster();
        int width = src.getWidth();
        int height = src.getHeight();
        int bands = raster.getNumBands();
        int[] max = new int[bands];
        for (int b = 0; b < bands; b++) {
            max[b] = (1 << cm.getComponentSize(b)) - 1;
        }
        int alphaBand = cm.hasAlpha() ? bands - 1 : -1;
        boolean premultiplied = cm.isAlphaPremultiplied();

        BufferedImage out = new BufferedImage(width, height,
                layout == Layout.GREY ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        int[] row = new int[width * bands];
        int o = 0;
        for (int y = 0; y < height; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, width, 1, row);
            for (int p = 0; p < row.length; p += bands) {
                int alpha = alphaBand < 0 ? 255 : to8(row[p + alphaBand], max[alphaBand]);
                switch (layout) {
                    case GREY:
                        dst[o++] = (byte) over(to8(row[p], max[0]), alpha, premultiplied);
                        break;
                    case RGB:
                        // TYPE_3BYTE_BGR stores blue first.
                        dst[o++] = (byte) over(to8(row[p + 2], max[2]), alpha, premultiplied);
                        dst[o++] = (byte) over(to8(row[p + 1], max[1]), alpha, premultiplied);
                        dst[o++] = (byte) over(to8(row[p], max[0]), alpha, premultiplied);
                        break;
                    default:
                        int white = 255 - to8(row[p + 3], max[3]);
                        dst[o++] = (byte) inkToRgb(to8(row[p + 2], max[2]), white);
                        dst[o++] = (byte) inkToRgb(to8(row[p + 1], max[1]), white);
                        dst[o++] = (byte) inkToRgb(to8(row[p], max[0]), white);
                        break;
                }
            }
        }
        return out;
    }

    /** A sample of {@code max + 1} levels rescaled to 0..255, rounded. */
    private static int to8(int value, int max) {
        return max == 255 ? value : (value * 255 + max / 2) / max;
    }

    /** The colour composited over black. */
    private static int over(int colour, int alpha, boolean premultiplied) {
        return premultiplied || alpha == 255 ? colour : (colour * alpha + 127) / 255;
    }

    private static int inkToRgb(int ink, int white) {
        return ((255 - ink) * white + 127) / 255;
    }
}
