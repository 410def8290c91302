package io.densenetflink.it.reliability.harness;

import io.densenetflink.it.ProjectRoot;
import io.densenetflink.job.JobTestSupport;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The load tests' job: {@code bin/densenet run} with the shipped Fashion-MNIST model (batch 32), on a broker process
 * of its own, logging at INFO (the JobManager's checkpoint lines) with native memory tracking on (direct memory),
 * started and past its first retained checkpoint.
 *
 * @param broker the broker process
 * @param settings the job's settings (topics NAME-frames, NAME-results, NAME-dead-letters; group NAME)
 * @param process the job's JVM
 * @param log the job's output
 * @param lag the group's lag on the input topic
 */
public record MeasuredJob(BrokerProcess broker, JobSettings settings, Process process, Path log, InputLag lag)
        implements AutoCloseable {

    public static MeasuredJob start(Path dir, String name, String checkpointInterval) throws Exception {
        BrokerProcess broker = BrokerProcess.start(dir.resolve("kafka"),
                List.of(name + "-frames", name + "-results", name + "-dead-letters"), 1);
        JobSettings s = JobTestSupport.settings(broker.bootstrapServers(), name,
                ProjectRoot.path().resolve("models/fashion-mnist-densenet"));
        Path log = dir.resolve("job.log");
        Process job = JobProcess.start(s, dir.resolve("state"), log, List.of("--checkpoint-interval",
                checkpointInterval, "--batch-size", "32", "--max-delay", "50ms"), Map.of("DENSENET_LOG_LEVEL", "info",
                "DENSENET_JAVA_OPTS", "-XX:NativeMemoryTracking=summary"));
        MeasuredJob started = new MeasuredJob(broker, s, job, log,
                new InputLag(broker.bootstrapServers(), s.get(JobOptions.INPUT_TOPIC), s.groupId()));
        try {
            JobProcess.awaitRetainedCheckpoint(job, dir.resolve("state"), log);
        } catch (Exception | AssertionError e) {
            started.close();
            throw e;
        }
        return started;
    }

    /** Fails, with the log's tail, when the job's JVM has exited. */
    public void assertAlive() {
        if (!process.isAlive()) {
            throw new AssertionError("the job exited:\n" + Pipeline.tail(log, 60));
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(1, TimeUnit.MINUTES);
        lag.close();
        broker.close();
    }
}
