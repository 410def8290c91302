package io.densenetflink.job.kafka.sink;

import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.FrameHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Stands before the results sink and keeps out the result that the output topic cannot take even cut down (see
 * {@link ClassificationRecordSchema}): written, it would fail the job, and the replay fail it again. Such a result
 * leaves through {@link #TOO_LARGE} as a dead letter with reason {@value FailureReason#RESULT_TOO_LARGE}, the
 * input record's coordinates and no value (the image is no longer at hand; the coordinates find it); every other
 * result passes unchanged.
 */
public final class ResultSizeGuard extends ProcessFunction<Classification, Classification> {

    private static final long serialVersionUID = 1L;

    /** The results too large for the output topic, as dead letters. */
    public static final OutputTag<FailedFrame> TOO_LARGE =
            new OutputTag<>("results-too-large", TypeInformation.of(FailedFrame.class));

    private final ClassificationRecordSchema results;

    /** @param results the serializer of the results sink this guard stands before */
    public ResultSizeGuard(ClassificationRecordSchema results) {
        this.results = Objects.requireNonNull(results, "results");
    }

    @Override
    public void processElement(Classification result, Context ctx, Collector<Classification> out) {
        if (results.surelyFits(result) || results.record(result) != null) {
            out.collect(result);
        } else {
            ctx.output(TOO_LARGE, deadLetter(result, results, System.currentTimeMillis()));
        }
    }

    /** The dead letter for a result that {@code results} cannot write. */
    static FailedFrame deadLetter(Classification result, ClassificationRecordSchema results, long now) {
        List<FrameHeader> headers = new ArrayList<>();
        result.headers().forEach((name, text) -> headers.add(FrameHeader.ofText(name, text)));
        Frame frame = new Frame(result.key(), result.frameId(), new byte[0], result.eventTime(), headers);
        String detail = "classified as " + result.best().label() + " (model " + result.modelName() + " version "
                + result.modelVersion() + "), but the result is " + results.cutSize(result) + " bytes with its long"
                + " fields cut, over the " + results.maxRecordBytes() + " bytes topic " + results.topic() + " takes";
        return new FailedFrame(frame, FailureReason.RESULT_TOO_LARGE, detail, now);
    }
}
