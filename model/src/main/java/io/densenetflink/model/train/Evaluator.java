package io.densenetflink.model.train;

import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.inference.Prediction;
import java.io.PrintStream;
import java.util.List;

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
        PixelNormaliser normaliser = PixelNormaliser.of(pre);
        Evaluation evaluation = new Evaluation(classifier.artifact().labels());
        float[] batch = new float[batchSize * data.imageSize()];
        long batches = (data.count() + batchSize - 1) / batchSize;
        ProgressBar bar = new ProgressBar(progress, "eval", batches, ProgressBar.stderrIsTerminal(), 30);
        for (int from = 0, b = 0; from < data.count(); from += batchSize, b++) {
            int n = Math.min(batchSize, data.count() - from);
            normaliser.normalise(data, from, n, batch);
            List<Prediction> predictions = classifier.classify(batch, n, 1);
            for (int i = 0; i < n; i++) {
                evaluation.add(data.label(from + i), predictions.get(i).best().index());
            }
            bar.update(b + 1, Double.NaN, evaluation.accuracy(), from + n, Float.NaN);
        }
        bar.finish();
        return evaluation;
    }

    private static int maxLabel(LabeledImages data) {
        int max = 0;
        for (int i = 0; i < data.count(); i++) {
            max = Math.max(max, data.label(i));
        }
        return max;
    }
}
