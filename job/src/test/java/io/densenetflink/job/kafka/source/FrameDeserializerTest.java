package io.densenetflink.job.kafka.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.operators.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class FrameDeserializerTest {

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value, long timestamp, RecordHeaders headers) {
        return new ConsumerRecord<>("frames", 2, 41L, timestamp, TimestampType.CREATE_TIME, -1, -1, key, value,
                headers, Optional.empty());
    }

    private static Frame deserialize(ConsumerRecord<byte[], byte[]> r) {
        List<Frame> out = new ArrayList<>();
        new FrameDeserializer().deserialize(r, new Collector<>() {
            @Override
            public void collect(Frame f) {
                out.add(f);
            }

            @Override
            public void close() {}
        });
        assertEquals(1, out.size());
        return out.get(0);
    }

    @Test
    void mapsKeyValueHeadersAndCoordinates() {
        RecordHeaders h = new RecordHeaders();
        h.add(FrameHeaders.FRAME_ID, "img-7.png".getBytes(StandardCharsets.UTF_8));
        h.add(FrameHeaders.CONTENT_TYPE, "image/png".getBytes(StandardCharsets.UTF_8));
        h.add(FrameHeaders.LABEL, "Sneaker".getBytes(StandardCharsets.UTF_8));
        h.add("note", "ünïcode".getBytes(StandardCharsets.UTF_8));
        h.add("empty", null);
        h.add(FrameHeaders.TOPIC, "forged".getBytes(StandardCharsets.UTF_8)); // reserved: replaced
        byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
        Frame f = deserialize(record("cam-1".getBytes(StandardCharsets.UTF_8), png, 1_700_000_000_123L, h));

        assertEquals("cam-1", f.sourceId());
        assertEquals("img-7.png", f.frameId());
        assertArrayEquals(png, f.payload());
        assertEquals(1_700_000_000_123L, f.eventTime());
        assertEquals(Map.of(FrameHeaders.FRAME_ID, "img-7.png", FrameHeaders.CONTENT_TYPE, "image/png",
                FrameHeaders.LABEL, "Sneaker", "note", "ünïcode", "empty", "", FrameHeaders.TOPIC, "frames",
                FrameHeaders.PARTITION, "2", FrameHeaders.OFFSET, "41"), f.headers());
    }

    @Test
    void nullKeyAndValueAndNoFrameIdHeader() {
        Frame f = deserialize(record(null, null, 5L, new RecordHeaders()));
        assertEquals("", f.sourceId());
        assertEquals("frames-2-41", f.frameId());
        assertEquals(0, f.payload().length);
        assertEquals(5L, f.eventTime());
    }

    @Test
    void blankFrameIdFallsBackToCoordinates() {
        RecordHeaders h = new RecordHeaders();
        h.add(FrameHeaders.FRAME_ID, " ".getBytes(StandardCharsets.UTF_8));
        assertEquals("frames-2-41", deserialize(record(null, new byte[] {1}, 5L, h)).frameId());
    }

    @Test
    void producesFramesWithTheirOwnTypeInformation() {
        assertEquals(Frame.class, new FrameDeserializer().getProducedType().getTypeClass());
    }
}
