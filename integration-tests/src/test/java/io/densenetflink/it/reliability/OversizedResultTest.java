package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.RawRecords;
import io.densenetflink.it.reliability.harness.TinyModel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.densenetflink.job.JobTestSupport;
import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.CommittedReader;
import io.densenetflink.job.kafka.internal.HeaderText;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19: one record never stops the stream through the size of its result. A valid frame whose key is 6 MB of
 * NUL bytes (six bytes each once escaped in the result's JSON) made a result no topic takes: the results sink failed
 * the job at every replay. Here the output topic takes 16 KiB (read from the topic at start), restarts are off (a
 * failure would end the job): the large key and a 400 KB ground truth are cut and delivered, a result too large even
 * cut becomes a RESULT_TOO_LARGE dead letter, a binary key is kept byte for byte, and every ordinary frame arrives.
 */
@ExtendWith({SharedKafkaBroker.class, TinyModel.Shared.class})
class OversizedResultTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).setConfiguration(Pipeline.noRestarts()).build());

    private static final int OUTPUT_LIMIT = 16 * 1024;

    @Test
    void largeResultsAreCutOrDeadLetteredNeverFailTheJob(EmbeddedKafkaBroker broker, TinyModel model)
            throws Exception {
        String name = "oversized-result";
        broker.admin().createTopics(List.of(new NewTopic(name + "-results", 1, (short) 1)
                .configs(Map.of("max.message.bytes", String.valueOf(OUTPUT_LIMIT))))).all().get();
        JobSettings s = Pipeline.settings(broker, name, model.dir(), 1);
        byte[] png = JobTestSupport.pngFrames("png", 1, 5).get(0).bytes().read();
        String input = s.get(JobOptions.INPUT_TOPIC);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<String> ordinary = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ordinary.add("good-" + i);
            records.add(record(input, "cam-1".getBytes(StandardCharsets.UTF_8), "good-" + i, "3", png));
        }
        byte[] nulKey = new byte[6 * 1024 * 1024];
        records.add(record(input, nulKey, "big-key", "3", png));
        records.add(record(input, "cam-1".getBytes(StandardCharsets.UTF_8), "big-label", "x".repeat(400_000), png));
        byte[] binaryKey = {(byte) 0xC3, 0x28, 0, (byte) 0xFF};
        records.add(record(input, binaryKey, "binary-key", "3", png));
        // Cut, this result is still about 20 KB: 1 KiB of key, then source, frame id and ground truth of 1,000
        // control characters each, six bytes apiece in JSON (the ground truth within x's: it is trimmed).
        String tooLarge = "\u0001".repeat(2_000);
        records.add(record(input, nulKey, tooLarge, "x" + "\u0002".repeat(2_000) + "x", png));
        for (int i = 10; i < 20; i++) {
            ordinary.add("good-" + i);
            records.add(record(input, "cam-1".getBytes(StandardCharsets.UTF_8), "good-" + i, "3", png));
        }

        JobClient job = Pipeline.start(s);
        try {
            RawRecords.send(s.get(JobOptions.BOOTSTRAP_SERVERS), records, Duration.ZERO);
            Map<String, ConsumerRecord<byte[], byte[]>> results = new HashMap<>();
            Map<String, ConsumerRecord<byte[], byte[]>> deadLetters = new HashMap<>();
            readAll(s, records.size(), results, deadLetters);
            Pipeline.assertStillRunning(job);

            List<String> expectedResults = new ArrayList<>(ordinary);
            expectedResults.addAll(List.of("big-key", "big-label", "binary-key"));
            assertEquals(expectedResults.stream().sorted().toList(), results.keySet().stream().sorted().toList());
            assertEquals(List.of(tooLarge), List.copyOf(deadLetters.keySet()), "one dead letter");

            ConsumerRecord<byte[], byte[]> bigKey = results.get("big-key");
            assertEquals(1024, bigKey.key().length);
            assertEquals("key=" + nulKey.length + ",source=" + nulKey.length,
                    HeaderText.last(bigKey.headers(), FrameHeaders.RESULT_CUT));
            ConsumerRecord<byte[], byte[]> bigLabel = results.get("big-label");
            assertEquals("ground_truth=400000", HeaderText.last(bigLabel.headers(), FrameHeaders.RESULT_CUT));
            assertArrayEquals(binaryKey, results.get("binary-key").key(), "a binary key byte for byte");
            assertNull(results.get("good-0").headers().lastHeader(FrameHeaders.RESULT_CUT));

            ConsumerRecord<byte[], byte[]> dead = deadLetters.get(tooLarge);
            assertEquals("RESULT_TOO_LARGE", HeaderText.last(dead.headers(), FrameHeaders.ERROR_REASON));
            assertEquals(input, HeaderText.last(dead.headers(), FrameHeaders.SOURCE_TOPIC));
            assertEquals(String.valueOf(13), HeaderText.last(dead.headers(), FrameHeaders.SOURCE_OFFSET));
            String detail = HeaderText.last(dead.headers(), FrameHeaders.ERROR_DETAIL);
            assertTrue(detail.contains("over the " + OUTPUT_LIMIT + " bytes"), detail);
        } finally {
            Pipeline.cancel(job);
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, byte[] key, String frameId, String label,
            byte[] png) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(FrameHeaders.FRAME_ID, frameId.getBytes(StandardCharsets.UTF_8));
        headers.add(FrameHeaders.LABEL, label.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, key, png, headers);
    }

    /** Reads results (by their JSON frame id) and dead letters (by header) until {@code expected} arrived. */
    private static void readAll(JobSettings s, int expected, Map<String, ConsumerRecord<byte[], byte[]>> results,
            Map<String, ConsumerRecord<byte[], byte[]>> deadLetters) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        String dlq = s.get(JobOptions.DLQ_TOPIC);
        try (CommittedReader reader = new CommittedReader(s.get(JobOptions.BOOTSTRAP_SERVERS), Map.of(),
                List.of(s.get(JobOptions.OUTPUT_TOPIC), dlq))) {
            while (results.size() + deadLetters.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(dlq)) {
                        deadLetters.put(HeaderText.last(r.headers(), FrameHeaders.FRAME_ID), r);
                    } else {
                        JsonObject json = com.google.gson.JsonParser.parseString(
                                new String(r.value(), StandardCharsets.UTF_8)).getAsJsonObject();
                        results.put(json.get("frame_id").getAsString(), r);
                    }
                }
            }
        }
    }
}
