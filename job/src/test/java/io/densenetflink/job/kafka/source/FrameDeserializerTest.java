package io.densenetflink.job.kafka.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.FrameHeader;
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
    void keepsEveryHeaderAsDelivered() {
        RecordHeaders h = new RecordHeaders();
        byte[] notUtf8 = {(byte) 0xC3, 0x28, (byte) 0xFF, 0};
        byte[] big = new byte[100_000];
        h.add("tag", "a".getBytes(StandardCharsets.UTF_8));
        h.add("binary", notUtf8);
        h.add("tag", "b".getBytes(StandardCharsets.UTF_8));
        h.add("nothing", null);
        h.add(FrameHeaders.OFFSET, "7".getBytes(StandardCharsets.UTF_8)); // reserved: left out
        h.add("big", big);
        Frame f = deserialize(record(null, new byte[] {1}, 5L, h));

        List<FrameHeader> headers = f.headerList();
        assertEquals(List.of("tag", "binary", "tag", "nothing", "big", FrameHeaders.TOPIC, FrameHeaders.PARTITION,
                FrameHeaders.OFFSET), headers.stream().map(FrameHeader::name).toList());
        assertArrayEquals(notUtf8, headers.get(1).value());
        assertArrayEquals("b".getBytes(StandardCharsets.UTF_8), headers.get(2).value());
        assertNull(headers.get(3).value(), "a null value stays null");
        assertArrayEquals(big, headers.get(4).value());
        assertEquals("41", f.headers().get(FrameHeaders.OFFSET), "the record's own offset, not the forged one");
        assertEquals("b", f.headers().get("tag"), "the text view has the last value of a repeated name");
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
