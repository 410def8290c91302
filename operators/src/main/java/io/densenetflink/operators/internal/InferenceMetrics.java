package io.densenetflink.operators.internal;

import io.densenetflink.operators.FailureReason;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The operator's metrics, in the subtask's metric group under {@code densenet}: {@code framesIn}, {@code
 * resultsOut}, {@code failures.<REASON>}, {@code imagesPerSecond}, histograms {@code batchSize}, {@code
 * queueWaitMs} and {@code inferenceMs}, gauges {@code modelLoadMs}, {@code maxBatchSize}, {@code inFlight},
 * {@code inFlightBytes}, {@code maxInFlightBytes}, {@code device} and {@code gpu}; for model versions the gauge
 * {@code modelVersion} (the version frames submitted now get; 0 for a fixed model) and the counters {@code
 * modelSwaps} (checkpoints at which a newer version took over) and {@code modelRejected} (versions refused).
 */
final class InferenceMetrics implements BatchListener {

    private static final int HISTOGRAM_WINDOW = 1000;

    private final MetricGroup group;
    private final MetricGroup failureGroup;
    private final Counter framesIn;
    private final Counter resultsOut;
    private final Counter modelSwaps;
    private final Counter modelRejected;
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final Histogram batchSize;
    private final Histogram queueWait;
    private final Histogram inference;
    private final AtomicInteger currentMaxBatch = new AtomicInteger();
    private volatile long modelLoadMillis = -1;

    /** What the slot runs on, for the {@code device} and {@code gpu} gauges. */
    record Placement(String device, int leasedGpu) {}

    /** The slot's in-flight state, for the gauges. */
    record InFlight(IntSupplier frames, LongSupplier bytes, long maxBytes) {}

    InferenceMetrics(MetricGroup parent, int initialMaxBatch, InFlight inFlight, Placement placement,
            LongSupplier modelVersion) {
        group = parent.addGroup("densenet");
        failureGroup = group.addGroup("failures");
        framesIn = group.counter("framesIn", new ThreadSafeSimpleCounter());
        resultsOut = group.counter("resultsOut", new ThreadSafeSimpleCounter());
        group.meter("imagesPerSecond", new MeterView(resultsOut));
        batchSize = group.histogram("batchSize", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        queueWait = group.histogram("queueWaitMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        inference = group.histogram("inferenceMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        currentMaxBatch.set(initialMaxBatch);
        group.gauge("maxBatchSize", (Gauge<Integer>) currentMaxBatch::get);
        group.gauge("modelLoadMs", (Gauge<Long>) () -> modelLoadMillis);
        group.gauge("inFlight", (Gauge<Integer>) inFlight.frames()::getAsInt);
        group.gauge("inFlightBytes", (Gauge<Long>) inFlight.bytes()::getAsLong);
        group.gauge("maxInFlightBytes", (Gauge<Long>) inFlight::maxBytes);
        group.gauge("device", (Gauge<String>) placement::device);
        group.gauge("gpu", (Gauge<Integer>) placement::leasedGpu);
        group.gauge("modelVersion", (Gauge<Long>) modelVersion::getAsLong);
        modelSwaps = group.counter("modelSwaps", new ThreadSafeSimpleCounter());
        modelRejected = group.counter("modelRejected", new ThreadSafeSimpleCounter());
    }

    void modelSwapped() {
        modelSwaps.inc();
    }

    @Override
    public void modelRejected(long version, String why) {
        modelRejected.inc();
    }

    void modelLoaded(long millis) {
        modelLoadMillis = millis;
    }

    void frameIn() {
        framesIn.inc();
    }

    void resultOut() {
        resultsOut.inc();
    }

    void failure(FailureReason reason) {
        failures.computeIfAbsent(reason.name(), r -> failureGroup.counter(r, new ThreadSafeSimpleCounter())).inc();
    }

    @Override
    public void batchCompleted(int size, long inferenceMillis, long[] queueMillis) {
        batchSize.update(size);
        inference.update(inferenceMillis);
        for (long q : queueMillis) {
            queueWait.update(q);
        }
    }

    @Override
    public void maxBatchSizeChanged(int newLimit) {
        currentMaxBatch.set(newLimit);
    }
}
