package io.densenetflink.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.operators.types.FrameSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operator in real Flink jobs on a MiniCluster with two slots. */
class DenseNetInferenceJobTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.oneTaskManager(2);

    private static final String MODEL = TestModels.tiny();

    private static List<Frame> interleaved(int sources, int perSource) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < perSource; i++) {
            for (int s = 0; s < sources; s++) {
                frames.add(TestModels.frame("cam" + s, "cam" + s + "-" + i, TestModels.png(s * 1000L + i)));
            }
        }
        return frames;
    }

    private static List<Classification> run(DataStream<Frame> frames, InferenceOptions options) throws Exception {
        List<Classification> out = new ArrayList<>();
        try (CloseableIterator<Classification> it = DenseNetInference.classify(frames, options).results()
                .executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void perSourceOrderIsKeptWithFourSourcesInterleaved() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<Frame> frames = interleaved(4, 30);
        InferenceOptions options = InferenceOptions.builder(MODEL).maxBatchSize(8).maxDelay(Duration.ofMillis(10))
                .decodeThreads(3).device("cpu").build();
        List<Classification> results = run(env.fromData(frames, FrameSerializer.TYPE_INFO), options);
        assertEquals(frames.size(), results.size());
        Map<String, Integer> next = new HashMap<>();
        for (Classification c : results) {
            int index = Integer.parseInt(c.frameId().substring(c.frameId().indexOf('-') + 1));
            int expected = next.getOrDefault(c.sourceId(), 0);
            assertEquals(expected, index, "order broken for " + c.sourceId());
            next.put(c.sourceId(), expected + 1);
        }
        assertEquals(4, next.size());
    }

    @Test
    void twoSubtasksLoadTwoIndependentModels() throws Exception {
        FaultyClassifierFactory.reset();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        List<Frame> frames = interleaved(2, 40);
        InferenceOptions options = InferenceOptions.builder(new FaultyClassifierFactory(MODEL))
                .maxBatchSize(4).maxDelay(Duration.ofMillis(5)).device("cpu").build();
        List<Classification> results = run(env.fromData(frames, FrameSerializer.TYPE_INFO).rebalance(), options);
        assertEquals(frames.size(), results.size());
        assertEquals(frames.size(), results.stream().map(Classification::frameId).distinct().count());
        assertEquals(2, FaultyClassifierFactory.BATCHES_BY_MODEL.size(), "one model per subtask");
        FaultyClassifierFactory.BATCHES_BY_MODEL.values()
                .forEach(batches -> assertTrue(batches.get() > 0, "each model ran batches"));
    }

    /** Counts frames entering the operator; the operator's output counts them leaving. */
    static final AtomicLong ENTERED = new AtomicLong();
    static final AtomicLong LEFT = new AtomicLong();
    static final AtomicLong MAX_IN_FLIGHT = new AtomicLong();

    @Test
    void backpressureHoldsInFlightFramesAtTheBound() throws Exception {
        ENTERED.set(0);
        LEFT.set(0);
        MAX_IN_FLIGHT.set(0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<Frame> frames = interleaved(1, 60);
        int bound = 8;
        // A slow model (0.2 s per batch of 4) behind a source that could emit all 60 frames at once.
        InferenceOptions options = InferenceOptions.builder(new FaultyClassifierFactory(MODEL).sleepPerBatch(200))
                .maxBatchSize(4).maxInFlight(bound).maxDelay(Duration.ofMillis(5)).device("cpu").build();
        DataStream<Frame> counted = env.fromData(frames, FrameSerializer.TYPE_INFO).map((MapFunction<Frame, Frame>) f -> {
            long inFlight = ENTERED.incrementAndGet() - LEFT.get();
            MAX_IN_FLIGHT.accumulateAndGet(inFlight, Math::max);
            return f;
        }).returns(FrameSerializer.TYPE_INFO);
        List<Classification> results = new ArrayList<>();
        try (CloseableIterator<Classification> it = DenseNetInference.classify(counted, options).results()
                .map((MapFunction<Classification, Classification>) c -> {
                    LEFT.incrementAndGet();
                    return c;
                }).returns(io.densenetflink.operators.types.ClassificationSerializer.TYPE_INFO)
                .executeAndCollect()) {
            it.forEachRemaining(results::add);
        }
        assertEquals(60, results.size());
        // Source, counter, operator and output counter are chained: the difference is what the operator holds.
        assertTrue(MAX_IN_FLIGHT.get() <= bound + 1, "in flight reached " + MAX_IN_FLIGHT.get() + " > " + bound);
        assertTrue(MAX_IN_FLIGHT.get() >= bound, "the bound was never reached: " + MAX_IN_FLIGHT.get());
    }
}
