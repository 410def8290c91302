package io.densenetflink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.kafka.client.FrameProducer;
import io.densenetflink.job.kafka.internal.HeaderText;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka job end to end on the in-process broker and a local MiniCluster. */
@ExtendWith(SharedKafkaBroker.class)
class DenseNetJobTest {

    @TempDir
    static Path tmp;

    private static Path model;

    @BeforeAll
    static void model() throws Exception {
        model = JobTestSupport.tinyModel(tmp.resolve("model"));
    }

    private static JobClient start(JobSettings settings) throws Exception {
        StreamExecutionEnvironment env = DenseNetJob.localEnvironment(settings);
        DenseNetJob.build(env, settings, Preflight.check(settings));
        return env.executeAsync(settings.get(JobOptions.JOB_NAME));
    }

    private static void send(EmbeddedKafkaBroker broker, String topic, List<FrameInput> frames) throws Exception {
        try (FrameProducer producer = new FrameProducer(broker.bootstrapServers(), Map.of())) {
            producer.send(topic, "cam-1", frames, 0, (a, t) -> { });
        }
    }

    private static JsonObject json(ConsumerRecord<byte[], byte[]> r) {
        return JsonParser.parseString(new String(r.value(), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    @Test
    void framesBecomeResultsAndBadFramesDeadLetters(EmbeddedKafkaBroker broker) throws Exception {
        JobSettings s = JobTestSupport.settings(broker.bootstrapServers(), "e2e", model);
        broker.createTopics(1, s.get(JobOptions.INPUT_TOPIC), s.get(JobOptions.OUTPUT_TOPIC), s.get(JobOptions.DLQ_TOPIC));
        List<FrameInput> frames = new ArrayList<>(JobTestSupport.pngFrames("good", 30, 1));
        frames.add(new FrameInput("empty", "image/png", null, () -> new byte[0]));
        frames.add(new FrameInput("text", "text/plain", null, () -> "not an image".getBytes(StandardCharsets.UTF_8)));
        send(broker, s.get(JobOptions.INPUT_TOPIC), frames);
        JobClient job = start(s);
        try {
            var records = JobTestSupport.readCommitted(broker.bootstrapServers(), List.of(s.get(JobOptions.OUTPUT_TOPIC), s.get(JobOptions.DLQ_TOPIC)),
                    32, Duration.ofMinutes(3));
            assertEquals(32, records.size(), "every frame once, as a result or a dead letter");
            Map<String, String> deadLetters = new HashMap<>();
            int results = 0;
            for (ConsumerRecord<byte[], byte[]> r : records) {
                if (r.topic().equals(s.get(JobOptions.DLQ_TOPIC))) {
                    deadLetters.put(HeaderText.last(r.headers(), FrameHeaders.FRAME_ID),
                            HeaderText.last(r.headers(), FrameHeaders.ERROR_REASON));
                    assertEquals(s.get(JobOptions.INPUT_TOPIC), HeaderText.last(r.headers(), FrameHeaders.SOURCE_TOPIC));
                    assertNotNull(HeaderText.last(r.headers(), FrameHeaders.SOURCE_OFFSET));
                    assertNotNull(HeaderText.last(r.headers(), FrameHeaders.ERROR_DETAIL));
                    continue;
                }
                results++;
                JsonObject o = json(r);
                assertTrue(o.get("frame_id").getAsString().startsWith("good-"), o.toString());
                assertEquals(s.get(JobOptions.INPUT_TOPIC), o.get("topic").getAsString());
                assertEquals("cam-1", new String(r.key(), StandardCharsets.UTF_8));
                assertEquals("tiny-job-test", o.getAsJsonObject("model").get("name").getAsString());
                assertEquals(5, o.getAsJsonArray("top_k").size());
                assertTrue(o.has("ground_truth") && o.has("correct"), o.toString());
                assertTrue(o.get("queue_ms").getAsLong() >= 0 && o.get("inference_ms").getAsLong() >= 0);
            }
            assertEquals(30, results);
            assertEquals(Map.of("empty", "EMPTY", "text", "UNSUPPORTED_FORMAT"), deadLetters);
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void restartFromTheStateDirLosesAndDuplicatesNothing(EmbeddedKafkaBroker broker) throws Exception {
        JobSettings s = JobTestSupport.settings(broker.bootstrapServers(), "restart", model);
        s.set(JobOptions.STATE_DIR, tmp.resolve("state").toString());
        broker.createTopics(1, s.get(JobOptions.INPUT_TOPIC), s.get(JobOptions.OUTPUT_TOPIC), s.get(JobOptions.DLQ_TOPIC));
        send(broker, s.get(JobOptions.INPUT_TOPIC), JobTestSupport.pngFrames("first", 40, 2));
        JobClient first = start(s);
        // Let at least one checkpoint complete, then stop the job without a final checkpoint.
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (RetainedCheckpoints.latest(Path.of(s.get(JobOptions.STATE_DIR))).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(RetainedCheckpoints.latest(Path.of(s.get(JobOptions.STATE_DIR))).isPresent(), "no checkpoint was retained");
        first.cancel().get();

        send(broker, s.get(JobOptions.INPUT_TOPIC), JobTestSupport.pngFrames("second", 40, 3));
        JobClient second = start(s); // resumes from the latest retained checkpoint
        try {
            var records = JobTestSupport.readCommitted(broker.bootstrapServers(), List.of(s.get(JobOptions.OUTPUT_TOPIC), s.get(JobOptions.DLQ_TOPIC)),
                    80, Duration.ofMinutes(3));
            Map<String, Integer> seen = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                seen.merge(json(r).get("frame_id").getAsString(), 1, Integer::sum);
            }
            assertEquals(80, seen.size(), "every frame of both runs has a result");
            seen.forEach((id, n) -> assertEquals(1, n, id + " appeared " + n + " times"));
            assertEquals(80, records.size());
        } finally {
            second.cancel().get();
        }
    }
}
