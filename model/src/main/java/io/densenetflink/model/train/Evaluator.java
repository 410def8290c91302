package io.densenetflink.model.train;

import io.densenetflink.model.console.ProgressBar;
import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.inference.Prediction;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Runs a loaded classifier over a labelled image set and collects an {@link Evaluation}. */
public final class Evaluator {

    private Evaluator() {}

    /**
     * Classifies every image of {@code data} in batches of {@code batchSize} (normalised with the model's own
     * preprocessing mean and std) and compares with the labels.
     *
     * @param progress where a progress bar goes, or null for none
     */
    public static Evaluation evaluate(DenseNetClassifier classifier, LabeledImages data, int batchSize,
            PrintStream progress) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        }
        var pre = classifier.preprocessing();
        if (pre.cropHeight() != data.rows() || pre.cropWidth() != data.cols()) {
            throw new IllegalArgumentException("the model takes " + pre.cropHeight() + "x" + pre.cropWidth()
                    + " images, the data set's are " + data.rows() + "x" + data.cols());
        }
        if (classifier.numClasses() <= maxLabel(data)) {
            throw new IllegalArgumentException("the data set has label " + maxLabel(data) + " but the model only "
                    + classifier.numClasses() + " classes");
        }
        Evaluation evaluation = new Evaluation(classifier.artifact().labels());
        long batches = (data.count() + batchSize - 1) / batchSize;
        ProgressBar bar = new ProgressBar(progress == null ? null : new PrintWriter(progress, true), "eval", batches,
                "img", ProgressBar.stderrIsTerminal(), 30);
        classify(classifier, data, batchSize, (from, predicted) -> {
            for (int i = 0; i < predicted.length; i++) {
                evaluation.add(data.label(from + i), predicted[i]);
            }
            bar.update(from / batchSize + 1, from + predicted.length,
                    String.format(Locale.ROOT, " acc %.2f%%", 100 * evaluation.accuracy()));
        });
        bar.finish();
        return evaluation;
    }

    /** The top-1 class of every image of {@code data}, in batches of {@code batchSize}. */
    public static int[] predictions(DenseNetClassifier classifier, LabeledImages data, int batchSize) {
        int[] out = new int[data.count()];
        classify(classifier, data, batchSize, (from, predicted) -> System.arraycopy(predicted, 0, out, from,
                predicted.length));
        return out;
    }

    /** Receives the top-1 classes of the images from index {@code from} on. */
    private interface BatchPredictions {
        void accept(int from, int[] predicted);
    }

    /** Classifies {@code data} batch by batch (normalised with the model's own mean and std). */
    private static void classify(DenseNetClassifier classifier, LabeledImages data, int batchSize,
            BatchPredictions sink) {
        PixelNormaliser normaliser = PixelNormaliser.of(classifier.preprocessing());
        float[] batch = new float[batchSize * data.imageSize()];
        for (int from = 0; from < data.count(); from += batchSize) {
            int n = Math.min(batchSize, data.count() - from);
            normaliser.normalise(data, from, n, batch);
            List<Prediction> predictions = classifier.classify(batch, n, 1);
            int[] predicted = new int[n];
            for (int i = 0; i < n; i++) {
                predicted[i] = predictions.get(i).best().index();
            }
            sink.accept(from, predicted);
        }
    }

    private static int maxLabel(LabeledImages data) {
        int max = 0;
        for (int i = 0; i < data.count(); i++) {
            max = Math.max(max, data.label(i));
        }
        return max;
    }
}
