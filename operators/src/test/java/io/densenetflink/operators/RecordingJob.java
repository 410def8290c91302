package io.densenetflink.operators;

import io.densenetflink.operators.types.ClassificationSerializer;
import io.densenetflink.operators.types.FailedFrameSerializer;
import io.densenetflink.operators.types.FrameSerializer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The operator in a real job on the test's MiniCluster, without restarts: frames from a bounded source,
 * results and dead letters recorded as they are emitted (in static lists: the tasks run deserialized copies
 * of the functions in this JVM).
 */
final class RecordingJob {

    static final List<String> RESULTS = new CopyOnWriteArrayList<>();
    static final List<FailedFrame> DEAD_LETTERS = new CopyOnWriteArrayList<>();

    private RecordingJob() {}

    /**
     * Runs the job to its end and returns what ended it: {@code null} when it finished, else the failure.
     * Fails (and cancels the job) when it is still running after {@code limit}.
     */
    static Throwable run(List<Frame> frames, InferenceOptions options, Duration limit) throws Exception {
        RESULTS.clear();
        DEAD_LETTERS.clear();
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        ClassifiedFrames classified = DenseNetInference.classify(env.fromData(frames, FrameSerializer.TYPE_INFO), options);
        classified.results().map((MapFunction<Classification, Classification>) c -> {
            RESULTS.add(c.frameId());
            return c;
        }).returns(ClassificationSerializer.TYPE_INFO).sinkTo(new DiscardingSink<>());
        classified.failures().map((MapFunction<FailedFrame, FailedFrame>) f -> {
            DEAD_LETTERS.add(f);
            return f;
        }).returns(FailedFrameSerializer.TYPE_INFO).sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("recording-job");
        try {
            job.getJobExecutionResult().get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            job.cancel().get(1, TimeUnit.MINUTES);
            throw new AssertionError("the job was still running after " + limit + " (" + RESULTS.size()
                    + " results, " + DEAD_LETTERS.size() + " dead letters so far)");
        }
    }

    /** Whether {@code message} appears anywhere in the cause chain of {@code failure}. */
    static boolean causedBy(Throwable failure, String message) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains(message)) {
                return true;
            }
        }
        return false;
    }
}
