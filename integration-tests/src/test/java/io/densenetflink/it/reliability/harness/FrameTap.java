package io.densenetflink.it.reliability.harness;

import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.operators.Frame;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A pass-through operator put between the Kafka source and the DenseNet operator: it records every frame it
 * passes with the task attempt that passed it (so a test knows which frames a restart replayed), tells when a
 * checkpoint completed, and, when armed, throws one exception at a chosen frame after the first completed
 * checkpoint.
 *
 * <p>The MiniCluster runs in the test's JVM but the function is serialised into the job, so what it records goes
 * to a static registry keyed by the test's name, not to fields.
 */
public final class FrameTap extends RichMapFunction<Frame, Frame> implements CheckpointListener {

    private static final long serialVersionUID = 1L;

    private static final Map<String, Log> LOGS = new ConcurrentHashMap<>();

    /** One frame passing the tap: its coordinates in the input topic and the attempt of the task. */
    public record Passage(String frameId, int partition, long offset, int attempt) {}

    /** What one test's tap saw. */
    public static final class Log {
        private final Queue<Passage> passages = new ConcurrentLinkedQueue<>();
        private final AtomicLong lastCompletedCheckpoint = new AtomicLong();
        private final AtomicInteger framesAfterFirstCheckpoint = new AtomicInteger();
        private final AtomicInteger framesSinceLastCheckpoint = new AtomicInteger();
        private final AtomicBoolean failed = new AtomicBoolean();
        private final int failAtFrame;
        private final int minFramesSinceCheckpoint;

        private Log(int failAtFrame, int minFramesSinceCheckpoint) {
            this.failAtFrame = failAtFrame;
            this.minFramesSinceCheckpoint = minFramesSinceCheckpoint;
        }

        /** The id of the latest checkpoint any subtask was told is complete (0: none yet). */
        public long lastCompletedCheckpoint() {
            return lastCompletedCheckpoint.get();
        }

        /** Frames passed after the first checkpoint completed, all attempts. */
        public int framesAfterFirstCheckpoint() {
            return framesAfterFirstCheckpoint.get();
        }

        /** Whether the injected exception was thrown. */
        public boolean failed() {
            return failed.get();
        }

        /** The highest task attempt number seen (0: no task was ever restarted). */
        public int maxAttempt() {
            return passages.stream().mapToInt(Passage::attempt).max().orElse(0);
        }

        /** Frames that passed more than once: what the restart replayed from the restored checkpoint. */
        public Set<String> replayed() {
            Map<String, Integer> counts = new HashMap<>();
            passages.forEach(p -> counts.merge(p.frameId(), 1, Integer::sum));
            return counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                    .collect(Collectors.toCollection(TreeSet::new));
        }

        /** The lowest offset of {@code partition} a restarted task (attempt 1 or later) read from the source. */
        public long firstOffsetAfterRestart(int partition) {
            return passages.stream().filter(p -> p.attempt() > 0 && p.partition() == partition)
                    .mapToLong(Passage::offset).min()
                    .orElseThrow(() -> new AssertionError("no restarted task read partition " + partition));
        }
    }

    private final String test;

    private FrameTap(String test) {
        this.test = test;
    }

    /** Puts a recording tap (never failing) on {@code frames}; its log is {@link #log(String)} of {@code test}. */
    public static DataStream<Frame> recording(DataStream<Frame> frames, String test) {
        return tap(frames, test, new Log(-1, 0));
    }

    /**
     * Puts a tap on {@code frames} that throws once, at the {@code failAtFrame}-th frame (from 1) passed after the
     * first checkpoint completed, and only once at least {@code minFramesSinceCheckpoint} frames passed since the
     * latest completed checkpoint (so the failure lands with work done that the restart must replay).
     */
    public static DataStream<Frame> failingOnce(DataStream<Frame> frames, String test, int failAtFrame,
            int minFramesSinceCheckpoint) {
        if (failAtFrame < 1) {
            throw new IllegalArgumentException("failAtFrame must be >= 1");
        }
        return tap(frames, test, new Log(failAtFrame, minFramesSinceCheckpoint));
    }

    private static DataStream<Frame> tap(DataStream<Frame> frames, String test, Log log) {
        LOGS.put(test, log);
        return frames.map(new FrameTap(test)).returns(Frame.class).name("frame-tap").uid("frame-tap");
    }

    /** What the tap of {@code test} saw. */
    public static Log log(String test) {
        Log log = LOGS.get(test);
        if (log == null) {
            throw new IllegalStateException("no tap was put into the job of " + test);
        }
        return log;
    }

    @Override
    public Frame map(Frame frame) {
        Log log = LOGS.get(test);
        log.passages.add(new Passage(frame.frameId(), Integer.parseInt(frame.headers().get(FrameHeaders.PARTITION)),
                Long.parseLong(frame.headers().get(FrameHeaders.OFFSET)),
                getRuntimeContext().getTaskInfo().getAttemptNumber()));
        int sinceLast = log.framesSinceLastCheckpoint.incrementAndGet();
        if (log.lastCompletedCheckpoint.get() > 0) {
            int n = log.framesAfterFirstCheckpoint.incrementAndGet();
            if (log.failAtFrame > 0 && n >= log.failAtFrame && sinceLast >= log.minFramesSinceCheckpoint
                    && log.failed.compareAndSet(false, true)) {
                throw new InjectedFailure("injected failure at frame " + frame.frameId() + ", " + n
                        + " frames after the first completed checkpoint");
            }
        }
        return frame;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Log log = LOGS.get(test);
        log.lastCompletedCheckpoint.accumulateAndGet(checkpointId, Math::max);
        log.framesSinceLastCheckpoint.set(0);
    }

    /** The exception the tap throws: named, so a log reader sees at once that it was planned. */
    public static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }
}
