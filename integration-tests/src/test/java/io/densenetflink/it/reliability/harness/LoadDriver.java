package io.densenetflink.it.reliability.harness;

import io.densenetflink.job.JobTestSupport;
import io.densenetflink.job.kafka.client.CommittedReader;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.kafka.client.FrameProducer;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/** Offers a job frames at a chosen rate, relative to what it classifies: the load tests' input side. */
public final class LoadDriver {

    private LoadDriver() {}

    /**
     * Frames per second the job classifies: {@code count} frames sent at once, timed from the first result written
     * to the last (read uncommitted, as the sinks write them: committed results only appear at checkpoints).
     */
    public static double capacity(JobSettings s, String prefix, int count) {
        send(s, frames(prefix, count), 0);
        long first = 0;
        long firstBatch = 0;
        long seen = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        try (CommittedReader reader = new CommittedReader(s.get(JobOptions.BOOTSTRAP_SERVERS),
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"),
                List.of(s.get(JobOptions.OUTPUT_TOPIC), s.get(JobOptions.DLQ_TOPIC)))) {
            while (seen < count) {
                int n = reader.poll(Duration.ofMillis(100)).count();
                if (n > 0 && first == 0) {
                    first = System.nanoTime();
                    firstBatch = n; // the rate counts the frames written after the first poll's
                }
                seen += n;
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the warm-up frames were not classified within 5 minutes");
                }
            }
        }
        return (seen - firstBatch) / ((System.nanoTime() - first) / 1e9);
    }

    /** Sends {@code frames} at {@code rate} per second (0: at once) and waits for the broker's answers. */
    public static FrameProducer.Result send(JobSettings s, List<FrameInput> frames, double rate) {
        try (FrameProducer producer = new FrameProducer(s.get(JobOptions.BOOTSTRAP_SERVERS), Map.of())) {
            return producer.send(s.get(JobOptions.INPUT_TOPIC), "camera-1", frames, rate, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code count} frames {@code prefix-i}, 64 distinct 28x28 noise PNGs among them (memory stays small). */
    public static List<FrameInput> frames(String prefix, int count) {
        List<FrameInput> distinct = JobTestSupport.pngFrames(prefix, 64, 5);
        List<FrameInput> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            FrameInput like = distinct.get(i % distinct.size());
            frames.add(new FrameInput(prefix + "-" + i, like.contentType(), like.label(), like.bytes()));
        }
        return frames;
    }

    /** The ids of {@link #frames}. */
    public static List<String> ids(String prefix, int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(prefix + "-" + i);
        }
        return ids;
    }
}
