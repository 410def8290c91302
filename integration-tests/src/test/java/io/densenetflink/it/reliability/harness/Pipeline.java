package io.densenetflink.it.reliability.harness;

import io.densenetflink.job.DeliveryGuaranteeOption;
import io.densenetflink.job.DenseNetJob;
import io.densenetflink.job.JobTestSupport;
import io.densenetflink.job.Preflight;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.kafka.client.FrameProducer;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.operators.Frame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job under test, built exactly as {@code bin/densenet run} builds it ({@link DenseNetJob#frames} then {@link
 * DenseNetJob#classifyAndSink}) but submitted to the test class's MiniCluster, optionally with an operator between
 * source and inference; plus the topics and producers around it.
 */
public final class Pipeline {

    private Pipeline() {}

    /** Job settings for a test: its own three topics with {@code partitions} partitions, checkpoints every second. */
    public static JobSettings settings(EmbeddedKafkaBroker broker, String name, Path model, int partitions) {
        JobSettings s = JobTestSupport.settings(broker.bootstrapServers(), name, model);
        s.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        s.set(JobOptions.DELIVERY, DeliveryGuaranteeOption.EXACTLY_ONCE);
        broker.createTopics(partitions, s.get(JobOptions.INPUT_TOPIC), s.get(JobOptions.OUTPUT_TOPIC), s.get(JobOptions.DLQ_TOPIC));
        return s;
    }

    /** The MiniCluster configuration of the suite: failed jobs restart (from the last checkpoint) after 0.5 s. */
    public static Configuration restartingCluster() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        return config;
    }

    /** A MiniCluster configuration without restarts: a test where any failure of the job is itself the failure. */
    public static Configuration noRestarts() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return config;
    }

    /** The last {@code lines} lines of a process's log, for a failure message; says so when there is none. */
    public static String tail(Path log, int lines) {
        try {
            if (!Files.exists(log)) {
                return "(no " + log.getFileName() + ")";
            }
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Submits the job to the current test environment (the class's MiniCluster). */
    public static JobClient start(JobSettings s) throws Exception {
        return start(s, UnaryOperator.identity());
    }

    /** Submits the job with {@code between} applied to the source's frames before the DenseNet operator. */
    public static JobClient start(JobSettings s, UnaryOperator<DataStream<Frame>> between) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Preflight preflight = Preflight.check(s);
        DenseNetJob.configureCheckpointing(env, s, preflight);
        DataStream<Frame> frames = between.apply(DenseNetJob.frames(env, s, preflight));
        DenseNetJob.classifyAndSink(frames, s, preflight);
        return env.executeAsync(s.get(JobOptions.JOB_NAME));
    }

    /**
     * Fails unless the job is still running; a job that ended is reported with the chain of causes of its failure
     * (what a test of "never fails the job" needs to see first).
     */
    public static void assertStillRunning(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get();
        if (status == JobStatus.RUNNING) {
            return;
        }
        StringBuilder causes = new StringBuilder();
        Throwable failure = null;
        try {
            job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            failure = e.getCause();
            for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
                causes.append("\n  caused by ").append(t);
            }
        }
        throw new AssertionError("the job is " + status + causes, failure);
    }

    /** Cancels the job unless it already ended (so a test's own failure is not hidden by the cancel's). */
    public static void cancel(JobClient job) throws Exception {
        if (!job.getJobStatus().get().isGloballyTerminalState()) {
            job.cancel().get();
        }
    }

    /** Sends frames now, each source's frames in order, every source in its own producer; waits for the acks. */
    public static void send(String bootstrap, String topic, Map<String, List<FrameInput>> bySource) {
        sendInBackground(bootstrap, topic, bySource, 0).join();
    }

    /** {@link #send} with the producers' own client properties (TLS, SASL). */
    public static void send(String bootstrap, Map<String, String> producerProperties, String topic,
            Map<String, List<FrameInput>> bySource) {
        sendInBackground(bootstrap, producerProperties, topic, bySource, 0).join();
    }

    /**
     * Starts sending in the background at {@code rate} frames per second per source (0: as fast as possible), so
     * a test can fail things while frames still flow. The future fails if the broker refused any frame.
     */
    public static CompletableFuture<Void> sendInBackground(String bootstrap, String topic,
            Map<String, List<FrameInput>> bySource, double rate) {
        return sendInBackground(bootstrap, Map.of(), topic, bySource, rate);
    }

    /** {@link #sendInBackground(String, String, Map, double)} with the producers' own client properties. */
    public static CompletableFuture<Void> sendInBackground(String bootstrap, Map<String, String> producerProperties,
            String topic, Map<String, List<FrameInput>> bySource, double rate) {
        // One thread per source: the common pool has a single worker on a 2-core machine, which would send the
        // sources one after the other instead of side by side.
        ExecutorService senders = Executors.newFixedThreadPool(bySource.size());
        CompletableFuture<?>[] sends = bySource.entrySet().stream()
                .map(e -> CompletableFuture.runAsync(() -> sendAll(bootstrap, producerProperties, topic, e.getKey(),
                        e.getValue(), rate),
                        senders))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(sends).whenComplete((ok, error) -> senders.shutdown());
    }

    private static void sendAll(String bootstrap, Map<String, String> producerProperties, String topic, String source,
            List<FrameInput> frames, double rate) {
        try (FrameProducer producer = new FrameProducer(bootstrap, producerProperties)) {
            FrameProducer.Result result = producer.send(topic, source, frames, rate, null);
            if (result.failed() > 0) {
                throw new IllegalStateException(result.failed() + " frame(s) of " + source + " refused by the broker, "
                        + "first: " + result.firstError());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }
}
