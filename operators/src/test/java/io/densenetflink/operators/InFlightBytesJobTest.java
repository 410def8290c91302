package io.densenetflink.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.operators.types.ClassificationSerializer;
import io.densenetflink.operators.types.FrameSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A burst of multi-MB frames: the slot holds at most {@code maxInFlightBytes} of them, whatever their count. */
class InFlightBytesJobTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.oneTaskManager(1);

    private static final String MODEL = TestModels.tiny();

    static final Map<String, Integer> SIZES = new ConcurrentHashMap<>();
    /** Four real 1100x1100 PNGs (about 1.2 MB each), encoded once: the source then emits faster than the model. */
    static final Map<Long, byte[]> PAYLOADS = new ConcurrentHashMap<>();
    static final AtomicLong IN_FLIGHT_BYTES = new AtomicLong();
    static final AtomicLong MAX_IN_FLIGHT_BYTES = new AtomicLong();

    @Test
    void aBurstOfLargeFramesIsBoundedInBytesNotOnlyInCount() throws Exception {
        SIZES.clear();
        IN_FLIGHT_BYTES.set(0);
        MAX_IN_FLIGHT_BYTES.set(0);
        int frames = 40;
        long bound = 4L << 20;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        // Frames of about 1.2 MB each behind a slow model (0.1 s per batch of 2); the count bound alone (16)
        // would let about 19 MB into the slot.
        InferenceOptions options = InferenceOptions.builder(new FaultyClassifierFactory(MODEL).sleepPerBatch(100))
                .maxBatchSize(2).maxInFlight(16).maxInFlightBytes(bound).maxDelay(Duration.ofMillis(5)).device("cpu")
                .build();
        DataStream<Frame> burst = env.fromSequence(0, frames - 1).map((MapFunction<Long, Frame>) i -> {
            byte[] payload = PAYLOADS.computeIfAbsent(i % 4, seed -> TestModels.largePng(seed, 1100));
            Frame f = TestModels.frame("cam", "f" + i, payload);
            SIZES.put(f.frameId(), f.payload().length);
            MAX_IN_FLIGHT_BYTES.accumulateAndGet(IN_FLIGHT_BYTES.addAndGet(f.payload().length), Math::max);
            return f;
        }).returns(FrameSerializer.TYPE_INFO);
        List<Classification> results = new ArrayList<>();
        try (CloseableIterator<Classification> it = DenseNetInference.classify(burst, options).results()
                .map((MapFunction<Classification, Classification>) c -> {
                    IN_FLIGHT_BYTES.addAndGet(-SIZES.get(c.frameId()));
                    return c;
                }).returns(ClassificationSerializer.TYPE_INFO).executeAndCollect()) {
            it.forEachRemaining(results::add);
        }
        assertEquals(frames, results.size());
        int largest = SIZES.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        // Chained in one task: what entered and has not left is what the operator holds, plus the frame entering.
        assertTrue(MAX_IN_FLIGHT_BYTES.get() <= bound + largest,
                "in flight reached " + MAX_IN_FLIGHT_BYTES.get() + " bytes, bound " + bound);
        assertTrue(MAX_IN_FLIGHT_BYTES.get() >= bound - largest, "the bound was never approached: "
                + MAX_IN_FLIGHT_BYTES.get());
    }
}
