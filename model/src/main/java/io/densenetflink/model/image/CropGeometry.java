package io.densenetflink.model.image;

/**
 * Where the crop window lies once the image is resized: the image is scaled by {@code scaleX, scaleY} and the
 * window {@code cropWidth x cropHeight} starts at {@code cropX, cropY} in the scaled image.
 *
 * <p>Sizes follow torchvision's {@code Resize(int)}: the shorter side becomes {@code resizeShorter}, the longer
 * {@code floor(resizeShorter * longer / shorter)}. If the scaled image is still smaller than the crop in a
 * dimension it is scaled up (aspect kept) until it covers the crop, instead of padding as torchvision does. The
 * window is centred, rounding down. Scaled sizes are kept in {@code long}: an extreme aspect ratio resized to 256
 * can exceed {@code int}, and only the crop window is ever rendered.
 */
record CropGeometry(double scaleX, double scaleY, long cropX, long cropY, int cropWidth, int cropHeight) {

    static CropGeometry plan(int width, int height, Preprocessing p) {
        long scaledW = width;
        long scaledH = height;
        int shorter = p.resizeShorter();
        if (shorter > 0) {
            if (width <= height) {
                scaledW = shorter;
                scaledH = (long) ((double) shorter * height / width);
            } else {
                scaledH = shorter;
                scaledW = (long) ((double) shorter * width / height);
            }
        }
        int cropW = p.cropWidth();
        int cropH = p.cropHeight();
        if (scaledW < cropW || scaledH < cropH) {
            double up = Math.max((double) cropW / scaledW, (double) cropH / scaledH);
            scaledW = Math.max(cropW, Math.round(scaledW * up));
            scaledH = Math.max(cropH, Math.round(scaledH * up));
        }
        return new CropGeometry((double) scaledW / width, (double) scaledH / height, (scaledW - cropW) / 2,
                (scaledH - cropH) / 2, cropW, cropH);
    }

    /** True when the image keeps its size, so the crop is plain index arithmetic on the decoded pixels. */
    boolean keepsSize() {
        return scaleX == 1.0 && scaleY == 1.0;
    }
}
