package io.densenetflink.job.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.image.ImageDecodeException;
import io.densenetflink.model.image.ImagePreprocessor;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.inference.Prediction;
import io.densenetflink.model.inference.ScoredLabel;
import io.densenetflink.model.tensor.NpyFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code densenet predict}: logits for a tensor file, or the top classes of image files. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        header = "Classify image files, or run a preprocessed tensor.",
        description = "Classify image files (prints the top classes per image), or run a preprocessed NCHW float "
                + "tensor (--tensor X.npy) and write raw logits (--out Y.npy).")
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory.")
    Path model;

    @Option(names = "--tensor", paramLabel = "X.npy", description = "Input tensor, float32 N x C x H x W.")
    Path tensor;

    @Option(names = "--out", paramLabel = "Y.npy", description = "Where to write the logits (N x classes, float32).")
    Path out;

    @Option(names = "--top-k", defaultValue = "5", paramLabel = "K", description = "Classes to print per image (default 5).")
    int topK;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "B", description = "Images per forward (default 8).")
    int batchSize;

    @Mixin
    RuntimeOptions runtime;

    @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "Image files (JPEG, PNG, BMP, GIF).")
    List<Path> images = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if ((tensor == null) == images.isEmpty()) {
            throw new IllegalArgumentException("give either --tensor X.npy --out Y.npy, or one or more IMAGE files");
        }
        if (tensor != null && out == null) {
            throw new IllegalArgumentException("--tensor needs --out Y.npy for the logits");
        }
        if (topK <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("--top-k and --batch-size must be > 0");
        }
        Device device = runtime.apply();
        try (DenseNetClassifier classifier = DenseNetClassifier.load(model, device, runtime.mode())) {
            return tensor != null ? predictTensor(classifier) : predictImages(classifier);
        }
    }

    private int predictTensor(DenseNetClassifier classifier) throws Exception {
        MxEngineSetup.ensureConfigured();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), MxEngineSetup.ENGINE)) {
            NDArray input = NpyFiles.readFloat32(manager, tensor);
            float[] logits = classifier.logits(input.toFloatArray(), input.getShape());
            long n = input.getShape().get(0);
            NpyFiles.writeFloat32(out, logits, n, logits.length / n);
            spec.commandLine().getOut().printf("wrote logits %d x %d to %s%n", n, logits.length / n, out);
        }
        return 0;
    }

    private int predictImages(DenseNetClassifier classifier) throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        ImagePreprocessor preprocessor = new ImagePreprocessor(classifier.preprocessing());
        int size = classifier.imageSize();
        int failures = 0;
        List<Path> batch = new ArrayList<>();
        float[] pixels = new float[batchSize * size];
        for (int i = 0; i <= images.size(); i++) {
            if (i < images.size()) {
                Path image = images.get(i);
                try {
                    if (!Files.isRegularFile(image)) {
                        throw new java.io.FileNotFoundException("no such file");
                    }
                    preprocessor.preprocessInto(Files.readAllBytes(image), pixels, batch.size() * size);
                    batch.add(image);
                } catch (ImageDecodeException e) {
                    stderr.printf("%s: %s: %s%n", image, e.reason(), e.getMessage());
                    failures++;
                } catch (java.io.IOException e) {
                    stderr.printf("%s: cannot read: %s%n", image, e.getMessage());
                    failures++;
                }
            }
            boolean last = i == images.size();
            if (!batch.isEmpty() && (batch.size() == batchSize || last)) {
                List<Prediction> predictions = classifier.classify(pixels, batch.size(), topK);
                for (int j = 0; j < batch.size(); j++) {
                    stdout.println(batch.get(j));
                    for (ScoredLabel s : predictions.get(j).topK()) {
                        stdout.printf("  %6.2f%%  %s (class %d)%n", 100 * s.probability(), s.label(), s.index());
                    }
                }
                batch.clear();
            }
        }
        return failures == 0 ? 0 : CliErrors.USAGE;
    }
}
