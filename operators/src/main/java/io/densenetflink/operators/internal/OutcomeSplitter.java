package io.densenetflink.operators.internal;

import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.types.FailedFrameSerializer;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Sends classifications to the main output and failed frames to the {@link #FAILURES} side output. */
public final class OutcomeSplitter extends ProcessFunction<Either<Classification, FailedFrame>, Classification> {

    private static final long serialVersionUID = 1L;

    /** The side output of frames that produced no classification. */
    public static final OutputTag<FailedFrame> FAILURES =
            new OutputTag<>("densenet-failures", FailedFrameSerializer.TYPE_INFO);

    @Override
    public void processElement(Either<Classification, FailedFrame> outcome, Context ctx, Collector<Classification> out) {
        if (outcome.isLeft()) {
            out.collect(outcome.left());
        } else {
            ctx.output(FAILURES, outcome.right());
        }
    }
}
