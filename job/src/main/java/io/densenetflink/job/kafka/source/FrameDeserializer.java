package io.densenetflink.job.kafka.source;

import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.internal.HeaderText;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.FrameHeader;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns an input record into a {@link Frame}; never fails, so a bad record becomes a dead letter downstream
 * instead of a failing job.
 *
 * <ul>
 *   <li>key: the record's key, byte for byte (none for a null key); its UTF-8 reading is the source id;
 *   <li>payload: the value, the encoded image (a null value becomes an empty array, which fails as {@code EMPTY});
 *   <li>frame id: header {@value FrameHeaders#FRAME_ID} when present and not blank, else {@code
 *       topic-partition-offset};
 *   <li>event time: the record's timestamp (the time of reading when the record has none);
 *   <li>headers: every record header as it is (order, repeated names, raw bytes, null values) except those in
 *       the job's reserved namespace ({@value FrameHeaders#RESERVED_PREFIX}...), then the record's coordinates
 *       under {@link FrameHeaders#TOPIC}, {@link FrameHeaders#PARTITION} and {@link FrameHeaders#OFFSET}.
 * </ul>
 */
public final class FrameDeserializer implements KafkaRecordDeserializationSchema<Frame> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Frame> out) {
        out.collect(toFrame(record));
    }

    /** The frame for one record (what {@link #deserialize} emits). */
    public static Frame toFrame(ConsumerRecord<byte[], byte[]> record) {
        List<FrameHeader> headers = new ArrayList<>();
        for (Header h : record.headers()) {
            if (!FrameHeaders.isReserved(h.key())) {
                headers.add(new FrameHeader(h.key(), h.value()));
            }
        }
        headers.add(FrameHeader.ofText(FrameHeaders.TOPIC, record.topic()));
        headers.add(FrameHeader.ofText(FrameHeaders.PARTITION, Integer.toString(record.partition())));
        headers.add(FrameHeader.ofText(FrameHeaders.OFFSET, Long.toString(record.offset())));

        String frameId = HeaderText.last(record.headers(), FrameHeaders.FRAME_ID);
        if (frameId == null || frameId.isBlank()) {
            frameId = record.topic() + "-" + record.partition() + "-" + record.offset();
        }
        long eventTime = record.timestamp() >= 0 ? record.timestamp() : System.currentTimeMillis();
        byte[] payload = record.value() == null ? new byte[0] : record.value();
        return new Frame(record.key(), frameId, payload, eventTime, headers);
    }

    @Override
    public TypeInformation<Frame> getProducedType() {
        return TypeInformation.of(Frame.class);
    }
}
