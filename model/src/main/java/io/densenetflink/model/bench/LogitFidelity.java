package io.densenetflink.model.bench;

import ai.djl.ndarray.types.Shape;
import io.densenetflink.model.inference.DenseNetClassifier;
import java.util.HashSet;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * How closely a model's logits follow a reference model's (e.g. int8 against the fp32 it came from), on
 * random-normal inputs, measured as {@code peer.OrtCompare} (shared/tools/peer-bench) measures ONNX Runtime's
 * int8 model, so the two can be put side by side. A random-weight network tends to predict one class for every
 * input, so besides top-1 agreement it reports how many classes the reference predicts and the agreement of the
 * logits minus each model's mean logits over all inputs (the input-dependent part).
 */
public record LogitFidelity(int inputs, double maxAbsDiff, double meanAbsDiff, double maxAbsReference,
        double top1Agreement, int referenceTop1Classes, double centredTop1Agreement) {

    /** Compares on {@code inputs} random-normal frames (seed 2, batches of {@code batch}). */
    public static LogitFidelity compare(DenseNetClassifier reference, DenseNetClassifier model, int inputs,
            int batch) {
        var p = reference.preprocessing();
        int size = p.channels() * p.cropHeight() * p.cropWidth();
        float[][] ref = new float[inputs][];
        float[][] out = new float[inputs][];
        Random random = new Random(2);
        int classes = reference.numClasses();
        for (int done = 0; done < inputs; done += batch) {
            int n = Math.min(batch, inputs - done);
            float[] data = new float[n * size];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) random.nextGaussian();
            }
            Shape shape = new Shape(n, p.channels(), p.cropHeight(), p.cropWidth());
            float[] r = reference.logits(data, shape);
            float[] m = model.logits(data, shape);
            for (int i = 0; i < n; i++) {
                ref[done + i] = java.util.Arrays.copyOfRange(r, i * classes, (i + 1) * classes);
                out[done + i] = java.util.Arrays.copyOfRange(m, i * classes, (i + 1) * classes);
            }
        }
        float[] zero = new float[classes];
        float[] refMean = mean(ref);
        float[] outMean = mean(out);
        double maxDiff = 0;
        double sumDiff = 0;
        double maxRef = 0;
        int agree = 0;
        int centred = 0;
        Set<Integer> predicted = new HashSet<>();
        for (int i = 0; i < inputs; i++) {
            for (int j = 0; j < classes; j++) {
                double d = Math.abs(ref[i][j] - out[i][j]);
                maxDiff = Math.max(maxDiff, d);
                sumDiff += d;
                maxRef = Math.max(maxRef, Math.abs(ref[i][j]));
            }
            predicted.add(argmax(ref[i], zero));
            agree += argmax(ref[i], zero) == argmax(out[i], zero) ? 1 : 0;
            centred += argmax(ref[i], refMean) == argmax(out[i], outMean) ? 1 : 0;
        }
        return new LogitFidelity(inputs, maxDiff, sumDiff / ((double) inputs * classes), maxRef,
                agree / (double) inputs, predicted.size(), centred / (double) inputs);
    }

    /** The fields as a JSON object (OrtCompare's names). */
    public String toJson() {
        return String.format(Locale.ROOT, "{\"inputs\":%d,\"max_abs_diff\":%.5f,\"mean_abs_diff\":%.5f,"
                + "\"max_abs_reference\":%.5f,\"top1_agreement\":%.4f,\"reference_top1_classes\":%d,"
                + "\"centred_top1_agreement\":%.4f}", inputs, maxAbsDiff, meanAbsDiff, maxAbsReference, top1Agreement,
                referenceTop1Classes, centredTop1Agreement);
    }

    private static float[] mean(float[][] rows) {
        float[] mean = new float[rows[0].length];
        for (float[] row : rows) {
            for (int j = 0; j < mean.length; j++) {
                mean[j] += row[j] / rows.length;
            }
        }
        return mean;
    }

    /** Index of the largest {@code v[i] - offset[i]}. */
    private static int argmax(float[] v, float[] offset) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] - offset[i] > v[best] - offset[best]) {
                best = i;
            }
        }
        return best;
    }
}
