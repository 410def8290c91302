package io.densenetflink.job.cli;

import ai.djl.Device;
import io.densenetflink.model.data.FashionMnist;
import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.train.Evaluation;
import io.densenetflink.model.train.EvaluationReport;
import io.densenetflink.model.train.Evaluator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densenet eval}: accuracy, per-class accuracy and confusion matrix of a model on the test set. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        header = "Evaluate a model on the Fashion-MNIST test set.",
        description = "Evaluate a model on the Fashion-MNIST test set (t10k-*): accuracy, per-class accuracy and the "
                + "confusion matrix; --report also draws them into a PNG image.")
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory.")
    Path model;

    @Option(names = "--dataset", defaultValue = FashionMnist.NAME, paramLabel = "NAME",
            description = "Data set (only fashion-mnist).")
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Directory with t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]"
                    + " (default /usr/share/datasets/fashion-mnist; models/fashion-mnist-sample holds 1,000).")
    Path dataDir = FashionMnist.DEBIAN_DIR;

    @Option(names = "--report", paramLabel = "FILE.png", description = "Also draw the confusion matrix and per-class accuracy into a PNG.")
    Path report;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Evaluate only the first N test images (default: all).")
    int limit;

    @Option(names = "--split", defaultValue = "test", paramLabel = "test|train",
            description = "Which split (default test; train with --offset for images a calibration did not use).")
    String split;

    @Option(names = "--offset", defaultValue = "0", paramLabel = "N", description = "Skip the split's first N images (default 0).")
    int offset;

    @Option(names = "--agree-with", paramLabel = "DIR",
            description = "Also report the top-1 agreement with the model in DIR (e.g. an int8 model's fp32 source).")
    Path agreeWith;

    @Option(names = "--batch-size", defaultValue = "250", paramLabel = "B", description = "Images per forward (default 250).")
    int batchSize;

    @Mixin
    RuntimeOptions runtime;

    /** The model's predictions scored against the other model's predictions as labels. */
    private Evaluation agreement(DenseNetClassifier classifier, LabeledImages images, Device device) throws Exception {
        try (DenseNetClassifier other = DenseNetClassifier.load(agreeWith, device, runtime.mode())) {
            int[] predicted = Evaluator.predictions(other, images, batchSize);
            byte[] labels = new byte[predicted.length];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (byte) predicted[i];
            }
            LabeledImages relabeled = new LabeledImages(images.pixels(), labels, images.rows(), images.cols());
            return Evaluator.evaluate(classifier, relabeled, batchSize, null);
        }
    }

    @Override
    public Integer call() throws Exception {
        FashionMnist.requireSupported(dataset);
        if (limit < 0 || offset < 0) {
            throw new IllegalArgumentException("--limit and --offset must be >= 0, got " + limit + " and " + offset);
        }
        FashionMnist.Split chosen = switch (split) {
            case "test" -> FashionMnist.Split.TEST;
            case "train" -> FashionMnist.Split.TRAIN;
            default -> throw new IllegalArgumentException("--split: expected test or train, got '" + split + "'");
        };
        if (report != null && !report.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException("--report must name a .png file, got " + report);
        }
        LabeledImages test = FashionMnist.load(dataDir, chosen);
        if (offset >= test.count()) {
            throw new IllegalArgumentException("--offset " + offset + " leaves none of the " + test.count() + " images");
        }
        int count = limit > 0 ? Math.min(limit, test.count() - offset) : test.count() - offset;
        test = test.select(java.util.stream.IntStream.range(offset, offset + count).toArray());
        Device device = runtime.apply();
        Evaluation evaluation;
        Evaluation agreement = null;
        String modelName;
        try (DenseNetClassifier classifier = DenseNetClassifier.load(model, device, runtime.mode())) {
            modelName = classifier.artifact().name();
            evaluation = Evaluator.evaluate(classifier, test, batchSize, System.err);
            if (agreeWith != null) {
                agreement = agreement(classifier, test, device);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "model %s on %d Fashion-MNIST %s images from %s%n%n", model, test.count(),
                chosen == FashionMnist.Split.TEST ? "test" : "training", dataDir);
        out.print(evaluation.format());
        if (agreement != null) {
            out.printf(Locale.ROOT, "%ntop-1 agreement with %s: %.2f%% (%d of %d)%n", agreeWith,
                    100 * agreement.accuracy(), agreement.correct(), agreement.total());
        }
        if (report != null) {
            EvaluationReport.write(evaluation, modelName + " on Fashion-MNIST test (" + test.count() + " images)",
                    report);
            out.printf("%nreport written to %s%n", report);
        }
        out.flush();
        return 0;
    }
}
