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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code densenet eval}: accuracy, per-class accuracy and confusion matrix of a model on the test set. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model on the Fashion-MNIST test set (t10k-*): accuracy,",
            "per-class accuracy and the confusion matrix; --report also draws",
            "them into a PNG image."})
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

    @Option(names = "--batch-size", defaultValue = "250", paramLabel = "B", description = "Images per forward (default 250).")
    int batchSize;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        FashionMnist.requireSupported(dataset);
        if (limit < 0) {
            throw new IllegalArgumentException("--limit must be >= 0 (0 = all), got " + limit);
        }
        if (report != null && !report.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException("--report must name a .png file, got " + report);
        }
        LabeledImages test = FashionMnist.load(dataDir, FashionMnist.Split.TEST);
        if (limit > 0) {
            test = test.first(limit);
        }
        Device device = runtime.apply();
        Evaluation evaluation;
        String modelName;
        try (DenseNetClassifier classifier = DenseNetClassifier.load(model, device, runtime.mode())) {
            modelName = classifier.artifact().name();
            evaluation = Evaluator.evaluate(classifier, test, batchSize, System.err);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "model %s on %d Fashion-MNIST test images from %s%n%n", model, test.count(), dataDir);
        out.print(evaluation.format());
        if (report != null) {
            EvaluationReport.write(evaluation, modelName + " on Fashion-MNIST test (" + test.count() + " images)",
                    report);
            out.printf("%nreport written to %s%n", report);
        }
        out.flush();
        return 0;
    }
}
