package io.densenetflink.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.it.reliability.harness.CheckpointLog;
import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.LoadDriver;
import io.densenetflink.it.reliability.harness.MeasuredJob;
import io.densenetflink.it.reliability.harness.ProcessSampler;
import io.densenetflink.job.kafka.client.FrameProducer;
import io.densenetflink.job.settings.JobSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23: input offered at three times what the slot classifies, for {@value #DEFAULT_OVERLOAD_SECONDS} s in CI
 * ({@code -Ddensenet.overload.seconds=300} from {@code job/bench/kafka-faults.sh}), to {@code bin/densenet run}
 * with the shipped model, exactly-once, aligned checkpoints every 2 s: the backlog stays in Kafka (the group's lag
 * grows by about the surplus, backpressure reached the source), resident memory and the heap after a full GC stay
 * flat after the warm-up, and every checkpoint completes well inside its timeout (none expires, none is declined),
 * so no transaction times out. In CI the backlog is then drained and every frame is delivered exactly once.
 */
class OverloadTest {

    static final int DEFAULT_OVERLOAD_SECONDS = 45;
    private static final Duration OVERLOAD = Duration.ofSeconds(Long.getLong("densenet.overload.seconds",
            DEFAULT_OVERLOAD_SECONDS));
    private static final int WARM_UP_FRAMES = 3_000;
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);

    @Test
    void threeTimesTheSlotsRateKeepsMemoryFlatTheBacklogInKafkaAndCheckpointsOnTime(@TempDir Path tmp)
            throws Exception {
        try (MeasuredJob measured = MeasuredJob.start(tmp, "overload", "2s")) {
            JobSettings s = measured.settings();
            Path log = measured.log();
            double capacity = LoadDriver.capacity(s, "warm", WARM_UP_FRAMES);
            double offered = 3 * capacity;
            int overloadFrames = (int) (offered * OVERLOAD.toSeconds());

            ProcessSampler sampler = new ProcessSampler(measured.process().pid());
            List<ProcessSampler.Sample> samples = new ArrayList<>();
            List<Long> lags = new ArrayList<>();
            CompletableFuture<FrameProducer.Result> sending = CompletableFuture.supplyAsync(
                    () -> LoadDriver.send(s, LoadDriver.frames("over", overloadFrames), offered));
            int tick = 0;
            while (!sending.isDone()) {
                Thread.sleep(SAMPLE_EVERY.toMillis());
                samples.add(sampler.sample(tick++ % 6 == 0)); // the heap after a full GC every 30 s
                lags.add(measured.lag().records());
                measured.assertAlive();
            }
            assertEquals(0, sending.join().failed(), "frames the broker refused");
            samples.add(sampler.sample(true));
            CheckpointLog checkpoints = CheckpointLog.read(log);
            report(capacity, offered, samples, lags, checkpoints);

            assertEquals(List.of(), checkpoints.failures(), "checkpoints that failed, expired or were declined");
            assertTrue(checkpoints.completed().size() >= checkpoints.triggered() - 1,
                    checkpoints.triggered() + " triggered, " + checkpoints.completed().size() + " completed");
            assertTrue(checkpoints.completed().size() >= OVERLOAD.toSeconds() / 4, "checkpoints during the overload");
            long lastLag = lags.get(lags.size() - 1);
            assertTrue(lastLag > capacity * OVERLOAD.toSeconds() * 0.8, "the surplus stayed in Kafka (lag "
                    + lastLag + ", surplus about " + (long) (2 * capacity * OVERLOAD.toSeconds()) + ")");
            assertFlat(samples, "resident memory", ProcessSampler.Sample::rssKb);
            assertFlat(java.util.stream.IntStream.range(0, samples.size())
                    .filter(i -> i % 6 == 0 || i == samples.size() - 1).mapToObj(samples::get).toList(),
                    "heap after GC", ProcessSampler.Sample::heapUsedKb);

            if (OVERLOAD.toSeconds() <= 120) {
                List<String> ids = new ArrayList<>(LoadDriver.ids("warm", WARM_UP_FRAMES));
                ids.addAll(LoadDriver.ids("over", overloadFrames));
                Deliveries.read(s, ids.size(), Duration.ofMinutes(6)).assertEachExactlyOnce(ids);
            }
        }
    }

    /** Later samples (after the first fifth, the warm-up) stay within 15% of the earlier ones' maximum. */
    private static void assertFlat(List<ProcessSampler.Sample> samples, String what,
            java.util.function.ToLongFunction<ProcessSampler.Sample> figure) {
        int warm = Math.max(1, samples.size() / 5);
        List<ProcessSampler.Sample> steady = samples.subList(warm, samples.size());
        int half = steady.size() / 2;
        long firstHalf = steady.subList(0, Math.max(1, half)).stream().mapToLong(figure).max().orElse(0);
        long secondHalf = steady.subList(half, steady.size()).stream().mapToLong(figure).max().orElse(0);
        assertTrue(secondHalf <= firstHalf * 1.15 + 16 * 1024, what + " grew: " + firstHalf + " KB, then "
                + secondHalf + " KB");
    }

    private static void report(double capacity, double offered, List<ProcessSampler.Sample> samples, List<Long> lags,
            CheckpointLog checkpoints) {
        System.out.printf("[overload] %d s at %.0f frames/s offered, %.0f classified (%.1fx): checkpoints %d "
                        + "triggered, %d completed, duration p50 %d ms, p99 %d ms, max %d ms; size max %d bytes%n",
                OVERLOAD.toSeconds(), offered, capacity, offered / capacity, checkpoints.triggered(),
                checkpoints.completed().size(), checkpoints.durationQuantile(0.5), checkpoints.durationQuantile(0.99),
                checkpoints.durationQuantile(1.0), checkpoints.completed().stream()
                        .mapToLong(CheckpointLog.Completed::bytes).max().orElse(0));
        for (int i = 0; i < samples.size(); i++) {
            ProcessSampler.Sample x = samples.get(i);
            System.out.printf("[overload] t=%5.0fs rss=%6d MB heap%s=%5d MB native-other=%4d MB threads=%3d files=%4d "
                            + "lag=%d%n", x.seconds(), x.rssKb() / 1024, i % 6 == 0 ? "(after GC)" : "          ",
                    x.heapUsedKb() / 1024, x.nativeOtherKb() / 1024, x.threads(), x.openFiles(),
                    i < lags.size() ? lags.get(i) : -1);
        }
    }
}
