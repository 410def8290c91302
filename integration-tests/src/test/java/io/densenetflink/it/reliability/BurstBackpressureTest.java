package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SourceFrames;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.JobTestSupport;
import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.model.image.TestImages;
import java.awt.Color;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, test 5: a burst of 5,000 full-size frames, all in the topic before the job starts, against a slow
 * configuration (batch 4, one decode thread, ImageNet-size preprocessing). Backpressure must hold the frames in
 * Kafka, not in the heap: the live heap (sampled after a full collection every two seconds) stays within a bound far
 * below what the burst would take decoded (5,000 x 224 x 224 x 3 floats = 3 GB), nothing is lost, all results
 * arrive.
 */
@ExtendWith(SharedKafkaBroker.class)
class BurstBackpressureTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    private static final int FRAMES = 5_000;
    /** Live heap the job may add on top of what the broker, the cluster and the test held before it started. */
    private static final long HEAP_BOUND_BYTES = 256L * 1024 * 1024;

    @TempDir
    static Path tmp;

    private static Path model;

    @BeforeAll
    static void model() throws Exception {
        model = JobTestSupport.tinyImagenetModel(tmp.resolve("model"));
    }

    @Test
    void aBurstIsHeldBackByBackpressureAndCompletes(EmbeddedKafkaBroker broker) throws Exception {
        JobSettings s = Pipeline.settings(broker, "burst", model, 1);
        s.set(JobOptions.BATCH_SIZE, 4);
        s.set(JobOptions.DECODE_THREADS, 1);
        List<FrameInput> frames = burst(FRAMES);
        Pipeline.send(s.get(JobOptions.BOOTSTRAP_SERVERS), s.get(JobOptions.INPUT_TOPIC), Map.of("burst-camera", frames));

        long baseline = liveHeap();
        AtomicLong peak = new AtomicLong(baseline);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleWithFixedDelay(() -> peak.accumulateAndGet(liveHeap(), Math::max), 2, 2, TimeUnit.SECONDS);
        JobClient job = Pipeline.start(s);
        try {
            Deliveries delivered = Deliveries.read(s, FRAMES, Duration.ofMinutes(6));
            sampler.shutdown();
            sampler.awaitTermination(1, TimeUnit.MINUTES);
            delivered.assertEachExactlyOnce(SourceFrames.idsOf(frames));
            assertTrue(delivered.deadLetterReasons().isEmpty(), "dead letters: " + delivered.deadLetterReasons());
            long grown = peak.get() - baseline;
            System.out.printf("burst: %d frames, live heap baseline %d MiB, peak %d MiB (+%d MiB, bound +%d MiB)%n",
                    FRAMES, mib(baseline), mib(peak.get()), mib(grown), mib(HEAP_BOUND_BYTES));
            assertTrue(grown < HEAP_BOUND_BYTES, "live heap grew by " + mib(grown) + " MiB during the burst (bound "
                    + mib(HEAP_BOUND_BYTES) + " MiB, baseline " + mib(baseline) + " MiB)");
        } finally {
            sampler.shutdownNow();
            job.cancel().get();
        }
    }

    /**
     * Heap live after a full collection: the heap pools' usage as the collector left it (not the usage read a moment
     * later, which already holds what other threads allocated since).
     */
    private static long liveHeap() {
        ManagementFactory.getMemoryMXBean().gc();
        long live = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc = pool.getCollectionUsage();
            if (pool.getType() == MemoryType.HEAP && afterGc != null) {
                live += afterGc.getUsed();
            }
        }
        return live;
    }

    /** {@code count} 320x240 JPEG frames cycling through 32 different images (cheap to send, full cost to decode). */
    private static List<FrameInput> burst(int count) {
        Random random = new Random(5);
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            Color[] colours = new Color[8];
            for (int c = 0; c < colours.length; c++) {
                colours[c] = new Color(random.nextInt(0x1000000));
            }
            images.add(TestImages.jpeg(TestImages.columns(320, 240, colours), 0.9f));
        }
        List<FrameInput> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] jpeg = images.get(i % images.size());
            frames.add(new FrameInput("burst-" + i, "image/jpeg", null, () -> jpeg));
        }
        return frames;
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }
}
