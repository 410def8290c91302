package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SourceFrames;
import io.densenetflink.it.reliability.harness.StandaloneCluster;
import io.densenetflink.it.reliability.harness.TinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.densenetflink.it.ProjectRoot;
import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: the job on a real Flink cluster. A standalone session cluster (a JobManager and two TaskManagers, each
 * its own JVM process, see {@link StandaloneCluster}) runs the deployable job jar, submitted with Flink's CLI
 * frontend; frames stream in through the broker, one TaskManager process is killed with SIGKILL mid-stream
 * (after checkpoints have committed output, with transactions open), a replacement TaskManager starts, the job
 * restarts from its last checkpoint, and a read_committed consumer sees every frame exactly once.
 */
@ExtendWith({SharedKafkaBroker.class, TinyModel.Shared.class})
class StandaloneClusterTest {

    private static final int FRAMES = 1_500;
    private static final int PARTITIONS = 2;

    @Test
    void aTaskManagerKilledMidStreamLosesAndDuplicatesNothing(EmbeddedKafkaBroker broker, TinyModel model,
            @TempDir Path tmp) throws Exception {
        Path jar = StandaloneCluster.jobJar();
        JobSettings s = Pipeline.settings(broker, "standalone", model.dir(), PARTITIONS);
        Map<String, List<FrameInput>> frames = SourceFrames.spread(s.get(JobOptions.JOB_NAME), PARTITIONS,
                PARTITIONS, FRAMES);
        try (StandaloneCluster cluster = StandaloneCluster.start(tmp.resolve("cluster"))) {
            Process first = cluster.startTaskManager();
            cluster.startTaskManager();
            cluster.awaitTaskManagers(2, Duration.ofMinutes(2));
            String job = cluster.submit(jar, List.of("--bootstrap-servers", s.get(JobOptions.BOOTSTRAP_SERVERS),
                    "--input-topic", s.get(JobOptions.INPUT_TOPIC), "--output-topic", s.get(JobOptions.OUTPUT_TOPIC),
                    "--dlq-topic", s.get(JobOptions.DLQ_TOPIC), "--model", s.get(JobOptions.MODEL),
                    "--job-name", s.get(JobOptions.JOB_NAME), "--checkpoint-interval", "1s", "--batch-size", "8",
                    "--max-delay", "20ms", "--device", "cpu", "--inference-threads", "1",
                    "--starting-offsets", "earliest"));
            CompletableFuture<Void> sending = Pipeline.sendInBackground(s.get(JobOptions.BOOTSTRAP_SERVERS),
                    s.get(JobOptions.INPUT_TOPIC), frames, 30);
            try {
                // Output committed, more frames to come, transactions open: the moment to lose a process.
                StandaloneCluster.await(() -> cluster.completedCheckpoints(job) >= 3, Duration.ofMinutes(3),
                        "3 checkpoints completed" + cluster.logs());
                assertFalse(sending.isDone(), "all frames were sent before the kill: nothing was mid-stream");
                cluster.kill(first);
                cluster.startTaskManager();

                Deliveries delivered = Deliveries.read(s, FRAMES, Duration.ofMinutes(4));
                sending.join();
                List<String> failures = cluster.failures(job);
                System.out.println("standalone cluster: the job recovered from " + failures);
                assertFalse(failures.isEmpty(), "the job never noticed the killed TaskManager");
                assertEquals("RUNNING", cluster.state(job), "after recovery" + cluster.logs());
                delivered.assertEachExactlyOnce(SourceFrames.ids(frames));
            } finally {
                cluster.cancel(job);
            }
        }
    }
}
