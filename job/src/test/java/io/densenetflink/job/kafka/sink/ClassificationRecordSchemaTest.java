package io.densenetflink.job.kafka.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.internal.HeaderText;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import io.densenetflink.operators.LabelScore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

class ClassificationRecordSchemaTest {

    private static Classification result(String source, Map<String, String> headers) {
        return new Classification(source, "img-7.png",
                List.of(new LabelScore(7, "Sneaker", 0.93f), new LabelScore(5, "Sandal", 0.05f)),
                "fashion-mnist-densenet", "3", 1_000L, 1_250L, 40L, 60L, headers);
    }

    private static JsonObject value(ProducerRecord<byte[], byte[]> r) {
        return JsonParser.parseString(new String(r.value(), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    @Test
    void writesTheVersionedJsonRecord() {
        Map<String, String> headers = Map.of(FrameHeaders.TOPIC, "frames", FrameHeaders.PARTITION, "3",
                FrameHeaders.OFFSET, "1234", FrameHeaders.LABEL, "7");
        ProducerRecord<byte[], byte[]> r = new ClassificationRecordSchema("results", RecordSizeLimit.KAFKA_DEFAULT).serialize(result("cam-1", headers),
                null, null);

        assertEquals("results", r.topic());
        assertEquals("cam-1", new String(r.key(), StandardCharsets.UTF_8));
        assertEquals(1_250L, r.timestamp());
        assertEquals("application/json",
                new String(r.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8));
        JsonObject v = value(r);
        assertEquals(ClassificationRecordSchema.SCHEMA, v.get("schema").getAsString());
        assertEquals("densenet-flink.classification.v1", v.get("schema").getAsString());
        assertEquals("cam-1", v.get("source").getAsString());
        assertEquals("img-7.png", v.get("frame_id").getAsString());
        assertEquals("frames", v.get("topic").getAsString());
        assertEquals(3, v.get("partition").getAsInt());
        assertEquals(1234L, v.get("offset").getAsLong());
        assertEquals("Sneaker", v.get("label").getAsString());
        assertEquals(7, v.get("class_index").getAsInt());
        assertEquals("0.93", v.get("score").getAsString());
        JsonArray topK = v.getAsJsonArray("top_k");
        assertEquals(2, topK.size());
        assertEquals("Sandal", topK.get(1).getAsJsonObject().get("label").getAsString());
        assertEquals(5, topK.get(1).getAsJsonObject().get("class_index").getAsInt());
        assertEquals(0.05, topK.get(1).getAsJsonObject().get("score").getAsDouble(), 1e-6);
        assertEquals("fashion-mnist-densenet", v.getAsJsonObject("model").get("name").getAsString());
        assertEquals("3", v.getAsJsonObject("model").get("version").getAsString());
        assertEquals(1_000L, v.get("event_time").getAsLong());
        assertEquals(1_250L, v.get("processed_time").getAsLong());
        assertEquals(40L, v.get("queue_ms").getAsLong());
        assertEquals(60L, v.get("inference_ms").getAsLong());
        assertEquals("7", v.get("ground_truth").getAsString());
        assertTrue(v.get("correct").getAsBoolean());
    }

    @Test
    void groundTruthMatchesByIndexOrByName() {
        LabelScore sneaker = new LabelScore(7, "Sneaker", 0.9f);
        assertTrue(ClassificationRecordSchema.matchesGroundTruth("7", sneaker));
        assertTrue(ClassificationRecordSchema.matchesGroundTruth(" sneaker ", sneaker));
        assertFalse(ClassificationRecordSchema.matchesGroundTruth("5", sneaker));
        assertFalse(ClassificationRecordSchema.matchesGroundTruth("Sandal", sneaker));
        assertFalse(ClassificationRecordSchema.matchesGroundTruth("", sneaker));

        JsonObject wrong = value(new ClassificationRecordSchema("out", RecordSizeLimit.KAFKA_DEFAULT).serialize(
                result("cam", Map.of(FrameHeaders.LABEL, "Sandal")), null, null));
        assertEquals("Sandal", wrong.get("ground_truth").getAsString());
        assertFalse(wrong.get("correct").getAsBoolean());
    }

    @Test
    void withoutLabelOrKafkaCoordinatesThoseFieldsAreAbsentOrNull() {
        ProducerRecord<byte[], byte[]> r = new ClassificationRecordSchema("out", RecordSizeLimit.KAFKA_DEFAULT).serialize(result("", Map.of()), null,
                null);
        assertNull(r.key());
        JsonObject v = value(r);
        assertFalse(v.has("ground_truth"));
        assertFalse(v.has("correct"));
        assertTrue(v.get("topic").isJsonNull());
        assertTrue(v.get("partition").isJsonNull());
        assertTrue(v.get("offset").isJsonNull());
        assertEquals("", v.get("source").getAsString());
        assertFalse(new String(r.value(), StandardCharsets.UTF_8).contains("\n"), "one line");
    }

    /** Issue 19: keys were read as UTF-8 and written back re-encoded. */
    @Test
    void aBinaryKeyIsWrittenByteForByte() {
        byte[] key = {(byte) 0xC3, 0x28, 0, (byte) 0xFF};
        Classification c = new Classification(key, "f", List.of(new LabelScore(1, "x", 1f)), "m", "1", 1L, 2L, 0L, 0L,
                Map.of());
        assertArrayEquals(key, new ClassificationRecordSchema("out", RecordSizeLimit.KAFKA_DEFAULT).serialize(c, null,
                null).key());
    }

    /**
     * Issue 19: a 6 MB key of NUL bytes (each escaped as six bytes in the JSON) and long frame id and ground truth
     * made a record no broker takes, which failed the job at every replay. Cut down, it fits.
     */
    @Test
    void aResultOverTheLimitHasItsLongFieldsCut() {
        byte[] key = new byte[6 * 1024 * 1024];
        String frameId = "f".repeat(600_000);
        String truth = "Sneaker" + " ".repeat(300_000);
        Classification c = new Classification(key, frameId, List.of(new LabelScore(7, "Sneaker", 0.9f)), "m", "1",
                1L, 2L, 0L, 0L, Map.of(FrameHeaders.LABEL, truth + "x", FrameHeaders.TOPIC, "frames"));
        ClassificationRecordSchema serializer = new ClassificationRecordSchema("out", RecordSizeLimit.KAFKA_DEFAULT);
        assertFalse(serializer.surelyFits(c));
        ProducerRecord<byte[], byte[]> r = serializer.serialize(c, null, null);

        assertTrue(AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                r.key(), r.value(), r.headers().toArray()) <= RecordSizeLimit.KAFKA_DEFAULT);
        assertArrayEquals(new byte[ClassificationRecordSchema.MAX_KEY_BYTES], r.key(), "the key's first bytes");
        assertEquals("key=" + key.length + ",source=" + key.length + ",frame_id=600000,ground_truth=300008",
                new String(r.headers().lastHeader(FrameHeaders.RESULT_CUT).value(), StandardCharsets.UTF_8));
        JsonObject v = value(r);
        assertEquals("f".repeat(ClassificationRecordSchema.MAX_TEXT_CHARS) + ClassificationRecordSchema.CUT_MARK,
                v.get("frame_id").getAsString());
        assertEquals(600_000, v.getAsJsonObject("cut").get("frame_id").getAsInt());
        assertEquals(key.length, v.getAsJsonObject("cut").get("key").getAsInt());
        assertFalse(v.get("correct").getAsBoolean(), "decided on the whole ground truth");
        assertEquals("Sneaker", v.get("label").getAsString());
    }

    @Test
    void anOrdinaryResultIsWholeAndSurelyFits() {
        Classification c = result("cam-1", Map.of(FrameHeaders.LABEL, "7"));
        ClassificationRecordSchema serializer = new ClassificationRecordSchema("out", RecordSizeLimit.MINIMUM);
        assertTrue(serializer.surelyFits(c));
        ProducerRecord<byte[], byte[]> r = serializer.serialize(c, null, null);
        assertNull(r.headers().lastHeader(FrameHeaders.RESULT_CUT));
        assertFalse(value(r).has("cut"));
    }

    /** A result that is over the limit even cut (long labels) is a dead letter, never a failed write. */
    @Test
    void aResultTooLargeEvenCutBecomesADeadLetter() {
        List<LabelScore> top = List.of(new LabelScore(0, "a".repeat(9_000), 0.5f), new LabelScore(1, "b".repeat(9_000),
                0.4f));
        Classification c = new Classification("cam".getBytes(StandardCharsets.UTF_8), "f-1", top, "m", "2", 1L, 2L, 0L,
                0L, Map.of(FrameHeaders.TOPIC, "frames", FrameHeaders.PARTITION, "0", FrameHeaders.OFFSET, "12"));
        ClassificationRecordSchema serializer = new ClassificationRecordSchema("out", RecordSizeLimit.MINIMUM);
        assertNull(serializer.record(c));
        assertThrows(IllegalStateException.class, () -> serializer.serialize(c, null, null));

        FailedFrame dead = ResultSizeGuard.deadLetter(c, serializer, 5L);
        assertEquals(FailureReason.RESULT_TOO_LARGE, dead.reason());
        assertTrue(dead.detail().contains("over the " + RecordSizeLimit.MINIMUM + " bytes topic out takes"),
                dead.detail());
        ProducerRecord<byte[], byte[]> letter = new DeadLetterRecordSchema("dlq", RecordSizeLimit.MINIMUM).serialize(dead,
                null, null);
        assertEquals("RESULT_TOO_LARGE", HeaderText.last(letter.headers(), FrameHeaders.ERROR_REASON));
        assertEquals("12", HeaderText.last(letter.headers(), FrameHeaders.SOURCE_OFFSET));
        assertEquals("frames", HeaderText.last(letter.headers(), FrameHeaders.SOURCE_TOPIC));
        assertArrayEquals("cam".getBytes(StandardCharsets.UTF_8), letter.key());
    }
}
