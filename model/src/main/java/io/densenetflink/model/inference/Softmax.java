package io.densenetflink.model.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Probabilities and top-k from logits, done in Java: cheap next to the network, and exact per row. */
final class Softmax {

    private Softmax() {}

    /** Numerically stable softmax of {@code logits[from, from+n)}. */
    static float[] probabilities(float[] logits, int from, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[from + i]);
        }
        double sum = 0;
        double[] exp = new double[n];
        for (int i = 0; i < n; i++) {
            exp[i] = Math.exp(logits[from + i] - max);
            sum += exp[i];
        }
        float[] p = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) (exp[i] / sum);
        }
        return p;
    }

    static List<ScoredLabel> topK(float[] probabilities, List<String> labels, int k) {
        Integer[] order = new Integer[probabilities.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> probabilities[i]).reversed());
        int n = Math.min(k, order.length);
        List<ScoredLabel> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int c = order[i];
            out.add(new ScoredLabel(c, labels.get(c), probabilities[c]));
        }
        return out;
    }
}
