package io.densenetflink.operators.internal;

import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.InferenceOptions;
import io.densenetflink.operators.types.ClassificationSerializer;
import io.densenetflink.operators.types.FailedFrameSerializer;
import java.time.Duration;
import io.densenetflink.operators.internal.VersionSwitch.Boundary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.types.Either;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DenseNet operator's function: one model per parallel subtask, frames batched across calls.
 *
 * <p>Why an async function: a plain {@code RichMapFunction} sees one frame per call and must answer before
 * the next arrives, so it cannot batch. Under {@code AsyncDataStream.orderedWait}, {@code asyncInvoke}
 * only hands the frame to the slot's {@link InferenceSlot} and returns; the result completes later, when the
 * frame's batch has run. Flink's {@code AsyncWaitOperator} then provides the rest: it checkpoints the
 * frames still in flight and replays them after a restore (no loss, and with a transactional sink no
 * duplicates), emits results in input order (so each source's order is kept), blocks when {@code
 * capacity} frames are in flight (backpressure, bounded memory), and waits for everything in flight at end
 * of input. On top of that the slot bounds the bytes in flight, and fails the task through {@code
 * ResultFuture.completeExceptionally} (which Flink honours from any thread) when the slot cannot go on.
 *
 * <p>Model versions: frames are tagged with the serving version as they are submitted, and {@link
 * #snapshotState}, which the task thread runs exactly at the checkpoint barrier, is where a newer version the
 * slot has loaded and checked takes over (see {@link VersionSwitch}). The checkpoint records the version of the
 * frames before the barrier, the ones it holds in flight among them; after a restore the slot starts with that
 * version, so replayed frames are classified as before, and switches again at the next checkpoint.
 *
 * <p>Outputs {@code Either}: left a classification, right a failed frame; {@code DenseNetInference} splits
 * them into the main stream and the failure side output.
 */
public final class InferenceFunction extends RichAsyncFunction<Frame, Either<Classification, FailedFrame>>
        implements ResultTypeQueryable<Either<Classification, FailedFrame>>, CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(InferenceFunction.class);

    /** A model that takes longer than this to load fails the subtask. */
    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(10);

    /**
     * How long close() waits for the inference thread to free the model: well inside Flink's task cancellation
     * timeout (3 minutes by default), after which the task manager would be killed.
     */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Operator state: (subtask, model version of the frames before the barrier), one entry per subtask. Union
     * state, so that after a rescale a subtask without an entry of its own still finds the versions served.
     */
    private static final ListStateDescriptor<Tuple2<Integer, Long>> SERVED_VERSIONS =
            new ListStateDescriptor<>("densenet-served-versions", Types.TUPLE(Types.INT, Types.LONG));

    /**
     * Operator state since content digests: (subtask, model version of the frames before the barrier, that
     * version's digest or ""). Union state as {@link #SERVED_VERSIONS}, which a checkpoint written before holds
     * instead (read on restore, then emptied).
     */
    private static final ListStateDescriptor<Tuple3<Integer, Long, String>> SERVED_MODELS =
            new ListStateDescriptor<>("densenet-served-models", Types.TUPLE(Types.INT, Types.LONG, Types.STRING));

    private final InferenceOptions options;

    private transient ListState<Tuple3<Integer, Long, String>> servedModels;
    /** The version this subtask's last checkpoint recorded; {@link RecordedModel#NONE} when it starts fresh. */
    private transient RecordedModel restored;

    private transient InferenceSlot slot;
    private transient InferenceMetrics metrics;
    private transient SlotDevice.Choice device;
    /** The frames in flight by the result future Flink handed with them (it hands the same one to timeout()). */
    private transient Map<ResultFuture<?>, InFlightFrame> inFlight;

    public InferenceFunction(InferenceOptions options) {
        this.options = options;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        var task = getRuntimeContext().getTaskInfo();
        int subtask = task.getIndexOfThisSubtask();
        int parallelism = task.getNumberOfParallelSubtasks();
        inFlight = new ConcurrentHashMap<>();
        try {
            device = SlotDevice.choose(options.device(), assignedGpus(), SlotDevice.engineGpus());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load model " + options.classifier().describe() + ": "
                    + e.getMessage(), e);
        }
        int threads = SlotSizing.inferenceThreads(options.inferenceThreads(), options.slotsPerTaskManager(),
                parallelism);
        long maxBytes = SlotSizing.maxInFlightBytes(options.maxInFlightBytes(), options.slotsPerTaskManager(),
                parallelism);
        metrics = new InferenceMetrics(getRuntimeContext().getMetricGroup(), options.maxBatchSize(),
                new InferenceMetrics.InFlight(() -> slot == null ? 0 : slot.inFlight(),
                        () -> slot == null ? 0 : slot.inFlightBytes(), maxBytes),
                new InferenceMetrics.Placement(device.name(), device.leasedGpu()),
                () -> slot == null ? 0 : slot.servingVersion());
        if (device.fellBack()) {
            LOG.warn("{} subtask {}/{}: device {} ({})", options.name(), subtask, parallelism, device.name(),
                    device.reason());
        }
        long decodeBytes = SlotSizing.maxDecodeBytes(options.maxDecodeBytes(), options.slotsPerTaskManager(),
                parallelism);
        LOG.info("{} subtask {}/{}: device {} ({}), {} inference thread(s), at most {} frames and {} MiB in"
                + " flight, {} MiB of decodes at once, loading {}", options.name(), subtask, parallelism, device.name(),
                device.reason(), threads, options.maxInFlight(), maxBytes >> 20, decodeBytes >> 20,
                options.classifier().describe());
        long start = System.nanoTime();
        slot = InferenceSlot.start(options, new Placement(device.device(), threads, maxBytes, decodeBytes,
                options.name() + "-" + subtask, CLOSE_TIMEOUT, restored), metrics);
        try {
            var model = slot.awaitModel(LOAD_TIMEOUT);
            long millis = (System.nanoTime() - start) / 1_000_000;
            metrics.modelLoaded(millis);
            LOG.info("{} subtask {}: model {} {} loaded in {} ms{}", options.name(), subtask, model.modelName(),
                    model.modelVersion(), millis, restored.version() > 0 ? " (the checkpoint recorded version "
                            + restored.version() + ")" : "");
        } catch (Exception e) {
            String on = device.name();
            close();
            throw new IllegalStateException("cannot load model " + options.classifier().describe() + " on " + on
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        servedModels = context.getOperatorStateStore().getUnionListState(SERVED_MODELS);
        ListState<Tuple2<Integer, Long>> servedVersions =
                context.getOperatorStateStore().getUnionListState(SERVED_VERSIONS);
        restored = RecordedModel.NONE;
        if (!context.isRestored()) {
            return;
        }
        List<Tuple3<Integer, Long, String>> entries = new ArrayList<>();
        servedModels.get().forEach(entries::add);
        for (Tuple2<Integer, Long> old : servedVersions.get()) {
            entries.add(Tuple3.of(old.f0, old.f1, "")); // written before digests were kept
        }
        servedVersions.clear();
        restored = recorded(entries, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    }

    /** This subtask's entry, else (after a rescale) the highest version any subtask recorded. */
    static RecordedModel recorded(List<Tuple3<Integer, Long, String>> entries, int subtask) {
        RecordedModel highest = RecordedModel.NONE;
        for (Tuple3<Integer, Long, String> entry : entries) {
            if (entry.f0 == subtask) {
                return new RecordedModel(entry.f1, entry.f2);
            }
            if (entry.f1 > highest.version()) {
                highest = new RecordedModel(entry.f1, entry.f2);
            }
        }
        return highest;
    }

    /**
     * Runs on the task thread at the checkpoint barrier, between the last frame before it and the first after:
     * records the version of the frames before it, then lets a ready newer version take over.
     */
    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        Boundary boundary = slot.checkpointBoundary();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        servedModels.update(List.of(Tuple3.of(subtask, boundary.before(), boundary.beforeDigest())));
        if (boundary.switched()) {
            metrics.modelSwapped();
            LOG.info("{} subtask {}: model version {} serves the frames after checkpoint {}, version {} those"
                    + " before it", options.name(), subtask, boundary.after(), context.getCheckpointId(),
                    boundary.before());
        }
    }

    /** GPU indices Flink's external resource framework assigned to this task manager (resource "gpu"). */
    private List<Integer> assignedGpus() {
        List<Integer> out = new ArrayList<>();
        for (ExternalResourceInfo info : getRuntimeContext().getExternalResourceInfos("gpu")) {
            Optional<String> index = info.getProperty("index");
            index.ifPresent(i -> out.add(Integer.parseInt(i.trim())));
        }
        return out;
    }

    /**
     * Hands the frame to the slot. Waits while the slot holds {@code maxInFlightBytes} (the slot's own threads
     * free them, so this never waits for the task thread). Once the slot has failed, throws its cause.
     */
    @Override
    public void asyncInvoke(Frame frame, ResultFuture<Either<Classification, FailedFrame>> result) throws Exception {
        metrics.frameIn();
        InFlightFrame inFlightFrame = new InFlightFrame(frame, Outcome.of(
                c -> {
                    inFlight.remove(result);
                    result.complete(List.of(Either.Left(c)));
                    metrics.resultOut();
                },
                f -> {
                    inFlight.remove(result);
                    result.complete(List.of(Either.Right(f)));
                    metrics.failure(f.reason());
                },
                // Flink fails the task (and restarts it from the checkpoint) when a result completes exceptionally.
                cause -> {
                    inFlight.remove(result);
                    result.completeExceptionally(cause);
                }));
        inFlight.put(result, inFlightFrame);
        try {
            slot.submit(inFlightFrame);
        } catch (Exception e) {
            inFlight.remove(result);
            throw e;
        }
    }

    /**
     * A frame stuck longer than the timeout fails alone instead of failing (and restarting) the job; it leaves
     * the slot's queues at once, so it is never classified afterwards and frees its place for the next frame.
     */
    @Override
    public void timeout(Frame frame, ResultFuture<Either<Classification, FailedFrame>> result) {
        InFlightFrame inFlightFrame = inFlight.remove(result);
        if (inFlightFrame == null) {
            return; // answered meanwhile: that answer stands
        }
        slot.withdraw(inFlightFrame, () -> {
            SlotFailedException failed = slot.failure();
            if (failed != null) {
                result.completeExceptionally(failed);
                return;
            }
            result.complete(List.of(Either.Right(new FailedFrame(frame, FailureReason.TIMEOUT,
                    "not classified within " + options.timeout(), System.currentTimeMillis()))));
            metrics.failure(FailureReason.TIMEOUT);
        });
    }

    /** Stops the slot's threads and frees its model (bounded wait, see {@link InferenceSlot#close()}) and its GPU. */
    @Override
    public void close() throws Exception {
        if (slot != null) {
            slot.close();
            slot = null;
        }
        if (device != null) {
            device.release();
            device = null;
        }
        if (inFlight != null) {
            inFlight.clear();
        }
    }

    @Override
    public TypeInformation<Either<Classification, FailedFrame>> getProducedType() {
        return outcomeType();
    }

    /** The type of the function's output. */
    public static TypeInformation<Either<Classification, FailedFrame>> outcomeType() {
        return new EitherTypeInfo<>(ClassificationSerializer.TYPE_INFO, FailedFrameSerializer.TYPE_INFO);
    }
}
