package io.densenetflink.operators;

import io.densenetflink.operators.internal.InferenceFunction;
import io.densenetflink.operators.internal.OutcomeSplitter;
import io.densenetflink.operators.types.ClassificationSerializer;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The entry point: classify a stream of encoded frames with a DenseNet, one model per parallel subtask,
 * batching frames dynamically.
 *
 * <pre>{@code
 * DataStream<Frame> frames = ...;
 * ClassifiedFrames classified = DenseNetInference.classify(frames,
 *         InferenceOptions.builder("models/fashion-mnist-densenet").maxBatchSize(32).build());
 * classified.results().print();          // Classification per frame, in input order
 * classified.failures().print();         // FailedFrame with reason code and detail
 * }</pre>
 *
 * Every frame ends up in exactly one of the two streams. With checkpointing, frames in flight at a
 * checkpoint are stored in it and processed again after a restore.
 */
public final class DenseNetInference {

    private DenseNetInference() {}

    public static ClassifiedFrames classify(DataStream<Frame> frames, InferenceOptions options) {
        var outcomes = AsyncDataStream.orderedWait(frames, new InferenceFunction(options),
                        options.timeout().toMillis(), TimeUnit.MILLISECONDS, options.maxInFlight())
                .name(options.name() + "-inference")
                .uid(options.name() + "-inference");
        SingleOutputStreamOperator<Classification> results = outcomes
                .process(new OutcomeSplitter(), ClassificationSerializer.TYPE_INFO)
                .name(options.name() + "-outcomes")
                .uid(options.name() + "-outcomes");
        return new ClassifiedFrames(results, results.getSideOutput(OutcomeSplitter.FAILURES));
    }
}
