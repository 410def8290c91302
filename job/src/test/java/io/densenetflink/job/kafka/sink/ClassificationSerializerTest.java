package io.densenetflink.job.kafka.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.LabelScore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class ClassificationSerializerTest {

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
        ProducerRecord<byte[], byte[]> r = new ClassificationSerializer("results").serialize(result("cam-1", headers),
                null, null);

        assertEquals("results", r.topic());
        assertEquals("cam-1", new String(r.key(), StandardCharsets.UTF_8));
        assertEquals(1_250L, r.timestamp());
        assertEquals("application/json",
                new String(r.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8));
        JsonObject v = value(r);
        assertEquals(ClassificationSerializer.SCHEMA, v.get("schema").getAsString());
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
        assertTrue(ClassificationSerializer.matchesGroundTruth("7", sneaker));
        assertTrue(ClassificationSerializer.matchesGroundTruth(" sneaker ", sneaker));
        assertFalse(ClassificationSerializer.matchesGroundTruth("5", sneaker));
        assertFalse(ClassificationSerializer.matchesGroundTruth("Sandal", sneaker));
        assertFalse(ClassificationSerializer.matchesGroundTruth("", sneaker));

        JsonObject wrong = value(new ClassificationSerializer("out").serialize(
                result("cam", Map.of(FrameHeaders.LABEL, "Sandal")), null, null));
        assertEquals("Sandal", wrong.get("ground_truth").getAsString());
        assertFalse(wrong.get("correct").getAsBoolean());
    }

    @Test
    void withoutLabelOrKafkaCoordinatesThoseFieldsAreAbsentOrNull() {
        ProducerRecord<byte[], byte[]> r = new ClassificationSerializer("out").serialize(result("", Map.of()), null,
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
}
