package io.densenetflink.job.kafka.sink;

import com.google.gson.stream.JsonWriter;
import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.internal.HeaderText;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.LabelScore;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Writes a {@link Classification} to the output topic: key = the input record's key byte for byte (none when it
 * had none), value = one UTF-8 JSON object of schema {@value #SCHEMA}, header {@code content-type:
 * application/json}, record timestamp = the time the result was produced.
 *
 * <pre>{@code
 * {"schema": "densenet-flink.classification.v1", "source": "cam-1", "frame_id": "img-0001.png",
 *  "topic": "frames", "partition": 0, "offset": 41,
 *  "label": "Sneaker", "class_index": 7, "score": 0.9412,
 *  "top_k": [{"label": "Sneaker", "class_index": 7, "score": 0.9412}, ...],
 *  "model": {"name": "fashion-mnist-densenet", "version": "1"},
 *  "event_time": 1767225600000, "processed_time": 1767225600043, "queue_ms": 12, "inference_ms": 25,
 *  "ground_truth": "7", "correct": true}
 * }</pre>
 *
 * {@code source} is the key read as UTF-8; {@code topic}, {@code partition} and {@code offset} are null when the
 * frame did not come from Kafka; {@code ground_truth} and {@code correct} are present only when the input carried a
 * {@value FrameHeaders#LABEL} header (a class index or a class name: either matches).
 *
 * <p><b>Size.</b> A result larger than the output topic takes would fail its write, and the job with it, again after
 * every restart. So a result over the limit is cut: a key over {@value #MAX_KEY_BYTES} bytes keeps its first
 * {@value #MAX_KEY_BYTES}, and {@code source}, {@code frame_id} and {@code ground_truth} over {@value
 * #MAX_TEXT_CHARS} characters keep their first {@value #MAX_TEXT_CHARS} followed by {@value #CUT_MARK}; the value
 * then has {@code "cut": {"key": BYTES, "frame_id": CHARS, ...}} (the original sizes of what was cut) and the
 * record a header {@value FrameHeaders#RESULT_CUT} saying the same ({@code key=BYTES,frame_id=CHARS}). {@code
 * correct} is still decided on the whole ground truth. A result that is over the limit even cut ({@link
 * #record} returns null) is not written here: {@link ResultSizeGuard} sends it to the dead-letter topic first.
 */
public final class ClassificationRecordSchema implements FixedTopicSerializer<Classification> {

    private static final long serialVersionUID = 2L;

    /** The value's schema name and version; a change that breaks readers gets a new version. */
    public static final String SCHEMA = "densenet-flink.classification.v1";

    /** A key longer than this is cut to this many bytes when its result is over the limit. */
    public static final int MAX_KEY_BYTES = 1024;

    /** Text fields longer than this are cut to this many characters (and {@link #CUT_MARK}) when over the limit. */
    public static final int MAX_TEXT_CHARS = 1000;

    /** Ends a cut text field. */
    public static final String CUT_MARK = "...";

    /** Bytes of a result besides its text fields (numbers, field names, record framing): a generous bound. */
    private static final int FIXED_BYTES = 1024;

    /** Bytes of one top-k entry besides its label: a generous bound. */
    private static final int BYTES_PER_CLASS = 96;

    /** The most bytes one UTF-16 character can take in JSON-escaped UTF-8 ({@code \\u0000}). */
    private static final int BYTES_PER_CHAR = 6;

    private final String topic;
    private final int maxRecordBytes;

    /** @param maxRecordBytes the largest record the output topic takes ({@link RecordSizeLimit}) */
    public ClassificationRecordSchema(String topic, int maxRecordBytes) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.maxRecordBytes = RecordSizeLimit.checked(topic, maxRecordBytes);
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Classification result, KafkaSinkContext context, Long timestamp) {
        ProducerRecord<byte[], byte[]> record = record(result);
        if (record == null) {
            throw new IllegalStateException("the result for frame " + cut(result.frameId(), new LinkedHashMap<>(), "")
                    + " is over the " + maxRecordBytes + " bytes topic " + topic + " takes even cut down; "
                    + ResultSizeGuard.class.getSimpleName() + " should have made it a dead letter");
        }
        return record;
    }

    /**
     * The record for {@code result}: whole when it fits the limit, else cut down (see the class comment); null when
     * even the cut record is over the limit.
     */
    public ProducerRecord<byte[], byte[]> record(Classification result) {
        if (surelyFits(result)) {
            return build(result, false);
        }
        ProducerRecord<byte[], byte[]> whole = build(result, false);
        if (sizeOf(whole) <= maxRecordBytes) {
            return whole;
        }
        ProducerRecord<byte[], byte[]> cut = build(result, true);
        return sizeOf(cut) <= maxRecordBytes ? cut : null;
    }

    /** The size of {@code result}'s record cut down, as Kafka's producer estimates it. */
    public int cutSize(Classification result) {
        return sizeOf(build(result, true));
    }

    /** The largest record this serializer writes. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /**
     * True when {@code result}'s record is surely within the limit, by a bound computed without writing it (every
     * character of every text field counted as an escaped six bytes): true for every ordinary result, so only the
     * rare large one is written twice.
     */
    boolean surelyFits(Classification result) {
        long chars = (long) result.frameId().length() + result.modelName().length() + result.modelVersion().length();
        for (LabelScore s : result.topK()) {
            chars += s.label() == null ? 0 : s.label().length();
        }
        chars += result.best().label() == null ? 0 : result.best().label().length();
        for (String header : new String[] {FrameHeaders.TOPIC, FrameHeaders.LABEL}) {
            String value = result.headers().get(header);
            chars += value == null ? 0 : 2L * value.length(); // the label may be written twice (ground truth)
        }
        long keyBytes = result.key() == null ? 0 : result.key().length;
        // The source is the key as text: one character at most per key byte.
        long bound = FIXED_BYTES + (long) BYTES_PER_CLASS * result.topK().size() + keyBytes
                + BYTES_PER_CHAR * (chars + keyBytes);
        return bound <= maxRecordBytes;
    }

    private ProducerRecord<byte[], byte[]> build(Classification result, boolean cutDown) {
        Map<String, Integer> cuts = new LinkedHashMap<>();
        byte[] key = result.key();
        if (cutDown && key != null && key.length > MAX_KEY_BYTES) {
            cuts.put("key", key.length);
            key = Arrays.copyOf(key, MAX_KEY_BYTES);
        }
        String json = toJson(result, cutDown ? cuts : null);
        RecordHeaders headers = new RecordHeaders();
        HeaderText.add(headers, FrameHeaders.CONTENT_TYPE, "application/json");
        if (!cuts.isEmpty()) {
            StringJoiner said = new StringJoiner(",");
            cuts.forEach((field, size) -> said.add(field + "=" + size));
            HeaderText.add(headers, FrameHeaders.RESULT_CUT, said.toString());
        }
        return new ProducerRecord<>(topic, null, result.processedTime() >= 0 ? result.processedTime() : null, key,
                HeaderText.utf8(json), headers);
    }

    private static int sizeOf(ProducerRecord<byte[], byte[]> r) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                r.key(), r.value(), r.headers().toArray());
    }

    /** The record value for {@code result}: one line of JSON, schema {@value #SCHEMA}. */
    public static String toJson(Classification result) {
        return toJson(result, null);
    }

    /**
     * @param cuts null to write every field whole; else long text fields are cut and their original sizes added here
     *     (the key's, when it was cut, is already in it) and written as {@code "cut"}
     */
    private static String toJson(Classification result, Map<String, Integer> cuts) {
        StringWriter text = new StringWriter(256 + 64 * result.topK().size());
        try (JsonWriter w = new JsonWriter(text)) {
            w.setSerializeNulls(true);
            LabelScore best = result.best();
            w.beginObject();
            w.name("schema").value(SCHEMA);
            w.name("source").value(cut(result.sourceId(), cuts, "source"));
            w.name("frame_id").value(cut(result.frameId(), cuts, "frame_id"));
            w.name("topic").value(result.headers().get(FrameHeaders.TOPIC));
            w.name("partition").value(parseLong(result.headers().get(FrameHeaders.PARTITION)));
            w.name("offset").value(parseLong(result.headers().get(FrameHeaders.OFFSET)));
            w.name("label").value(best.label());
            w.name("class_index").value(best.classIndex());
            w.name("score");
            score(w, best.score());
            w.name("top_k").beginArray();
            for (LabelScore s : result.topK()) {
                w.beginObject();
                w.name("label").value(s.label());
                w.name("class_index").value(s.classIndex());
                w.name("score");
                score(w, s.score());
                w.endObject();
            }
            w.endArray();
            w.name("model").beginObject();
            w.name("name").value(result.modelName());
            w.name("version").value(result.modelVersion());
            w.endObject();
            w.name("event_time").value(result.eventTime());
            w.name("processed_time").value(result.processedTime());
            w.name("queue_ms").value(result.queueMillis());
            w.name("inference_ms").value(result.inferenceMillis());
            String truth = result.headers().get(FrameHeaders.LABEL);
            if (truth != null && !truth.isBlank()) {
                w.name("ground_truth").value(cut(truth.trim(), cuts, "ground_truth"));
                w.name("correct").value(matchesGroundTruth(truth, best));
            }
            if (cuts != null && !cuts.isEmpty()) {
                w.name("cut").beginObject();
                for (Map.Entry<String, Integer> c : cuts.entrySet()) {
                    w.name(c.getKey()).value(c.getValue());
                }
                w.endObject();
            }
            w.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    /** {@code text} whole, or (when cutting and it is long) its start and the mark, its length noted in cuts. */
    private static String cut(String text, Map<String, Integer> cuts, String field) {
        if (cuts == null || text.length() <= MAX_TEXT_CHARS) {
            return text;
        }
        cuts.put(field, text.length());
        int end = MAX_TEXT_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never split a character
        }
        return text.substring(0, end) + CUT_MARK;
    }

    /**
     * True when {@code truth} names {@code predicted}: as a class index ({@code "7"}) or as a class name, ignoring
     * case and surrounding blanks ({@code "sneaker"}).
     */
    public static boolean matchesGroundTruth(String truth, LabelScore predicted) {
        String t = truth.trim();
        if (t.isEmpty()) {
            return false;
        }
        if (predicted.label() != null && t.toLowerCase(Locale.ROOT).equals(predicted.label().trim().toLowerCase(Locale.ROOT))) {
            return true;
        }
        try {
            return Integer.parseInt(t) == predicted.classIndex();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void score(JsonWriter w, float score) throws IOException {
        if (Float.isFinite(score)) {
            w.value(Float.valueOf(score)); // Float.toString: 0.93, not 0.9300000071525879
        } else {
            w.nullValue();
        }
    }

    private static Long parseLong(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
