package io.densenetflink.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.model.bench.ProcessMemory;
import io.densenetflink.operators.types.ClassificationSerializer;
import io.densenetflink.operators.types.FrameSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 20 failovers inside one task manager: each restart closes the slot's model and threads before the next
 * attempt opens its own, so threads and resident memory stay flat. The model has DenseNet-121's widths
 * (28 MB of weights, more in native buffers): one leaked copy per restart would add hundreds of MB.
 */
class FailoverLoopTest {

    private static final int RESTARTS = 20;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.oneTaskManager(1);

    private static final String MODEL = TestModels.medium();

    /** What the process held when each attempt failed. */
    record Sample(int attempt, int slotThreads, int densenetThreads, int jvmThreads, long nativeThreads,
            long residentMb, long nativeMb, int openModels) {}

    static final List<Sample> SAMPLES = new CopyOnWriteArrayList<>();

    /** Fails every attempt but the last at its 5th result, after sampling the process. */
    static final class FailingAfterFiveResults extends RichMapFunction<Classification, Classification> {
        private int attempt;
        private int seen;

        @Override
        public void open(OpenContext context) {
            attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        }

        @Override
        public Classification map(Classification c) {
            if (++seen == 5 && attempt < RESTARTS) {
                System.gc();
                long heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() >> 20;
                long rss = ProcessMemory.residentMb();
                SAMPLES.add(new Sample(attempt, threadsNamed("densenet-0-"), threadsNamed("densenet-"),
                        Thread.getAllStackTraces().size(), nativeThreads(), rss, rss - heapMb,
                        FaultyClassifierFactory.OPEN_MODELS.get()));
                throw new IllegalStateException("injected failover " + attempt);
            }
            return c;
        }
    }

    /**
     * Live threads named {@code prefix}...: {@code densenet-0-} the slot's own (inference, decoding, watchdog),
     * {@code densenet-} also the idle inference carriers (some maybe left from earlier tests, ending meanwhile).
     */
    static int threadsNamed(String prefix) {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    /** Threads of the process, native ones (OpenMP's) included. */
    static long nativeThreads() {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void twentyRestartsInOneTaskManagerLeaveThreadsAndResidentMemoryFlat() throws Exception {
        FaultyClassifierFactory.reset();
        SAMPLES.clear();
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, RESTARTS + 5);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        InferenceOptions options = InferenceOptions.builder(new FaultyClassifierFactory(MODEL)).maxBatchSize(2)
                .maxDelay(Duration.ofMillis(5)).device("cpu").build();
        var frames = env.fromSequence(0, 11)
                .map((MapFunction<Long, Frame>) i -> TestModels.frame("cam", "f" + i, TestModels.png(i)))
                .returns(FrameSerializer.TYPE_INFO);
        DenseNetInference.classify(frames, options).results().map(new FailingAfterFiveResults())
                .returns(ClassificationSerializer.TYPE_INFO).sinkTo(new DiscardingSink<>());
        env.execute("failover-loop");

        SAMPLES.forEach(System.out::println);
        assertEquals(RESTARTS, SAMPLES.size(), SAMPLES.toString());
        for (Sample s : SAMPLES) {
            assertEquals(1, s.openModels(), "only the running attempt's model is open: " + s);
        }
        Sample early = SAMPLES.get(4);
        Sample last = SAMPLES.get(SAMPLES.size() - 1);
        int perAttempt = SAMPLES.get(1).slotThreads();
        assertTrue(SAMPLES.stream().skip(1).allMatch(s -> s.slotThreads() == perAttempt),
                "the slot's threads must not pile up: " + SAMPLES);
        assertTrue(SAMPLES.stream().allMatch(s -> s.densenetThreads() <= SAMPLES.get(0).densenetThreads()),
                "a restarted slot runs on the carrier its predecessor left: " + SAMPLES);
        assertTrue(last.jvmThreads() - early.jvmThreads() <= 10, "JVM threads grew: " + SAMPLES);
        assertTrue(last.nativeThreads() - early.nativeThreads() <= 10, "native threads grew: " + SAMPLES);
        assertTrue(last.nativeMb() - early.nativeMb() < 100, "native memory grew: " + SAMPLES);
        assertTrue(last.residentMb() - early.residentMb() < 200, "resident memory grew: " + SAMPLES);
    }
}
