package io.densenetflink.job.kafka.sink;

import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.internal.HeaderText;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.FrameHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@link FailedFrame} to the dead-letter topic as the original record: key = source id (no key when it
 * is empty), value = the original bytes, the original headers byte for byte (in their order, repeated names
 * repeated, binary and null values as they were; the job's reserved {@code densenet.*} headers left out), then:
 *
 * <ul>
 *   <li>{@value FrameHeaders#ERROR_REASON}: the reason code ({@code EMPTY}, {@code UNSUPPORTED_FORMAT},
 *       {@code CORRUPT}, {@code TOO_LARGE}, {@code BAD_SHAPE}, {@code INFERENCE_ERROR}, {@code TIMEOUT}, {@code
 *       RESULT_TOO_LARGE}: the last has no value, the image having been classified);
 *   <li>{@value FrameHeaders#ERROR_DETAIL}: what went wrong, at most {@value #MAX_DETAIL_CHARS} characters;
 *   <li>{@value FrameHeaders#SOURCE_TOPIC}, {@value FrameHeaders#SOURCE_PARTITION}, {@value
 *       FrameHeaders#SOURCE_OFFSET}: the input record (present when the frame came from Kafka);
 *   <li>{@value FrameHeaders#SOURCE_TIMESTAMP}: the input record's timestamp, epoch ms.
 * </ul>
 *
 * The record timestamp is the time of the failure.
 *
 * <p>A dead letter larger than the dead-letter topic accepts would fail its write, and with it the job, again
 * after every restart. Such a dead letter is cut down in steps until it fits: a key over {@value #MAX_KEY_BYTES}
 * bytes keeps its first {@value #MAX_KEY_BYTES} (header {@value FrameHeaders#KEY_CUT}: its size); then the value is
 * left out (header {@value FrameHeaders#PAYLOAD_DROPPED}: its size); then the original headers (header {@value
 * FrameHeaders#HEADERS_DROPPED}, and {@value FrameHeaders#FRAME_ID} cut to {@value #MAX_FRAME_ID_CHARS}
 * characters). Reason, detail and source coordinates are always there, so the input record can be found and read
 * again.
 */
public final class DeadLetterRecordSchema implements FixedTopicSerializer<FailedFrame> {

    private static final long serialVersionUID = 1L;

    /** Longer details are cut (with a trailing ellipsis): a header is no place for a stack trace. */
    public static final int MAX_DETAIL_CHARS = 2000;

    /** A longer key is cut to this many bytes when its dead letter is over the limit. */
    public static final int MAX_KEY_BYTES = ClassificationRecordSchema.MAX_KEY_BYTES;

    private static final int MAX_FRAME_ID_CHARS = ClassificationRecordSchema.MAX_TEXT_CHARS;

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRecordSchema.class);

    private final String topic;
    private final int maxRecordBytes;

    /**
     * @param maxRecordBytes the largest record the dead-letter topic takes ({@link RecordSizeLimit}); larger dead
     *     letters are cut down (see the class comment)
     */
    public DeadLetterRecordSchema(String topic, int maxRecordBytes) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.maxRecordBytes = RecordSizeLimit.checked(topic, maxRecordBytes);
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(FailedFrame failed, KafkaSinkContext context, Long timestamp) {
        Frame frame = failed.frame();
        byte[] key = frame.key();
        byte[] value = frame.payload();
        List<Header> original = new ArrayList<>();
        for (FrameHeader h : frame.headerList()) {
            if (!FrameHeaders.isReserved(h.name())) {
                original.add(new RecordHeader(h.name(), h.value()));
            }
        }
        List<Header> added = jobHeaders(failed);
        Long time = failed.failedAt() >= 0 ? failed.failedAt() : null;
        if (fits(key, value, concat(original, added))) {
            return new ProducerRecord<>(topic, null, time, key, value, new RecordHeaders(concat(original, added)));
        }
        // Too large for the dead-letter topic: a failed write would fail the job, and the replay fail it again.
        if (key != null && key.length > MAX_KEY_BYTES) {
            added.add(text(FrameHeaders.KEY_CUT, Integer.toString(key.length)));
            key = Arrays.copyOf(key, MAX_KEY_BYTES);
            if (fits(key, value, concat(original, added))) {
                LOG.warn("dead letter {}: key cut from {} to {} bytes (over the {} bytes the dead-letter topic takes)",
                        cut(frame.frameId(), MAX_FRAME_ID_CHARS), frame.key().length, MAX_KEY_BYTES, maxRecordBytes);
                return new ProducerRecord<>(topic, null, time, key, value, new RecordHeaders(concat(original, added)));
            }
        }
        added.add(text(FrameHeaders.PAYLOAD_DROPPED, Integer.toString(value.length)));
        List<Header> withoutValue = concat(original, added);
        if (fits(key, null, withoutValue)) {
            LOG.warn("dead letter {}: {} bytes of value left out (over the {} bytes the dead-letter topic takes)",
                    cut(frame.frameId(), MAX_FRAME_ID_CHARS), value.length, maxRecordBytes);
            return new ProducerRecord<>(topic, null, time, key, null, new RecordHeaders(withoutValue));
        }
        long headerBytes = original.stream().mapToLong(h -> h.key().length() + (h.value() == null ? 0 : h.value().length))
                .sum();
        added.add(text(FrameHeaders.HEADERS_DROPPED, original.size() + " headers, " + headerBytes + " bytes"));
        added.add(text(FrameHeaders.FRAME_ID, cut(frame.frameId(), MAX_FRAME_ID_CHARS)));
        LOG.warn("dead letter {}: value ({} bytes) and original headers ({} bytes) left out (over the {} bytes the"
                + " dead-letter topic takes)", cut(frame.frameId(), MAX_FRAME_ID_CHARS), value.length, headerBytes,
                maxRecordBytes);
        return new ProducerRecord<>(topic, null, time, key, null, new RecordHeaders(added));
    }

    /** The headers the job adds: reason, detail, where the frame came from. */
    private static List<Header> jobHeaders(FailedFrame failed) {
        Map<String, String> in = failed.frame().headers();
        List<Header> added = new ArrayList<>();
        added.add(text(FrameHeaders.ERROR_REASON, failed.reason().name()));
        added.add(text(FrameHeaders.ERROR_DETAIL, cut(failed.detail(), MAX_DETAIL_CHARS)));
        for (String[] coordinate : new String[][] {{FrameHeaders.SOURCE_TOPIC, FrameHeaders.TOPIC},
                {FrameHeaders.SOURCE_PARTITION, FrameHeaders.PARTITION}, {FrameHeaders.SOURCE_OFFSET, FrameHeaders.OFFSET}}) {
            String v = in.get(coordinate[1]);
            if (v != null) {
                added.add(text(coordinate[0], v));
            }
        }
        added.add(text(FrameHeaders.SOURCE_TIMESTAMP, Long.toString(failed.frame().eventTime())));
        return added;
    }

    /** Whether the record fits the limit, by the estimate Kafka's producer applies itself (uncompressed). */
    private boolean fits(byte[] key, byte[] value, List<Header> headers) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key, value, headers.toArray(Header[]::new)) <= maxRecordBytes;
    }

    private static List<Header> concat(List<Header> a, List<Header> b) {
        List<Header> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static Header text(String name, String value) {
        return new RecordHeader(name, HeaderText.utf8(value));
    }

    private static String cut(String text, int maxChars) {
        return text.length() <= maxChars ? text : text.substring(0, maxChars - 3) + "...";
    }
}
