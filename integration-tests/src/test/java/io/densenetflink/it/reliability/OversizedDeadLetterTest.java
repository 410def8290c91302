package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.RawRecords;
import io.densenetflink.it.reliability.harness.TinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.densenetflink.job.JobTestSupport;
import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.internal.HeaderText;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * Issue 14: the dead-letter topic accepts records of at most 256 KiB while the input topic takes 32 MiB. A failed
 * frame of 1 MiB, and one whose headers alone exceed the limit, still land in the dead-letter topic (payload, then
 * original headers, replaced by marker headers; reason and source coordinates kept) instead of failing the job
 * (restarts are off: a failure would end it).
 */
@ExtendWith({SharedKafkaBroker.class, TinyModel.Shared.class})
class OversizedDeadLetterTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).setConfiguration(Pipeline.noRestarts()).build());

    private static final int DEAD_LETTER_LIMIT = 256 * 1024;


    @Test
    void deadLettersOverTheTopicsLimitLoseTheirPayloadNotTheJob(EmbeddedKafkaBroker broker, TinyModel model)
            throws Exception {
        String name = "oversized-dead-letter";
        broker.admin().createTopics(List.of(new NewTopic(name + "-dead-letters", 1, (short) 1)
                .configs(Map.of("max.message.bytes", String.valueOf(DEAD_LETTER_LIMIT))))).all().get();
        JobSettings s = Pipeline.settings(broker, name, model.dir(), 1);
        Random random = new Random(7);
        byte[] png = JobTestSupport.pngFrames("png", 1, 5).get(0).bytes().read();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(record(s, "good-" + i, png, new RecordHeaders()));
        }
        byte[] oneMiB = randomBytes(random, 1024 * 1024);
        records.add(record(s, "big-payload", oneMiB, new RecordHeaders()));
        byte[] small = randomBytes(random, 2_000);
        records.add(record(s, "small", small, new RecordHeaders()));
        RecordHeaders hugeHeaders = new RecordHeaders();
        hugeHeaders.add("notes", randomBytes(random, 300 * 1024));
        records.add(record(s, "big-headers", small, hugeHeaders));

        JobClient job = Pipeline.start(s);
        try {
            RawRecords.send(s.get(JobOptions.BOOTSTRAP_SERVERS), records, Duration.ZERO);
            Deliveries delivered = Deliveries.read(s, records.size(), Duration.ofMinutes(2));
            Pipeline.assertStillRunning(job);

            delivered.assertEachExactlyOnce(records.stream().map(OversizedDeadLetterTest::frameId).toList());
            Map<String, ConsumerRecord<byte[], byte[]>> deadLetters = delivered.deadLetters();
            assertEquals(List.of("big-headers", "big-payload", "small"),
                    deadLetters.keySet().stream().sorted().toList());
            deadLetters.values().forEach(r -> {
                assertEquals("UNSUPPORTED_FORMAT", HeaderText.last(r.headers(), FrameHeaders.ERROR_REASON));
                assertEquals(s.get(JobOptions.INPUT_TOPIC), HeaderText.last(r.headers(), FrameHeaders.SOURCE_TOPIC));
                assertNotNull(HeaderText.last(r.headers(), FrameHeaders.SOURCE_OFFSET));
            });
            ConsumerRecord<byte[], byte[]> bigPayload = deadLetters.get("big-payload");
            assertNull(bigPayload.value(), "the 1 MiB payload is left out");
            assertEquals(String.valueOf(oneMiB.length),
                    HeaderText.last(bigPayload.headers(), FrameHeaders.PAYLOAD_DROPPED));
            ConsumerRecord<byte[], byte[]> bigHeaders = deadLetters.get("big-headers");
            assertNull(bigHeaders.value());
            assertNull(bigHeaders.headers().lastHeader("notes"), "the 300 KiB header is left out");
            assertNotNull(HeaderText.last(bigHeaders.headers(), FrameHeaders.HEADERS_DROPPED));
            assertEquals(small.length, deadLetters.get("small").value().length, "a small dead letter is whole");
            assertNull(deadLetters.get("small").headers().lastHeader(FrameHeaders.PAYLOAD_DROPPED));
        } finally {
            Pipeline.cancel(job);
        }
    }

    private static ProducerRecord<byte[], byte[]> record(JobSettings s, String id, byte[] value,
            RecordHeaders headers) {
        headers.add(FrameHeaders.FRAME_ID, id.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(s.get(JobOptions.INPUT_TOPIC), null, "cam-1".getBytes(StandardCharsets.UTF_8), value, headers);
    }

    private static String frameId(ProducerRecord<byte[], byte[]> r) {
        return HeaderText.last(r.headers(), FrameHeaders.FRAME_ID);
    }

    private static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }
}
