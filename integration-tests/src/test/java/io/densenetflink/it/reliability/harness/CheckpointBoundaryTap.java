package io.densenetflink.it.reliability.harness;

import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.operators.Frame;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A pass-through operator put right before the DenseNet operator (same parallelism, forward connection, so a
 * barrier passes it between the same frames it passes the DenseNet operator): at each checkpoint it records, per
 * input partition, the offset of the first frame after the barrier, with the task attempt that took it. When a
 * test {@linkplain Log#failOnNextFrame() arms} it, it throws once, at the next frame.
 *
 * <p>The function is serialised into the job, so what it records goes to a static registry keyed by the test.
 */
public final class CheckpointBoundaryTap extends RichMapFunction<Frame, Frame> implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    private static final Map<String, Log> LOGS = new ConcurrentHashMap<>();

    /** A checkpoint barrier in one partition's frames: {@code offset} is the first frame after it. */
    public record Boundary(int partition, long offset, long checkpointId, int attempt) {}

    /** What one test's tap saw. */
    public static final class Log {
        private final Queue<Boundary> boundaries = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean armed = new AtomicBoolean();
        private final AtomicBoolean failed = new AtomicBoolean();

        public Queue<Boundary> boundaries() {
            return boundaries;
        }

        /** The next frame through any subtask throws (once). */
        public void failOnNextFrame() {
            armed.set(true);
        }

        public boolean failed() {
            return failed.get();
        }
    }

    private final String test;
    /** The last offset this subtask passed, by partition. */
    private transient Map<Integer, Long> lastOffsets;

    private CheckpointBoundaryTap(String test) {
        this.test = test;
    }

    /** Puts the tap on {@code frames}; its log is {@link #log(String)} of {@code test}. */
    public static DataStream<Frame> on(DataStream<Frame> frames, String test) {
        LOGS.put(test, new Log());
        return frames.map(new CheckpointBoundaryTap(test)).returns(Frame.class).name("boundary-tap")
                .uid("boundary-tap");
    }

    public static Log log(String test) {
        return LOGS.get(test);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        lastOffsets = new HashMap<>();
    }

    @Override
    public Frame map(Frame frame) {
        Log log = LOGS.get(test);
        if (log.armed.get() && log.failed.compareAndSet(false, true)) {
            throw new FrameTap.InjectedFailure("injected failure at frame " + frame.frameId() + ", right after the"
                    + " model switch");
        }
        lastOffsets.put(Integer.parseInt(frame.headers().get(FrameHeaders.PARTITION)),
                Long.parseLong(frame.headers().get(FrameHeaders.OFFSET)));
        return frame;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        Log log = LOGS.get(test);
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        lastOffsets.forEach((partition, offset) -> log.boundaries.add(new Boundary(partition, offset + 1,
                context.getCheckpointId(), attempt)));
    }
}
