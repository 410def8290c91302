package io.densenetflink.model.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Classification results against the truth: a confusion matrix ({@code matrix[truth][predicted]}), overall and
 * per-class accuracy, and a text rendering of both.
 */
public final class Evaluation {

    private final List<String> labels;
    private final long[][] matrix;
    private long total;
    private long correct;

    public Evaluation(List<String> labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("an evaluation needs at least one class");
        }
        this.labels = List.copyOf(labels);
        this.matrix = new long[labels.size()][labels.size()];
    }

    /** Records one image of class {@code truth} predicted as {@code predicted}. */
    public void add(int truth, int predicted) {
        matrix[truth][predicted]++;
        total++;
        if (truth == predicted) {
            correct++;
        }
    }

    public List<String> labels() {
        return labels;
    }

    public int classes() {
        return labels.size();
    }

    /** Images recorded. */
    public long total() {
        return total;
    }

    public long correct() {
        return correct;
    }

    /** Images of class {@code truth} predicted as {@code predicted}. */
    public long count(int truth, int predicted) {
        return matrix[truth][predicted];
    }

    /** Images whose true class is {@code truth}. */
    public long support(int truth) {
        long n = 0;
        for (long v : matrix[truth]) {
            n += v;
        }
        return n;
    }

    /** Fraction classified correctly (0..1); NaN when nothing was recorded. */
    public double accuracy() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /** Recall of each class: correct / images of that class (NaN for a class with no images). */
    public double[] perClassAccuracy() {
        double[] out = new double[classes()];
        for (int c = 0; c < out.length; c++) {
            long n = support(c);
            out[c] = n == 0 ? Double.NaN : (double) matrix[c][c] / n;
        }
        return out;
    }

    /** Accuracy, per-class accuracy and the confusion matrix, as aligned text. */
    public String format() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "accuracy: %.2f%% (%d of %d)%n", 100 * accuracy(), correct, total));
        b.append(String.format(Locale.ROOT, "%nper-class accuracy:%n"));
        int width = 0;
        for (String l : labels) {
            width = Math.max(width, l.length());
        }
        double[] perClass = perClassAccuracy();
        for (int c = 0; c < classes(); c++) {
            b.append(String.format(Locale.ROOT, "  %-" + width + "s %7.2f%%  (%d of %d)%n", labels.get(c),
                    100 * perClass[c], matrix[c][c], support(c)));
        }
        b.append(String.format(Locale.ROOT, "%nconfusion matrix (rows: true class, columns: predicted):%n"));
        int cell = 5;
        for (long[] row : matrix) {
            for (long v : row) {
                cell = Math.max(cell, Long.toString(v).length() + 1);
            }
        }
        b.append(" ".repeat(width + 6));
        for (int c = 0; c < classes(); c++) {
            b.append(String.format(Locale.ROOT, "%" + cell + "s", "[" + c + "]"));
        }
        b.append('\n');
        for (int t = 0; t < classes(); t++) {
            b.append(String.format(Locale.ROOT, "  [%d] %-" + width + "s", t, labels.get(t)));
            if (t < 10) {
                b.append(' ');
            }
            for (int p = 0; p < classes(); p++) {
                b.append(String.format(Locale.ROOT, "%" + cell + "d", matrix[t][p]));
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** The per-class accuracies as a list, for JSON. */
    public List<Double> perClassAccuracyList() {
        List<Double> out = new ArrayList<>();
        for (double v : perClassAccuracy()) {
            out.add(v);
        }
        return out;
    }
}
