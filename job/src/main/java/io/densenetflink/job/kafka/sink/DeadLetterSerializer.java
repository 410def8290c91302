package io.densenetflink.job.kafka.sink;

import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.internal.HeaderText;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.FrameHeader;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a {@link FailedFrame} to the dead-letter topic as the original record: key = source id (no key when it
 * is empty), value = the original bytes, the original headers byte for byte (in their order, repeated names
 * repeated, binary and null values as they were; the job's reserved {@code densenet.*} headers left out), then:
 *
 * <ul>
 *   <li>{@value FrameHeaders#ERROR_REASON}: the reason code ({@code EMPTY}, {@code UNSUPPORTED_FORMAT},
 *       {@code CORRUPT}, {@code TOO_LARGE}, {@code BAD_SHAPE}, {@code INFERENCE_ERROR}, {@code TIMEOUT});
 *   <li>{@value FrameHeaders#ERROR_DETAIL}: what went wrong, at most {@value #MAX_DETAIL_CHARS} characters;
 *   <li>{@value FrameHeaders#SOURCE_TOPIC}, {@value FrameHeaders#SOURCE_PARTITION}, {@value
 *       FrameHeaders#SOURCE_OFFSET}: the input record (present when the frame came from Kafka);
 *   <li>{@value FrameHeaders#SOURCE_TIMESTAMP}: the input record's timestamp, epoch ms.
 * </ul>
 *
 * The record timestamp is the time of the failure.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<FailedFrame> {

    private static final long serialVersionUID = 1L;

    /** Longer details are cut (with a trailing ellipsis): a header is no place for a stack trace. */
    public static final int MAX_DETAIL_CHARS = 2000;

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    public String topic() {
        return topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(FailedFrame failed, KafkaSinkContext context, Long timestamp) {
        Frame frame = failed.frame();
        Map<String, String> in = frame.headers();
        RecordHeaders headers = new RecordHeaders();
        for (FrameHeader h : frame.headerList()) {
            if (!FrameHeaders.isReserved(h.name())) {
                headers.add(h.name(), h.value());
            }
        }
        HeaderText.add(headers, FrameHeaders.ERROR_REASON, failed.reason());
        HeaderText.add(headers, FrameHeaders.ERROR_DETAIL, cut(failed.detail()));
        addIfPresent(headers, FrameHeaders.SOURCE_TOPIC, in.get(FrameHeaders.TOPIC));
        addIfPresent(headers, FrameHeaders.SOURCE_PARTITION, in.get(FrameHeaders.PARTITION));
        addIfPresent(headers, FrameHeaders.SOURCE_OFFSET, in.get(FrameHeaders.OFFSET));
        HeaderText.add(headers, FrameHeaders.SOURCE_TIMESTAMP, Long.toString(frame.eventTime()));
        byte[] key = frame.sourceId().isEmpty() ? null : HeaderText.utf8(frame.sourceId());
        return new ProducerRecord<>(topic, null, failed.failedAt() >= 0 ? failed.failedAt() : null, key, frame.payload(), headers);
    }

    private static void addIfPresent(RecordHeaders headers, String name, String value) {
        if (value != null) {
            HeaderText.add(headers, name, value);
        }
    }

    private static String cut(String detail) {
        if (detail.length() <= MAX_DETAIL_CHARS) {
            return detail;
        }
        return detail.substring(0, MAX_DETAIL_CHARS - 3) + "...";
    }
}
