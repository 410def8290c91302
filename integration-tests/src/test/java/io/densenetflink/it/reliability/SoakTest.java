package io.densenetflink.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.it.reliability.harness.CheckpointLog;
import io.densenetflink.it.reliability.harness.LoadDriver;
import io.densenetflink.it.reliability.harness.MeasuredJob;
import io.densenetflink.it.reliability.harness.ProcessSampler;
import io.densenetflink.job.kafka.client.FrameProducer;
import io.densenetflink.job.settings.JobSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23's soak, a benchmark rather than a CI test (tag {@code soak}, left out of {@code mvn verify}; {@code
 * job/bench/kafka-faults.sh} runs it): {@code bin/densenet run} with the shipped model at about 70% of what it
 * classifies for {@code densenet.soak.minutes} (30), recording once a minute resident memory, the heap after a
 * full GC (the least of three readings), direct memory (NMT's "Other"), threads, open files and the minute's
 * largest checkpoint. Over the last 20
 * minutes (or what there is after a fifth of warm-up) no figure may grow by more than 2% per 10 minutes (least
 * squares slope against the figures' mean).
 */
@Tag("soak")
class SoakTest {

    private static final Duration SOAK = Duration.ofMinutes(Long.getLong("densenet.soak.minutes", 30));
    private static final Duration JUDGED = Duration.ofMinutes(20);
    private static final double MAX_GROWTH_PER_10_MIN = 0.02;

    @Test
    void seventyPercentLoadForHalfAnHourLeavesEveryFigureFlat(@TempDir Path tmp) throws Exception {
        try (MeasuredJob measured = MeasuredJob.start(tmp, "soak", "10s")) {
            JobSettings s = measured.settings();
            Path log = measured.log();
            double capacity = LoadDriver.capacity(s, "warm", 3_000);
            double rate = 0.7 * capacity;
            CompletableFuture<FrameProducer.Result> sending = CompletableFuture.supplyAsync(() -> LoadDriver.send(
                    s, LoadDriver.frames("soak", (int) (rate * SOAK.toSeconds())), rate));
            ProcessSampler sampler = new ProcessSampler(measured.process().pid());
            List<ProcessSampler.Sample> samples = new ArrayList<>();
            List<Long> checkpointBytes = new ArrayList<>();
            List<Long> lags = new ArrayList<>();
            System.out.printf("[soak] %d min at %.0f frames/s (70%% of %.0f classified)%n", SOAK.toMinutes(),
                    rate, capacity);
            int checkpointsSeen = 0;
            while (!sending.isDone()) {
                // Three readings a minute, the least kept: the heap after a full GC still holds the frames in flight
                // at that moment (37-44 MB in one minute), which would read as growth or shrinking by chance.
                ProcessSampler.Sample x = null;
                for (int i = 0; i < 3; i++) {
                    Thread.sleep(Duration.ofSeconds(20).toMillis());
                    ProcessSampler.Sample reading = sampler.sample(true);
                    x = x == null || reading.heapUsedKb() < x.heapUsedKb() ? reading : x;
                }
                samples.add(x);
                // The largest checkpoint of the minute: each holds the frames in flight at its barrier (14-140 KB),
                // so the last one alone is noise; the largest is bounded by max-in-flight unless state grows.
                List<CheckpointLog.Completed> done = CheckpointLog.read(log).completed();
                checkpointBytes.add(done.subList(Math.min(checkpointsSeen, done.size()), done.size()).stream()
                        .mapToLong(CheckpointLog.Completed::bytes).max().orElse(-1));
                checkpointsSeen = done.size();
                lags.add(measured.lag().records());
                System.out.printf("[soak] t=%4.1f min rss=%d MB heap-after-gc=%d MB direct(NMT other)=%d MB "
                                + "threads=%d files=%d checkpoint-max=%d bytes lag=%d%n", x.seconds() / 60,
                        x.rssKb() / 1024, x.heapUsedKb() / 1024, x.nativeOtherKb() / 1024, x.threads(),
                        x.openFiles(), checkpointBytes.get(checkpointBytes.size() - 1), lags.get(lags.size() - 1));
                measured.assertAlive();
            }
            assertEquals(0, sending.join().failed(), "frames the broker refused");
            CheckpointLog checkpoints = CheckpointLog.read(log);
            System.out.printf("[soak] checkpoints %d triggered, %d completed, failures %d, duration p50 %d ms, "
                    + "p99 %d ms, max %d ms%n", checkpoints.triggered(), checkpoints.completed().size(),
                    checkpoints.failures().size(), checkpoints.durationQuantile(0.5),
                    checkpoints.durationQuantile(0.99), checkpoints.durationQuantile(1.0));

            Map<String, java.util.function.IntToLongFunction> figures = new LinkedHashMap<>();
            figures.put("rss", i -> samples.get(i).rssKb());
            figures.put("heap after GC", i -> samples.get(i).heapUsedKb());
            figures.put("direct (NMT other)", i -> samples.get(i).nativeOtherKb());
            figures.put("threads", i -> samples.get(i).threads());
            figures.put("open files", i -> samples.get(i).openFiles());
            figures.put("checkpoint size", checkpointBytes::get);
            int from = Math.max(samples.size() / 5, samples.size() - (int) JUDGED.toMinutes());
            List<String> growing = new ArrayList<>();
            for (var figure : figures.entrySet()) {
                double growth = growthPer10Minutes(samples.size() - from,
                        i -> figure.getValue().applyAsLong(from + i));
                System.out.printf("[soak] %s: %+.2f%% per 10 min over the last %d min%n", figure.getKey(),
                        100 * growth, samples.size() - from);
                if (growth > MAX_GROWTH_PER_10_MIN) {
                    growing.add(figure.getKey());
                }
            }
            assertEquals(List.of(), growing, "figures growing more than 2% per 10 minutes");
            assertEquals(List.of(), checkpoints.failures(), "failed checkpoints");
        }
    }

    /** The least-squares slope of one sample a minute, per 10 minutes, relative to the samples' mean. */
    static double growthPer10Minutes(int n, java.util.function.IntToLongFunction figure) {
        double meanX = (n - 1) / 2.0;
        double meanY = 0;
        for (int i = 0; i < n; i++) {
            meanY += figure.applyAsLong(i);
        }
        meanY /= n;
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            num += (i - meanX) * (figure.applyAsLong(i) - meanY);
            den += (i - meanX) * (i - meanX);
        }
        return den == 0 || meanY == 0 ? 0 : 10 * (num / den) / meanY;
    }
}
