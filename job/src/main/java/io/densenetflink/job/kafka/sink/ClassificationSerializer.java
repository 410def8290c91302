package io.densenetflink.job.kafka.sink;

import com.google.gson.stream.JsonWriter;
import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.internal.HeaderText;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.LabelScore;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a {@link Classification} to the output topic: key = source id (UTF-8; no key when the source id is
 * empty), value = one UTF-8 JSON object of schema {@value #SCHEMA}, header {@code content-type:
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
 * {@code topic}, {@code partition} and {@code offset} are null when the frame did not come from Kafka; {@code
 * ground_truth} and {@code correct} are present only when the input carried a {@value FrameHeaders#LABEL} header
 * (a class index or a class name: either matches).
 */
public final class ClassificationSerializer implements FixedTopicSerializer<Classification> {

    private static final long serialVersionUID = 1L;

    /** The value's schema name and version; a change that breaks readers gets a new version. */
    public static final String SCHEMA = "densenet-flink.classification.v1";

    private final String topic;

    public ClassificationSerializer(String topic) {
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Classification result, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        HeaderText.add(headers, FrameHeaders.CONTENT_TYPE, "application/json");
        byte[] key = result.sourceId().isEmpty() ? null
                : HeaderText.utf8(result.sourceId());
        return new ProducerRecord<>(topic, null, result.processedTime() >= 0 ? result.processedTime() : null, key,
                HeaderText.utf8(toJson(result)), headers);
    }

    /** The record value for {@code result}: one line of JSON, schema {@value #SCHEMA}. */
    public static String toJson(Classification result) {
        StringWriter text = new StringWriter(256 + 64 * result.topK().size());
        try (JsonWriter w = new JsonWriter(text)) {
            w.setSerializeNulls(true);
            LabelScore best = result.best();
            w.beginObject();
            w.name("schema").value(SCHEMA);
            w.name("source").value(result.sourceId());
            w.name("frame_id").value(result.frameId());
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
                w.name("ground_truth").value(truth.trim());
                w.name("correct").value(matchesGroundTruth(truth, best));
            }
            w.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
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
