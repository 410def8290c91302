package io.densenetflink.job.kafka.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.source.FrameDeserializer;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.types.FrameSerializer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DeadLetterRecordSchemaTest {

    private static Map<String, String> headers(ProducerRecord<byte[], byte[]> r) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void keepsKeyValueAndHeadersAndAddsTheError() {
        byte[] bytes = {1, 2, 3, 4};
        Frame frame = new Frame("cam-1", "bad.jpg", bytes, 1_000L, Map.of(FrameHeaders.FRAME_ID, "bad.jpg",
                FrameHeaders.CONTENT_TYPE, "image/jpeg", "custom", "x", FrameHeaders.TOPIC, "frames",
                FrameHeaders.PARTITION, "1", FrameHeaders.OFFSET, "99"));
        ProducerRecord<byte[], byte[]> r = new DeadLetterRecordSchema("dlq", RecordSizeLimit.KAFKA_DEFAULT).serialize(
                new FailedFrame(frame, FailureReason.CORRUPT, "not a JPEG: bad marker", 2_000L), null, null);

        assertEquals("dlq", r.topic());
        assertEquals("cam-1", new String(r.key(), StandardCharsets.UTF_8));
        assertArrayEquals(bytes, r.value());
        assertEquals(2_000L, r.timestamp());
        Map<String, String> h = headers(r);
        assertEquals("bad.jpg", h.get(FrameHeaders.FRAME_ID));
        assertEquals("image/jpeg", h.get(FrameHeaders.CONTENT_TYPE));
        assertEquals("x", h.get("custom"));
        assertEquals("CORRUPT", h.get("error-reason"));
        assertEquals("not a JPEG: bad marker", h.get("error-detail"));
        assertEquals("frames", h.get("source-topic"));
        assertEquals("1", h.get("source-partition"));
        assertEquals("99", h.get("source-offset"));
        assertEquals("1000", h.get("source-timestamp"));
        List<String> names = new ArrayList<>(h.keySet());
        assertTrue(names.stream().noneMatch(FrameHeaders::isReserved), names.toString());
    }

    @Test
    void originalHeadersSurviveACheckpointByteForByte() throws Exception {
        RecordHeaders in = new RecordHeaders();
        in.add(FrameHeaders.FRAME_ID, "f-1".getBytes(StandardCharsets.UTF_8));
        in.add("tag", "a".getBytes(StandardCharsets.UTF_8));
        in.add("binary", new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 0});
        in.add("tag", "b".getBytes(StandardCharsets.UTF_8));
        in.add("nothing", null);
        in.add("big", "x".repeat(70_000).getBytes(StandardCharsets.UTF_8)); // over 64 KB
        Frame frame = FrameDeserializer.toFrame(new ConsumerRecord<>("frames", 0, 5L, 9L, TimestampType.CREATE_TIME,
                -1, -1, null, new byte[] {1, 2}, in, Optional.empty()));
        // In flight during a checkpoint: written to and read back from operator state.
        DataOutputSerializer state = new DataOutputSerializer(128);
        FrameSerializer.INSTANCE.serialize(frame, state);
        Frame restored = FrameSerializer.INSTANCE.deserialize(new DataInputDeserializer(state.getCopyOfBuffer()));

        ProducerRecord<byte[], byte[]> r = new DeadLetterRecordSchema("dlq", RecordSizeLimit.KAFKA_DEFAULT).serialize(
                new FailedFrame(restored, FailureReason.CORRUPT, "bad", 2L), null, null);
        List<Header> written = new ArrayList<>();
        r.headers().forEach(written::add);
        List<Header> original = new ArrayList<>();
        in.forEach(original::add);
        assertEquals(original, written.subList(0, original.size()), "the original headers, then the job's");
        assertEquals(FrameHeaders.ERROR_REASON, written.get(original.size()).key());
    }

    @Test
    void overTheLimitTheValueThenTheOriginalHeadersAreLeftOut() {
        int limit = 64 * 1024;
        DeadLetterRecordSchema serializer = new DeadLetterRecordSchema("dlq", limit);
        Map<String, String> coordinates = Map.of(FrameHeaders.FRAME_ID, "f", FrameHeaders.TOPIC, "frames",
                FrameHeaders.PARTITION, "0", FrameHeaders.OFFSET, "7");
        Frame fits = new Frame("cam", "f", new byte[limit - 1024], 1L, coordinates);
        assertEquals(limit - 1024, serializer.serialize(new FailedFrame(fits, FailureReason.CORRUPT, "d", 2L), null, null)
                .value().length);

        Frame bigValue = new Frame("cam", "f", new byte[limit], 1L, coordinates);
        ProducerRecord<byte[], byte[]> r = serializer.serialize(new FailedFrame(bigValue, FailureReason.CORRUPT, "d", 2L), null, null);
        assertNull(r.value());
        assertEquals(String.valueOf(limit), headers(r).get(FrameHeaders.PAYLOAD_DROPPED));
        assertEquals("f", headers(r).get(FrameHeaders.FRAME_ID), "original headers kept");
        assertEquals("CORRUPT", headers(r).get(FrameHeaders.ERROR_REASON));

        Map<String, String> big = new java.util.HashMap<>(coordinates);
        big.put("notes", "n".repeat(limit));
        Frame bigHeaders = new Frame("cam", "f", new byte[10], 1L, big);
        r = serializer.serialize(new FailedFrame(bigHeaders, FailureReason.CORRUPT, "d", 2L), null, null);
        assertNull(r.value());
        Map<String, String> h = headers(r);
        assertNull(h.get("notes"));
        assertEquals("2 headers, " + (limit + 5 + FrameHeaders.FRAME_ID.length() + 1) + " bytes",
                h.get(FrameHeaders.HEADERS_DROPPED));
        assertEquals("f", h.get(FrameHeaders.FRAME_ID), "the frame id is always there");
        assertEquals("7", h.get(FrameHeaders.SOURCE_OFFSET));
        assertEquals("cam", new String(r.key(), StandardCharsets.UTF_8));
    }

    @Test
    void emptySourceHasNoKeyAndLongDetailsAreCut() {
        Frame frame = new Frame("", "f", new byte[0], 1L, Map.of());
        ProducerRecord<byte[], byte[]> r = new DeadLetterRecordSchema("dlq", RecordSizeLimit.KAFKA_DEFAULT).serialize(
                new FailedFrame(frame, FailureReason.EMPTY, "x".repeat(10_000), 3L), null, null);
        assertNull(r.key());
        assertEquals(0, r.value().length);
        Map<String, String> h = headers(r);
        assertEquals("EMPTY", h.get("error-reason"));
        assertEquals(DeadLetterRecordSchema.MAX_DETAIL_CHARS, h.get("error-detail").length());
        assertNull(h.get("source-topic"), "not from Kafka: no source coordinates");
    }

    /** Issue 19: a binary key came out re-encoded as UTF-8 (0xFF became EF BF BD). */
    @Test
    void aBinaryKeyIsKeptByteForByte() {
        byte[] key = {(byte) 0xC3, 0x28, 0, (byte) 0xFF};
        Frame frame = FrameDeserializer.toFrame(new ConsumerRecord<>("frames", 0, 5L, 9L, TimestampType.CREATE_TIME,
                -1, -1, key, new byte[] {1, 2}, new RecordHeaders(), Optional.empty()));
        ProducerRecord<byte[], byte[]> r = new DeadLetterRecordSchema("dlq", RecordSizeLimit.KAFKA_DEFAULT).serialize(
                new FailedFrame(frame, FailureReason.CORRUPT, "bad", 2L), null, null);
        assertArrayEquals(key, r.key());
    }

    /** Over the limit, a long key is cut first: the image stays in the dead letter. */
    @Test
    void overTheLimitALongKeyIsCutBeforeTheValueGoes() {
        int limit = 64 * 1024;
        Frame frame = new Frame(new byte[100_000], "f", new byte[10_000], 1L, List.of());
        ProducerRecord<byte[], byte[]> r = new DeadLetterRecordSchema("dlq", limit).serialize(
                new FailedFrame(frame, FailureReason.CORRUPT, "d", 2L), null, null);
        assertEquals(DeadLetterRecordSchema.MAX_KEY_BYTES, r.key().length);
        assertEquals(10_000, r.value().length, "the value is kept");
        assertEquals("100000", headers(r).get(FrameHeaders.KEY_CUT));
        assertNull(headers(r).get(FrameHeaders.PAYLOAD_DROPPED));
    }
}
