package io.densenetflink.job.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.densenetflink.job.kafka.sink.ClassificationRecordSchema;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.LabelScore;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class ResultEvaluatorTest {

    private static final Map<Integer, String> NAMES = Map.of(5, "Sandal", 7, "Sneaker", 8, "Bag");

    /** An output record as the job writes it. */
    private static ConsumerRecord<byte[], byte[]> result(long offset, Integer predicted, String truth, long latency) {
        Map<String, String> headers = new HashMap<>(Map.of(FrameHeaders.TOPIC, "frames", FrameHeaders.PARTITION, "0",
                FrameHeaders.OFFSET, Long.toString(offset)));
        if (truth != null) {
            headers.put(FrameHeaders.LABEL, truth);
        }
        Classification c = new Classification("cam", "f" + offset,
                List.of(new LabelScore(predicted, NAMES.get(predicted), 0.9f)), "m", "1", 1_000L, 1_000L + latency, 1,
                2, headers);
        return record("results", offset, ClassificationRecordSchema.toJson(c).getBytes(StandardCharsets.UTF_8),
                new RecordHeaders());
    }

    private static ConsumerRecord<byte[], byte[]> deadLetter(long offset, String reason) {
        RecordHeaders h = new RecordHeaders();
        h.add(FrameHeaders.ERROR_REASON, reason.getBytes(StandardCharsets.UTF_8));
        h.add(FrameHeaders.SOURCE_TOPIC, "frames".getBytes(StandardCharsets.UTF_8));
        h.add(FrameHeaders.SOURCE_PARTITION, "0".getBytes(StandardCharsets.UTF_8));
        h.add(FrameHeaders.SOURCE_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        return record("dead-letters", offset, new byte[] {1, 2, 3}, h);
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, long offset, byte[] value, RecordHeaders h) {
        return new ConsumerRecord<>(topic, 0, offset, 0L, TimestampType.CREATE_TIME, -1, -1, null, value, h,
                Optional.empty());
    }

    @Test
    void accuracyPerClassLatencyAndDeadLetters() {
        ResultEvaluator e = new ResultEvaluator();
        assertEquals(ResultEvaluator.Kind.RESULT, e.accept(result(1, 7, "7", 10)));      // right, by index
        assertEquals(ResultEvaluator.Kind.RESULT, e.accept(result(2, 5, "7", 20)));      // wrong
        e.accept(result(3, 5, "5", 30));                                                  // right
        e.accept(result(4, 8, "bag", 40));                                                // right, by name
        e.accept(result(5, 7, null, 100));                                                // no ground truth
        assertEquals(ResultEvaluator.Kind.DEAD_LETTER, e.accept(deadLetter(6, "CORRUPT")));
        e.accept(deadLetter(7, "CORRUPT"));
        e.accept(deadLetter(8, "EMPTY"));
        assertEquals(ResultEvaluator.Kind.OTHER,
                e.accept(record("frames", 9, new byte[] {(byte) 0x89, 'P', 'N', 'G'}, new RecordHeaders())));

        ResultEvaluator.Summary s = e.summary();
        assertEquals(5, s.results());
        assertEquals(3, s.deadLetters());
        assertEquals(8, s.frames());
        assertEquals(Map.of("CORRUPT", 2L, "EMPTY", 1L), s.deadLettersByReason());
        assertEquals(4, s.labeled());
        assertEquals(3, s.correct());
        assertEquals(0.75, s.accuracy(), 1e-12);
        assertEquals(List.of(new ResultEvaluator.ClassAccuracy("5", "Sandal", 1, 1),
                new ResultEvaluator.ClassAccuracy("7", "Sneaker", 2, 1),
                new ResultEvaluator.ClassAccuracy("bag", null, 1, 1)), s.perClass());
        assertEquals("7 Sneaker", s.perClass().get(1).displayName());
        assertEquals(30L, s.latencyP50());   // latencies 10, 20, 30, 40, 100 (nearest rank)
        assertEquals(100L, s.latencyP90());
        assertEquals(100L, s.latencyP99());
        assertEquals(100L, s.latencyMax());
        assertEquals(0, s.duplicates());
        assertEquals(1, s.otherRecords());
        assertEquals(1_000L, s.firstEventTime());
        assertEquals(1_100L, s.lastProcessedTime());

        JsonObject json = s.toJson();
        assertEquals(0.75, json.get("accuracy").getAsDouble(), 1e-12);
        assertEquals(30L, json.get("latency_ms_p50").getAsLong());
        assertEquals(100L, json.get("latency_ms_p99").getAsLong());
        assertEquals(2, json.getAsJsonObject("dead_letters_by_reason").get("CORRUPT").getAsInt());
        assertEquals(3, json.getAsJsonArray("per_class").size());

        String text = s.format();
        assertTrue(text.contains("accuracy:      75.00% (3 of 4 labeled results)"), text);
        assertTrue(text.contains("dead letters:  3 (CORRUPT 2, EMPTY 1)"), text);
        assertTrue(text.contains("p50 30 ms, p90 100 ms, p99 100 ms"), text);
    }

    @Test
    void countsAFrameSeenTwiceAsADuplicate() {
        ResultEvaluator e = new ResultEvaluator();
        e.accept(result(1, 7, "7", 10));
        e.accept(result(1, 7, "7", 10));
        e.accept(deadLetter(1, "CORRUPT")); // the same input frame as a dead letter too
        e.accept(deadLetter(2, "CORRUPT"));
        assertEquals(2, e.summary().duplicates());
    }

    @Test
    void emptyEvaluationHasNoAccuracyNorLatency() {
        ResultEvaluator.Summary s = new ResultEvaluator().summary();
        assertEquals(0, s.frames());
        assertNull(s.accuracy());
        assertNull(s.latencyP50());
        assertTrue(s.format().contains("n/a"));
        assertTrue(s.toJson().get("accuracy").isJsonNull());
    }

    @Test
    void acceptsJsonTextAndRejectsOtherValues() {
        ResultEvaluator e = new ResultEvaluator();
        assertTrue(e.acceptResult("{\"schema\":\"densenet-flink.classification.v1\",\"label\":\"a\",\"class_index\":0,"
                + "\"ground_truth\":\"0\",\"event_time\":5,\"processed_time\":7}"));
        assertEquals(false, e.acceptResult("{\"schema\":\"something-else\"}"));
        assertEquals(false, e.acceptResult("not json"));
        ResultEvaluator.Summary s = e.summary();
        assertEquals(1, s.results());
        assertEquals(1.0, s.accuracy(), 0); // no "correct" field: decided from class_index
        assertEquals(2L, s.latencyP50());
    }

    @Test
    void nearestRankPercentiles() {
        long[] hundred = new long[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = i + 1;
        }
        assertEquals(50L, ResultEvaluator.percentile(hundred, 50));
        assertEquals(90L, ResultEvaluator.percentile(hundred, 90));
        assertEquals(99L, ResultEvaluator.percentile(hundred, 99));
        assertEquals(1L, ResultEvaluator.percentile(hundred, 0));
        assertEquals(5L, ResultEvaluator.percentile(new long[] {5}, 99));
        assertNull(ResultEvaluator.percentile(new long[0], 50));
    }
}
