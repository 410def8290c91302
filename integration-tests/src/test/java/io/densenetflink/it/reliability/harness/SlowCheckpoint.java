package io.densenetflink.it.reliability.harness;

import io.densenetflink.operators.Frame;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A pass-through operator that stalls one checkpoint: in the first attempt of the task, its snapshot of checkpoint
 * {@code stalledCheckpoint} takes {@code stall} (a slow state backend, a stuck file system). The task's thread is
 * blocked meanwhile, and the exactly-once sinks' open transactions stay open. Static state keyed by the test's
 * name, as in {@link FrameTap}.
 */
public final class SlowCheckpoint extends RichMapFunction<Frame, Frame> implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    private static final Map<String, AtomicBoolean> STALLED = new ConcurrentHashMap<>();

    private final String name;
    private final long stalledCheckpoint;
    private final long stallMillis;

    private SlowCheckpoint(String name, long stalledCheckpoint, Duration stall) {
        this.name = name;
        this.stalledCheckpoint = stalledCheckpoint;
        this.stallMillis = stall.toMillis();
    }

    /** {@code frames} through the operator; {@link #stalled(String)} tells afterwards whether it stalled. */
    public static DataStream<Frame> stalling(DataStream<Frame> frames, String name, long checkpoint, Duration stall) {
        STALLED.put(name, new AtomicBoolean());
        return frames.map(new SlowCheckpoint(name, checkpoint, stall)).name("slow-checkpoint").uid("slow-checkpoint");
    }

    public static boolean stalled(String name) {
        return STALLED.get(name).get();
    }

    @Override
    public Frame map(Frame frame) {
        return frame;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws InterruptedException {
        if (context.getCheckpointId() == stalledCheckpoint && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0
                && STALLED.get(name).compareAndSet(false, true)) {
            Thread.sleep(stallMillis);
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        // no state of its own
    }
}
