package io.densenetflink.model.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/**
 * Renders the crop window of the resized image with Java2D's bilinear interpolation onto an opaque 8-bit canvas
 * (black underneath, so transparency composites over black).
 *
 * <p>Plain bilinear sampling only looks at the 2 x 2 nearest source pixels, so shrinking by more than 2x skips
 * pixels and aliases. Like torchvision's antialiased resize (which widens the filter instead), large reductions
 * first halve the image repeatedly with a 2 x 2 box average (what bilinear at exactly 1/2 computes, but in a plain
 * loop several times faster than Java2D's transform path); the last bilinear step then shrinks by at most 2x.
 */
final class Resampler {

    private Resampler() {}

    /**
     * The crop window as a new {@code cropWidth x cropHeight} image of {@code canvasType}
     * ({@code TYPE_3BYTE_BGR} or {@code TYPE_BYTE_GRAY}).
     */
    static BufferedImage renderCrop(BufferedImage source, CropGeometry geometry, int canvasType) {
        BufferedImage current = source;
        double scaleX = geometry.scaleX();
        double scaleY = geometry.scaleY();
        while (scaleX < 0.5 || scaleY < 0.5) {
            int stepX = scaleX < 0.5 && current.getWidth() >= 2 ? 2 : 1;
            int stepY = scaleY < 0.5 && current.getHeight() >= 2 ? 2 : 1;
            if (stepX == 1 && stepY == 1) {
                break;
            }
            if (current.getType() != canvasType || !PixelView.supports(current)) {
                // Palette, alpha, packed RGB...: convert once at full size, then halve bytes directly.
                current = draw(current, current.getWidth(), current.getHeight(), canvasType, new AffineTransform());
            }
            current = halve(current, stepX, stepY);
            // Each new pixel spans stepX x stepY old ones, so what is left to scale grows by the same factor.
            scaleX *= stepX;
            scaleY *= stepY;
        }
        AffineTransform toCrop = AffineTransform.getTranslateInstance(-geometry.cropX(), -geometry.cropY());
        toCrop.scale(scaleX, scaleY);
        return draw(current, geometry.cropWidth(), geometry.cropHeight(), canvasType, toCrop);
    }

    /**
     * Averages blocks of {@code stepX x stepY} pixels (rounded), dropping an odd last row or column: the result
     * still starts at the same picture origin, which is all the crop transform relies on. With a step of 1 in one
     * direction the same sample is simply counted twice.
     */
    private static BufferedImage halve(BufferedImage source, int stepX, int stepY) {
        int width = source.getWidth() / stepX;
        int height = source.getHeight() / stepY;
        BufferedImage out = new BufferedImage(width, height, source.getType());
        PixelView in = PixelView.of(source, 0, 0, false);
        byte[] src = in.data();
        byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        int samples = in.pixelStride();
        int right = (stepX - 1) * samples;
        int below = (stepY - 1) * in.rowStride();
        int advance = stepX * samples;
        int o = 0;
        for (int y = 0; y < height; y++) {
            int p = in.origin() + y * stepY * in.rowStride();
            // One loop per pixel size: an inner per-sample loop runs about twice as slowly.
            if (samples == 3) {
                for (int x = 0; x < width; x++, p += advance) {
                    dst[o++] = average(src, p, right, below);
                    dst[o++] = average(src, p + 1, right, below);
                    dst[o++] = average(src, p + 2, right, below);
                }
            } else {
                for (int x = 0; x < width; x++, p += advance) {
                    dst[o++] = average(src, p, right, below);
                }
            }
        }
        return out;
    }

    private static byte average(byte[] src, int p, int right, int below) {
        int sum = (src[p] & 0xFF) + (src[p + right] & 0xFF) + (src[p + below] & 0xFF)
                + (src[p + below + right] & 0xFF);
        return (byte) ((sum + 2) >> 2);
    }

    private static BufferedImage draw(BufferedImage source, int width, int height, int type,
            AffineTransform transform) {
        BufferedImage canvas = new BufferedImage(width, height, type);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(source, transform, null);
        } finally {
            g.dispose();
        }
        return canvas;
    }
}
