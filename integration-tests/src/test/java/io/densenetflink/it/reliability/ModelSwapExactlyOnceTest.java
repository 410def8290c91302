package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.CheckpointBoundaryTap;
import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SourceFrames;
import io.densenetflink.it.reliability.harness.TinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.model.artifact.ModelRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: a model version published into the job's repository while frames flow, exactly-once to a real broker.
 * Every frame is delivered once; in each input partition (one per subtask) the results carry version 1 up to one
 * checkpoint barrier and version 2 from it on, the barrier the tap before the DenseNet operator recorded; results
 * keep coming through the swap. A failover right after the switch replays with the version the checkpoint
 * recorded: the switch then lies at a barrier of the restarted attempt.
 */
@ExtendWith({SharedKafkaBroker.class, TinyModel.Shared.class})
class ModelSwapExactlyOnceTest {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
            .setConfiguration(METRICS.addToConfiguration(new Configuration(Pipeline.restartingCluster()))).build());

    private static final int PARTITIONS = 2;
    private static final int FRAMES = 2_000;
    /** Frames per second per source: ten seconds of frames, ten checkpoints. */
    private static final double RATE_PER_SOURCE = 100;
    /** Results each subtask has emitted (with version 1) before version 2 is published. */
    private static final long RESULTS_BEFORE_PUBLISH = 150;

    @TempDir
    Path scratch;

    @Test
    void aVersionPublishedMidStreamTakesOverAtOneCheckpointBarrierPerSubtask(EmbeddedKafkaBroker broker,
            TinyModel model) throws Exception {
        Run run = start(broker, model, "swap-mid-stream");
        try {
            long published = run.publishSecondVersion();
            Deliveries delivered = run.finish();
            assertOneSwitchPerPartitionAtABarrier(delivered, run.log(), "no failover");
            assertResultsKeptComing(delivered, published);
            assertEquals(PARTITIONS, swaps(run.job()), "modelSwaps over the two subtasks");
        } finally {
            Pipeline.cancel(run.job());
        }
    }

    @Test
    void aFailoverRightAfterTheSwitchReplaysWithTheRecordedVersion(EmbeddedKafkaBroker broker, TinyModel model)
            throws Exception {
        Run run = start(broker, model, "swap-failover");
        try {
            run.publishSecondVersion();
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (swaps(run.job()) < PARTITIONS) {
                assertTrue(System.nanoTime() < deadline, "both subtasks switched to version 2 within a minute");
                Thread.sleep(5);
            }
            run.log().failOnNextFrame();
            Deliveries delivered = run.finish();
            assertTrue(run.log().failed(), "the injected failure was never thrown");
            assertTrue(run.log().boundaries().stream().anyMatch(b -> b.attempt() > 0), "no task was restarted");
            assertOneSwitchPerPartitionAtABarrier(delivered, run.log(), "failover after the switch");
        } finally {
            Pipeline.cancel(run.job());
        }
    }

    /** A job serving a fresh repository (version 1: the tiny model), with frames flowing in the background. */
    private record Run(JobSettings settings, ModelRepository repository, JobClient job,
            Map<String, List<FrameInput>> frames, CompletableFuture<Void> sending) {

        CheckpointBoundaryTap.Log log() {
            return CheckpointBoundaryTap.log(settings.get(JobOptions.JOB_NAME));
        }

        /**
         * Once every subtask has classified {@link #RESULTS_BEFORE_PUBLISH} frames (so each started with version
         * 1), publishes version 2 (the same weights: what differs is the version the results carry); returns when.
         */
        long publishSecondVersion() throws Exception {
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (true) {
                List<Long> counts = METRICS.findMetrics(job.getJobID(), "resultsOut").values().stream()
                        .map(m -> ((Counter) m).getCount()).toList();
                if (counts.size() == PARTITIONS && counts.stream().allMatch(n -> n >= RESULTS_BEFORE_PUBLISH)) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "subtasks' results within a minute: " + counts);
                Thread.sleep(10);
            }
            assertEquals(2, repository.publish(repository.versionDirectory(1), OptionalLong.empty()));
            return System.currentTimeMillis();
        }

        Deliveries finish() {
            Deliveries delivered = Deliveries.read(settings, FRAMES, Duration.ofMinutes(3));
            sending.join();
            delivered.assertEachExactlyOnce(SourceFrames.ids(frames));
            assertEquals(FRAMES, delivered.results().size(), "no dead letters: " + delivered.deadLetterReasons());
            return delivered;
        }
    }

    private Run start(EmbeddedKafkaBroker broker, TinyModel model, String name) throws Exception {
        ModelRepository repository = ModelRepository.at(Files.createDirectories(scratch.resolve("repository")));
        repository.publish(model.dir(), OptionalLong.empty());
        JobSettings s = Pipeline.settings(broker, name, repository.directory(), PARTITIONS);
        s.set(JobOptions.PARALLELISM, PARTITIONS);
        s.set(JobOptions.MODEL_POLL_INTERVAL, Duration.ofMillis(200));
        Map<String, List<FrameInput>> frames = SourceFrames.spread(name, PARTITIONS, PARTITIONS, FRAMES);
        JobClient job = Pipeline.start(s, f -> CheckpointBoundaryTap.on(f, name));
        return new Run(s, repository, job, frames, Pipeline.sendInBackground(s.get(JobOptions.BOOTSTRAP_SERVERS),
                s.get(JobOptions.INPUT_TOPIC), frames, RATE_PER_SOURCE));
    }

    private static long swaps(JobClient job) {
        return METRICS.findMetrics(job.getJobID(), "modelSwaps").values().stream()
                .mapToLong(m -> ((Counter) m).getCount()).sum();
    }

    /**
     * In each partition, ordered by offset: version 1, then version 2 from one offset on, and that offset is the
     * first after a checkpoint barrier of one of the partition's task attempts: of the restarted one when the job
     * restored a checkpoint taken before the switch (it replays with version 1 and switches again), of the first
     * one when the checkpoint after the switch completed before the failure (it recorded version 2). A restore
     * that ignored the recorded version would switch at whatever frame came first after it, not at a barrier.
     */
    private static void assertOneSwitchPerPartitionAtABarrier(Deliveries delivered, CheckpointBoundaryTap.Log log,
            String scenario) {
        Map<Integer, List<JsonObject>> byPartition = delivered.results().stream()
                .collect(Collectors.groupingBy(r -> r.get("partition").getAsInt(), TreeMap::new, Collectors.toList()));
        assertEquals(PARTITIONS, byPartition.size());
        byPartition.forEach((partition, results) -> {
            results.sort(Comparator.comparingLong(r -> r.get("offset").getAsLong()));
            List<Long> switches = new ArrayList<>();
            for (int i = 1; i < results.size(); i++) {
                if (!version(results.get(i)).equals(version(results.get(i - 1)))) {
                    switches.add(results.get(i).get("offset").getAsLong());
                }
            }
            String where = "partition " + partition + " (" + scenario + ")";
            assertEquals("1", version(results.get(0)), where + ": the first results");
            assertEquals("2", version(results.get(results.size() - 1)), where + ": the last results");
            assertEquals(1, switches.size(), where + ": one switch, at offsets " + switches);
            Map<Integer, Set<Long>> barriersByAttempt = log.boundaries().stream()
                    .filter(b -> b.partition() == partition)
                    .collect(Collectors.groupingBy(CheckpointBoundaryTap.Boundary::attempt, TreeMap::new,
                            Collectors.mapping(CheckpointBoundaryTap.Boundary::offset, Collectors.toCollection(TreeSet::new))));
            assertTrue(barriersByAttempt.values().stream().anyMatch(b -> b.contains(switches.get(0))), where
                    + ": the switch at offset " + switches.get(0) + " is not the first frame after a barrier of any"
                    + " attempt " + barriersByAttempt);
        });
    }

    /** The longest pause between results (by processing time) after the publish, against the one before it. */
    private static void assertResultsKeptComing(Deliveries delivered, long publishedAt) {
        List<Long> times = delivered.results().stream().map(r -> r.get("processed_time").getAsLong()).sorted()
                .toList();
        long before = 0;
        long after = 0;
        for (int i = 1; i < times.size(); i++) {
            long gap = times.get(i) - times.get(i - 1);
            if (times.get(i) < publishedAt) {
                before = Math.max(before, gap);
            } else {
                after = Math.max(after, gap);
            }
        }
        System.out.printf("longest gap between results: %d ms before the publish, %d ms from it on (swap)%n",
                before, after);
        assertTrue(after < Math.max(2_000, 5 * before), "results stopped for " + after + " ms during the swap"
                + " (longest gap before it: " + before + " ms)");
    }

    private static String version(JsonObject result) {
        return result.getAsJsonObject("model").get("version").getAsString();
    }
}
