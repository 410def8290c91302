package io.densenetflink.job.kafka;

import java.util.Locale;

/**
 * Names of the Kafka record headers the job reads and writes.
 *
 * <p>Input frames may carry {@link #FRAME_ID}, {@link #CONTENT_TYPE} and {@link #LABEL}. The source adds the
 * record's coordinates to every frame's headers under the reserved names {@link #TOPIC}, {@link #PARTITION} and
 * {@link #OFFSET} (prefix {@value #RESERVED_PREFIX}); the sinks read them back to name the input record in results
 * and dead letters, and never copy a reserved header to Kafka. Dead letters carry {@link #ERROR_REASON}, {@link
 * #ERROR_DETAIL}, {@link #SOURCE_TOPIC}, {@link #SOURCE_PARTITION} and {@link #SOURCE_OFFSET}.
 */
public final class FrameHeaders {

    /** Input, optional: the frame's id; without it the id is {@code topic-partition-offset}. */
    public static final String FRAME_ID = "frame-id";

    /** Input, optional: the image's media type, e.g. {@code image/png} (informational). */
    public static final String CONTENT_TYPE = "content-type";

    /** Input, optional: the ground truth, a class index or a class name; used only for evaluation. */
    public static final String LABEL = "label";

    /** Prefix of the headers the job reserves for itself; input headers with this prefix are overwritten. */
    public static final String RESERVED_PREFIX = "densenet.";

    /** Reserved: the input record's topic. */
    public static final String TOPIC = RESERVED_PREFIX + "topic";

    /** Reserved: the input record's partition (decimal). */
    public static final String PARTITION = RESERVED_PREFIX + "partition";

    /** Reserved: the input record's offset (decimal). */
    public static final String OFFSET = RESERVED_PREFIX + "offset";

    /** Dead letters: the failure's reason code ({@code EMPTY}, {@code CORRUPT}, {@code INFERENCE_ERROR}, ...). */
    public static final String ERROR_REASON = "error-reason";

    /** Dead letters: a human-readable description of the failure. */
    public static final String ERROR_DETAIL = "error-detail";

    /** Dead letters: the input record's topic. */
    public static final String SOURCE_TOPIC = "source-topic";

    /** Dead letters: the input record's partition. */
    public static final String SOURCE_PARTITION = "source-partition";

    /** Dead letters: the input record's offset. */
    public static final String SOURCE_OFFSET = "source-offset";

    /** Dead letters: the input record's timestamp (epoch ms), i.e. the frame's event time. */
    public static final String SOURCE_TIMESTAMP = "source-timestamp";

    /**
     * Dead letters over the dead-letter topic's size limit: the size in bytes of the original value, which was left
     * out (the record has no value).
     */
    public static final String PAYLOAD_DROPPED = "dead-letter-payload-dropped";

    /**
     * Dead letters still over the limit without their value: how many original headers were left out and their
     * size, {@code COUNT headers, BYTES bytes}.
     */
    public static final String HEADERS_DROPPED = "dead-letter-headers-dropped";

    /**
     * Dead letters whose key was over {@code DeadLetterRecordSchema.MAX_KEY_BYTES} in a record over the limit: the
     * key's original size in bytes (the record has its first bytes).
     */
    public static final String KEY_CUT = "dead-letter-key-cut";

    /**
     * Results over the output topic's limit whose long fields were cut: what was cut and its original size, {@code
     * key=BYTES,source=CHARS,frame_id=CHARS,ground_truth=CHARS} (those that were).
     */
    public static final String RESULT_CUT = "result-cut";

    private FrameHeaders() {}

    /** True for the job's own headers ({@value #RESERVED_PREFIX}...), which never leave the job. */
    public static boolean isReserved(String name) {
        return name != null && name.toLowerCase(Locale.ROOT).startsWith(RESERVED_PREFIX);
    }
}
