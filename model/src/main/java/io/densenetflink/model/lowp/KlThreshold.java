package io.densenetflink.model.lowp;

/**
 * The clipping threshold that keeps a tensor's quantized distribution closest to its fp32 one in KL divergence
 * (the entropy calibration of NVIDIA's "8-bit Inference with TensorRT", GTC 2017, as MXNet's quantization.py
 * implements it): for each candidate threshold, the histogram inside it (with the outliers folded into its edge
 * bins) is the reference P; merging it into {@code levels} bins and spreading each back over its non-empty bins
 * gives Q; the threshold with the smallest KL(P || Q) wins.
 */
final class KlThreshold {

    private static final double SMOOTHING = 1e-4;

    private KlThreshold() {}

    /**
     * @param histogram counts of a symmetric histogram over [-range, range], an odd number of bins
     * @param range the histogram's half width
     * @param levels quantized levels (255 for int8)
     * @return the optimal threshold, in (0, range]
     */
    static double optimal(double[] histogram, double range, int levels) {
        int bins = histogram.length;
        int zero = bins / 2;
        int half = levels / 2;
        if (zero < half) {
            return range;   // fewer bins than levels: nothing to clip
        }
        double[] prefix = new double[bins + 1];
        for (int i = 0; i < bins; i++) {
            prefix[i + 1] = prefix[i] + histogram[i];
        }
        double best = Double.POSITIVE_INFINITY;
        double bestThreshold = range;
        for (int i = half; i <= zero; i++) {
            int start = zero - i;
            int stop = zero + i + 1;
            double divergence = divergence(histogram, prefix, start, stop, levels);
            if (divergence < best) {
                best = divergence;
                bestThreshold = -range + stop * (2 * range / bins);   // the window's upper bin edge
            }
        }
        return Math.min(bestThreshold, range);
    }

    /** KL(P || Q) for the window [start, stop) of the histogram. */
    private static double divergence(double[] h, double[] prefix, int start, int stop, int levels) {
        int n = stop - start;
        double[] p = new double[n];
        System.arraycopy(h, start, p, 0, n);
        p[0] += prefix[start];
        p[n - 1] += prefix[h.length] - prefix[stop];
        int merged = n / levels;
        double[] q = new double[n];
        for (int j = 0; j < levels; j++) {
            int from = j * merged;
            int to = j == levels - 1 ? n : from + merged;
            double sum = 0;
            int nonZero = 0;
            for (int k = from; k < to; k++) {
                sum += h[start + k];
                if (p[k] != 0) {
                    nonZero++;
                }
            }
            if (nonZero > 0) {
                for (int k = from; k < to; k++) {
                    q[k] = p[k] == 0 ? 0 : sum / nonZero;
                }
            }
        }
        if (!smooth(p) || !smooth(q)) {
            return Double.POSITIVE_INFINITY;
        }
        double pSum = 0;
        double qSum = 0;
        for (int k = 0; k < n; k++) {
            pSum += p[k];
            qSum += q[k];
        }
        double kl = 0;
        for (int k = 0; k < n; k++) {
            if (p[k] > 0) {
                double pk = p[k] / pSum;
                kl += pk * Math.log(pk / (q[k] / qSum));
            }
        }
        return kl;
    }

    /**
     * Replaces zeros by a small mass taken evenly from the non-zero bins (MXNet's {@code _smooth_distribution});
     * false when every bin is zero.
     */
    private static boolean smooth(double[] d) {
        int zeros = 0;
        for (double v : d) {
            if (v == 0) {
                zeros++;
            }
        }
        int nonZeros = d.length - zeros;
        if (nonZeros == 0) {
            return false;
        }
        double take = SMOOTHING * zeros / nonZeros;
        for (int k = 0; k < d.length; k++) {
            d[k] += d[k] == 0 ? SMOOTHING : -take;
        }
        return true;
    }
}
