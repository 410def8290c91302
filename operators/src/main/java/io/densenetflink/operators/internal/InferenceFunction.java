package io.densenetflink.operators.internal;

import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.InferenceOptions;
import io.densenetflink.operators.types.ClassificationSerializer;
import io.densenetflink.operators.types.FailedFrameSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
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
 * only hands the frame to the slot's {@link FrameBatcher} and returns; the result completes later, when the
 * frame's batch has run. Flink's {@code AsyncWaitOperator} then provides the rest: it checkpoints the
 * frames still in flight and replays them after a restore (no loss, and with a transactional sink no
 * duplicates), emits results in input order (so each source's order is kept), blocks when {@code
 * capacity} frames are in flight (backpressure, bounded memory), and waits for everything in flight at end
 * of input.
 *
 * <p>Outputs {@code Either}: left a classification, right a failed frame; {@code DenseNetInference} splits
 * them into the main stream and the failure side output.
 */
public final class InferenceFunction extends RichAsyncFunction<Frame, Either<Classification, FailedFrame>>
        implements ResultTypeQueryable<Either<Classification, FailedFrame>> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(InferenceFunction.class);

    /** A model that takes longer than this to load fails the subtask. */
    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(10);

    private final InferenceOptions options;

    private transient FrameBatcher batcher;
    private transient InferenceMetrics metrics;

    public InferenceFunction(InferenceOptions options) {
        this.options = options;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        var task = getRuntimeContext().getTaskInfo();
        int subtask = task.getIndexOfThisSubtask();
        SlotDevice.Choice device = SlotDevice.choose(options.device(), assignedGpus(), subtask);
        int threads = SlotDevice.inferenceThreads(options.inferenceThreads(), options.slotsPerTaskManager(),
                task.getNumberOfParallelSubtasks());
        metrics = new InferenceMetrics(getRuntimeContext().getMetricGroup(), options.maxBatchSize(),
                () -> batcher == null ? 0 : batcher.inFlight());
        LOG.info("{} subtask {}/{}: device {} ({}), {} inference thread(s), loading {}", options.name(), subtask,
                task.getNumberOfParallelSubtasks(), device.device(), device.reason(), threads,
                options.classifier().describe());
        long start = System.nanoTime();
        batcher = FrameBatcher.start(new FrameBatcher.Settings(options.classifier(), device.device(), threads,
                options.decodeThreads(), options.maxBatchSize(), options.maxDelay(), options.latencyBudget(),
                options.topK(), options.name() + "-" + subtask), metrics);
        try {
            var model = batcher.awaitModel(LOAD_TIMEOUT);
            long millis = (System.nanoTime() - start) / 1_000_000;
            metrics.modelLoaded(millis);
            LOG.info("{} subtask {}: model {} {} loaded in {} ms", options.name(), subtask, model.modelName(),
                    model.modelVersion(), millis);
        } catch (Exception e) {
            batcher.close();
            batcher = null;
            throw new IllegalStateException("cannot load model " + options.classifier().describe() + " on "
                    + device.device() + ": " + e.getMessage(), e);
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

    @Override
    public void asyncInvoke(Frame frame, ResultFuture<Either<Classification, FailedFrame>> result) {
        metrics.frameIn();
        batcher.submit(frame, Outcome.of(
                c -> {
                    metrics.resultOut();
                    result.complete(List.of(Either.Left(c)));
                },
                f -> {
                    metrics.failure(f.reason());
                    result.complete(List.of(Either.Right(f)));
                }));
    }

    /** A frame stuck longer than the timeout fails alone instead of failing (and restarting) the job. */
    @Override
    public void timeout(Frame frame, ResultFuture<Either<Classification, FailedFrame>> result) {
        metrics.failure(FailureReason.TIMEOUT);
        result.complete(List.of(Either.Right(new FailedFrame(frame, FailureReason.TIMEOUT,
                "not classified within " + options.timeout(), System.currentTimeMillis()))));
    }

    @Override
    public void close() throws Exception {
        if (batcher != null) {
            batcher.close();
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
