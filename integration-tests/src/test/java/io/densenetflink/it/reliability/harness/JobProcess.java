package io.densenetflink.it.reliability.harness;

import io.densenetflink.it.ProjectRoot;
import io.densenetflink.job.RetainedCheckpoints;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code bin/densenet run} as users start it, in its own JVM, its output in a log file. */
public final class JobProcess {

    private JobProcess() {}

    /**
     * Starts the job of {@code s} (broker, topics, model, job name), checkpoints in {@code stateDir}, one OpenMP
     * thread, reading from the earliest offset, with {@code extra} options and {@code environment} on top.
     */
    public static Process start(JobSettings s, Path stateDir, Path log, List<String> extra,
            Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProjectRoot.path().resolve("bin/densenet").toString(), "run",
                "--bootstrap-servers", s.get(JobOptions.BOOTSTRAP_SERVERS), "--input-topic",
                s.get(JobOptions.INPUT_TOPIC), "--output-topic", s.get(JobOptions.OUTPUT_TOPIC), "--dlq-topic",
                s.get(JobOptions.DLQ_TOPIC), "--model", s.get(JobOptions.MODEL), "--state-dir", stateDir.toString(),
                "--device", "cpu", "--starting-offsets", "earliest", "--job-name", s.get(JobOptions.JOB_NAME)));
        command.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(command);
        // The build is Maven's job here (the reactor packaged job/ before these tests); one OpenMP thread per run.
        pb.environment().put("DENSENET_SKIP_BUILD", "1");
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().putAll(environment);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    /** Waits until the run retained a completed checkpoint in {@code stateDir}. */
    public static void awaitRetainedCheckpoint(Process run, Path stateDir, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (RetainedCheckpoints.latest(stateDir).isEmpty()) {
            if (!run.isAlive()) {
                throw new AssertionError("bin/densenet run exited with " + run.exitValue() + ":\n"
                        + Pipeline.tail(log, 40));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no checkpoint retained in " + stateDir + " after 2 minutes:\n"
                        + Pipeline.tail(log, 40));
            }
            Thread.sleep(100);
        }
    }
}
