package io.densenetflink.job;

import io.densenetflink.job.kafka.client.CommittedReader;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.job.settings.StartingOffsets;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.TinyModels;
import io.densenetflink.model.data.FashionMnist;
import io.densenetflink.model.image.Preprocessing;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A small real model, real PNG frames, and a read_committed collector for the job tests. */
public final class JobTestSupport {

    private JobTestSupport() {}

    /** A random-weight DenseNet-BC on 28x28 grey input with the Fashion-MNIST labels. */
    public static Path tinyModel(Path dir) throws IOException {
        return tinyModel(dir, Preprocessing.of(1, 28, 28, 28, new float[] {0.286f}, new float[] {0.353f}),
                DenseNetConfig.Stem.CIFAR);
    }

    /**
     * The same small random-weight network on ImageNet-style input (RGB, shorter side to 256, 224x224 centre
     * crop) behind the ImageNet stem (7x7/2 conv, 3x3/2 max pool): full-size decoding and preprocessing per frame
     * at a small inference cost, for load tests.
     */
    public static Path tinyImagenetModel(Path dir) throws IOException {
        return tinyModel(dir, Preprocessing.imagenet(), DenseNetConfig.Stem.IMAGENET);
    }

    private static Path tinyModel(Path dir, Preprocessing preprocessing, DenseNetConfig.Stem stem)
            throws IOException {
        return TinyModels.write(dir, "tiny-job-test", FashionMnist.CLASS_NAMES, preprocessing, stem);
    }

    /** {@code count} labeled 28x28 noise PNGs with ids {@code prefix-i}. */
    public static List<FrameInput> pngFrames(String prefix, int count, long seed) {
        List<FrameInput> frames = new ArrayList<>();
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            byte[] pixels = new byte[28 * 28];
            random.nextBytes(pixels);
            byte[] png = FrameInput.greyPng(pixels, 28, 28);
            frames.add(new FrameInput(prefix + "-" + i, "image/png", String.valueOf(i % 10), () -> png));
        }
        return frames;
    }

    public static JobSettings settings(String bootstrap, String prefix, Path model) {
        JobSettings s = new JobSettings();
        s.set(JobOptions.BOOTSTRAP_SERVERS, bootstrap);
        s.set(JobOptions.INPUT_TOPIC, prefix + "-frames");
        s.set(JobOptions.OUTPUT_TOPIC, prefix + "-results");
        s.set(JobOptions.DLQ_TOPIC, prefix + "-dead-letters");
        s.set(JobOptions.MODEL, model.toString());
        s.set(JobOptions.BATCH_SIZE, 8);
        s.set(JobOptions.MAX_DELAY, Duration.ofMillis(20));
        s.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        s.set(JobOptions.STARTING_OFFSETS, StartingOffsets.EARLIEST);
        s.set(JobOptions.JOB_NAME, prefix);
        s.set(JobOptions.DEVICE, "cpu");
        s.set(JobOptions.PARALLELISM, 1);
        return s.validate();
    }

    /** Reads committed records of the topics until {@code expected} arrived or the timeout passed. */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrap, List<String> topics, int expected,
            Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (CommittedReader reader = new CommittedReader(bootstrap, java.util.Map.of(), topics)) {
            while (out.size() < expected && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // Anything beyond the expected count would be a duplicate: give it a moment to show up.
            reader.poll(Duration.ofSeconds(2)).forEach(out::add);
        }
        return out;
    }
}
