package io.densenetflink.model.lowp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The entropy threshold clips rare outliers of a bell-shaped tensor, and keeps a flat one whole. */
class KlThresholdTest {

    static double[] histogram(double[] values, double range, int bins) {
        double[] h = new double[bins];
        for (double v : values) {
            int b = (int) Math.floor((v + range) / (2 * range) * bins);
            h[Math.max(0, Math.min(bins - 1, b))]++;
        }
        return h;
    }

    @Test
    void aGaussianWithOutliersIsClippedNearFourSigma() {
        Random random = new Random(1);
        double[] v = new double[200_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian();
        }
        v[0] = 20;
        v[1] = -18;
        double t = KlThreshold.optimal(histogram(v, 20, 8001), 20, 255);
        assertTrue(t > 3 && t < 6, "threshold " + t);
    }

    @Test
    void aUniformTensorKeepsItsWholeRange() {
        Random random = new Random(2);
        double[] v = new double[200_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * random.nextDouble() - 1;
        }
        double t = KlThreshold.optimal(histogram(v, 1, 8001), 1, 255);
        assertEquals(1.0, t, 0.05);
    }
}
