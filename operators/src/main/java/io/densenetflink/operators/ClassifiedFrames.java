package io.densenetflink.operators;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** What {@link DenseNetInference#classify} returns: the classifications and the frames that failed. */
public final class ClassifiedFrames {

    private final SingleOutputStreamOperator<Classification> results;
    private final DataStream<FailedFrame> failures;

    ClassifiedFrames(SingleOutputStreamOperator<Classification> results, DataStream<FailedFrame> failures) {
        this.results = results;
        this.failures = failures;
    }

    /** One classification per frame that could be classified, in input order. */
    public SingleOutputStreamOperator<Classification> results() {
        return results;
    }

    /** Frames that could not be classified, with their reason (decode failures, isolated inference errors). */
    public DataStream<FailedFrame> failures() {
        return failures;
    }
}
