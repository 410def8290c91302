package io.densenetflink.model.image;

/** Reads CHW tensors back in pixel terms. */
final class Tensors {

    private Tensors() {}

    /** What the preprocessor should output for sample value {@code v} in channel {@code c}. */
    static float expected(double v, Preprocessing p, int c) {
        return (float) ((v / 255.0 - p.mean()[c]) / p.std()[c]);
    }

    static float at(float[] tensor, Preprocessing p, int c, int y, int x) {
        return tensor[(c * p.cropHeight() + y) * p.cropWidth() + x];
    }

    /** The 0..255 sample a tensor value stands for. */
    static double pixel(float[] tensor, Preprocessing p, int c, int y, int x) {
        return (at(tensor, p, c, y, x) * p.std()[c] + p.mean()[c]) * 255.0;
    }

    /** Largest distance, in 0..255 sample units, between the tensor and a solid colour. */
    static double maxDeviation(float[] tensor, Preprocessing p, int... colour) {
        double worst = 0;
        for (int c = 0; c < p.channels(); c++) {
            for (int y = 0; y < p.cropHeight(); y++) {
                for (int x = 0; x < p.cropWidth(); x++) {
                    worst = Math.max(worst, Math.abs(pixel(tensor, p, c, y, x) - colour[c]));
                }
            }
        }
        return worst;
    }

    /** Largest difference between tensor values and the exact normalised colour. */
    static double maxError(float[] tensor, Preprocessing p, double... colour) {
        double worst = 0;
        for (int c = 0; c < p.channels(); c++) {
            float want = expected(colour[c], p, c);
            for (int y = 0; y < p.cropHeight(); y++) {
                for (int x = 0; x < p.cropWidth(); x++) {
                    worst = Math.max(worst, Math.abs(at(tensor, p, c, y, x) - want));
                }
            }
        }
        return worst;
    }
}
