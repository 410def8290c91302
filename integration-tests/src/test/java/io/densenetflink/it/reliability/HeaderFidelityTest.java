package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.RawRecords;
import io.densenetflink.it.reliability.harness.TinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.densenetflink.job.JobTestSupport;
import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14: frames whose headers are very large (over 64 KB), binary (bytes that are not UTF-8, a null value) or
 * repeated flow through checkpoints while in flight (batches held up to 2 s, a checkpoint every second, restarts
 * off: one failed checkpoint would end the job), and their dead letters carry the original headers byte for byte,
 * in their original order, repeats included.
 */
@ExtendWith({SharedKafkaBroker.class, TinyModel.Shared.class})
class HeaderFidelityTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).setConfiguration(Pipeline.noRestarts()).build());

    private static final int FRAMES = 120;
    /** Every fourth frame is not an image and becomes a dead letter. */
    private static final int BAD_EVERY = 4;
    /** The job's own headers on a dead letter, after the original ones. */
    private static final Set<String> ADDED = Set.of(FrameHeaders.ERROR_REASON, FrameHeaders.ERROR_DETAIL,
            FrameHeaders.SOURCE_TOPIC, FrameHeaders.SOURCE_PARTITION, FrameHeaders.SOURCE_OFFSET,
            FrameHeaders.SOURCE_TIMESTAMP);


    @Test
    void largeBinaryAndRepeatedHeadersSurviveCheckpointsAndReachDeadLettersByteForByte(EmbeddedKafkaBroker broker,
            TinyModel model) throws Exception {
        JobSettings s = Pipeline.settings(broker, "header-fidelity", model.dir(), 1);
        // Frames wait for a batch up to 2 s, so every checkpoint finds some of them in flight (operator state).
        s.set(JobOptions.BATCH_SIZE, 64);
        s.set(JobOptions.MAX_DELAY, Duration.ofMillis(2_000));
        Random random = new Random(14);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        Map<String, List<String>> sentHeaders = new HashMap<>();
        byte[] png = JobTestSupport.pngFrames("png", 1, 3).get(0).bytes().read();
        for (int i = 0; i < FRAMES; i++) {
            String id = "frame-" + i;
            RecordHeaders headers = new RecordHeaders();
            headers.add(FrameHeaders.FRAME_ID, utf8(id));
            headers.add("tag", utf8("first"));
            headers.add("big", utf8("x".repeat(70_000 + i)));             // over writeUTF's 65,535 bytes
            headers.add("binary", new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 0, (byte) i}); // not UTF-8
            headers.add("tag", utf8("second"));                            // a repeated name
            headers.add(new RecordHeader("nothing", null));                // a null value
            headers.add("tag", new byte[0]);                               // and an empty one
            byte[] value = i % BAD_EVERY == 0 ? randomBytes(random, 3_000) : png;
            records.add(new ProducerRecord<>(s.get(JobOptions.INPUT_TOPIC), null, utf8("cam-1"), value, headers));
            sentHeaders.put(id, RawRecords.fingerprints(headers));
        }

        JobClient job = Pipeline.start(s);
        try {
            RawRecords.send(s.get(JobOptions.BOOTSTRAP_SERVERS), records, Duration.ofMillis(25)); // over 3 s: several checkpoints
            Deliveries delivered = Deliveries.read(s, FRAMES, Duration.ofMinutes(2));
            Pipeline.assertStillRunning(job);

            delivered.assertEachExactlyOnce(sentHeaders.keySet());
            Map<String, ConsumerRecord<byte[], byte[]>> deadLetters = delivered.deadLetters();
            assertEquals(FRAMES / BAD_EVERY, deadLetters.size(), "dead letters");
            deadLetters.forEach((id, r) -> assertEquals(sentHeaders.get(id), original(r.headers()),
                    id + ": the dead letter's original headers"));
        } finally {
            Pipeline.cancel(job);
        }
    }

    /** The dead letter's headers without the ones the job added. */
    private static List<String> original(Iterable<Header> headers) {
        List<Header> kept = new ArrayList<>();
        headers.forEach(h -> {
            if (!ADDED.contains(h.key())) {
                kept.add(h);
            }
        });
        return RawRecords.fingerprints(kept);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }
}
