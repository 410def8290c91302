package io.densenetflink.model.bench;

import ai.djl.ndarray.types.Shape;
import io.densenetflink.model.inference.DenseNetClassifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Measures a classifier's raw forward throughput on random input: a warm-up, then as many batches as fit
 * in the time given, per batch size. Peak resident memory is reset before each batch size so each row
 * reports its own high-water mark.
 */
public final class ModelBenchmark {

    /** One measured batch size. */
    public record Result(int batch, int batches, double seconds, double imagesPerSecond, double medianBatchMs,
            long peakRssMb) {}

    private final DenseNetClassifier classifier;
    private final int height;
    private final int width;

    public ModelBenchmark(DenseNetClassifier classifier, int height, int width) {
        this.classifier = classifier;
        this.height = height;
        this.width = width;
    }

    /** Runs every batch size in order, reporting each result to {@code sink} as soon as it is measured. */
    public List<Result> run(int[] batchSizes, double seconds, int warmupBatches, Consumer<Result> sink) {
        List<Result> results = new ArrayList<>();
        for (int batch : batchSizes) {
            Result r = measure(batch, seconds, warmupBatches);
            sink.accept(r);
            results.add(r);
        }
        return results;
    }

    private Result measure(int batch, double seconds, int warmupBatches) {
        int channels = classifier.artifact().inputChannels();
        Shape shape = new Shape(batch, channels, height, width);
        float[] input = new float[(int) shape.size()];
        Random random = new Random(batch);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        ProcessMemory.resetPeak();
        for (int i = 0; i < warmupBatches; i++) {
            classifier.logits(input, shape);
        }
        List<Double> times = new ArrayList<>();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        do {
            long t0 = System.nanoTime();
            classifier.logits(input, shape);
            times.add((System.nanoTime() - t0) / 1e6);
        } while (System.nanoTime() < deadline);
        double elapsed = (System.nanoTime() - start) / 1e9;
        times.sort(Double::compare);
        double median = times.get(times.size() / 2);
        return new Result(batch, times.size(), elapsed, times.size() * (double) batch / elapsed, median,
                ProcessMemory.peakResidentMb());
    }
}
