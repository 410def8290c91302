package io.densenetflink.model.lowp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.util.PairList;
import java.util.Locale;

/**
 * Observes the fp32 values of each calibrated tensor over the calibration batches and derives the range the
 * int8 graph quantizes it with. All reductions run on the engine; only small results reach Java.
 */
abstract class RangeCollector {

    /** A calibrated range. */
    record Range(float min, float max) {}

    /** Observes one batch's values of tensor {@code tensor}. */
    abstract void collect(int tensor, NDArray values);

    /** The range of tensor {@code tensor}; {@code manager} hosts any engine work the method needs. */
    abstract Range range(int tensor, NDManager manager);

    static RangeCollector create(CalibrationMethod method, int tensors) {
        return method == CalibrationMethod.NAIVE ? new MinMax(tensors) : new Entropy(tensors);
    }

    /** MXNet's naive calibration: the smallest and largest value seen. */
    private static final class MinMax extends RangeCollector {
        private final float[] min;
        private final float[] max;

        MinMax(int tensors) {
            min = new float[tensors];
            max = new float[tensors];
            java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
            java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        }

        @Override
        void collect(int tensor, NDArray values) {
            min[tensor] = Math.min(min[tensor], values.min().getFloat());
            max[tensor] = Math.max(max[tensor], values.max().getFloat());
        }

        @Override
        Range range(int tensor, NDManager manager) {
            return new Range(min[tensor], max[tensor]);
        }
    }

    /**
     * MXNet's entropy calibration: a symmetric histogram of {@value #BINS} bins per tensor, widened (never
     * rebinned) when a later batch exceeds it, as {@code combine_histogram} in MXNet's quantization.py does, and
     * the KL-optimal threshold of {@link KlThreshold} (MXNet 1.9.1's engine has no calibrate_entropy operator).
     */
    private static final class Entropy extends RangeCollector {
        static final int BINS = 8001;
        static final int QUANTIZED_BINS = 255;

        private final double[][] histogram;
        private final double[] threshold;
        private final float[] min;
        private final float[] max;

        Entropy(int tensors) {
            histogram = new double[tensors][];
            threshold = new double[tensors];
            min = new float[tensors];
            max = new float[tensors];
        }

        @Override
        void collect(int tensor, NDArray values) {
            float lo = values.min().getFloat();
            float hi = values.max().getFloat();
            double th = Math.max(Math.max(Math.abs(lo), Math.abs(hi)), 1e-8);
            double[] old = histogram[tensor];
            if (old == null) {
                histogram[tensor] = histogram(values, BINS, th);
                threshold[tensor] = th;
                min[tensor] = lo;
                max[tensor] = hi;
                return;
            }
            min[tensor] = Math.min(min[tensor], lo);
            max[tensor] = Math.max(max[tensor], hi);
            double oldTh = threshold[tensor];
            if (th <= oldTh) {
                double[] h = histogram(values, old.length, oldTh);
                for (int i = 0; i < old.length; i++) {
                    old[i] += h[i];
                }
                return;
            }
            double step = 2 * oldTh / old.length;
            int grow = (int) Math.floor((th - oldTh) / step) + 1;
            int bins = old.length + 2 * grow;
            double newTh = grow * step + oldTh;
            double[] h = histogram(values, bins, newTh);
            for (int i = 0; i < old.length; i++) {
                h[grow + i] += old[i];
            }
            histogram[tensor] = h;
            threshold[tensor] = newTh;
        }

        private static double[] histogram(NDArray values, int bins, double th) {
            PairList<String, Object> params = new PairList<>();
            params.add("bin_cnt", bins);
            params.add("range", String.format(Locale.ROOT, "(%s, %s)", -th, th));
            NDList out = values.getManager().invoke("_histogram", new NDList(values), params);
            try {
                return out.get(0).toType(DataType.FLOAT64, false).toDoubleArray();
            } finally {
                out.close();
            }
        }

        @Override
        Range range(int tensor, NDManager manager) {
            boolean nonNegative = min[tensor] >= 0;
            // A non-negative tensor quantizes to uint8 (quantized dtype "auto"): twice the levels on its half.
            int levels = nonNegative ? QUANTIZED_BINS * 2 + 1 : QUANTIZED_BINS;
            float t = (float) KlThreshold.optimal(histogram[tensor], threshold[tensor], levels);
            return nonNegative ? new Range(0f, t) : new Range(-t, t);
        }
    }
}
