package io.densenetflink.job.kafka;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.densenetflink.job.kafka.internal.HeaderText;
import io.densenetflink.job.kafka.sink.ClassificationRecordSchema;
import io.densenetflink.operators.LabelScore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Sums up what came out of the job: results (accuracy against the ground truth carried by the input's {@code
 * label} header, per class, and end-to-end latency {@code processed_time - event_time}) and dead letters (by
 * reason). Feed it output-topic and dead-letter-topic records in any order with {@link #accept}, then read {@link
 * #summary()}. Used by {@code bin/densenet consume --evaluate} and {@code demo}. Not thread-safe.
 *
 * <p>A frame seen twice (the same input topic/partition/offset, or without those the same source and frame id,
 * as a result or a dead letter) counts once more in {@link Summary#duplicates()}: with exactly-once delivery and
 * a {@code read_committed} consumer that number is 0.
 */
public final class ResultEvaluator {

    /** What a record is to the evaluator. */
    public enum Kind {
        /** An output record: a JSON object of schema {@code densenet-flink.classification.*}. */
        RESULT,
        /** A dead letter: a record with an {@value FrameHeaders#ERROR_REASON} header. */
        DEAD_LETTER,
        /** Anything else (e.g. an input frame): counted, otherwise ignored. */
        OTHER
    }

    private long results;
    private long labeled;
    private long correct;
    private long other;
    private long duplicates;
    private long[] latencies = new long[1024];
    private int latencyCount;
    private long firstEventTime = Long.MAX_VALUE;
    private long lastProcessedTime = Long.MIN_VALUE;
    private final Map<String, Long> deadLettersByReason = new TreeMap<>();
    private final Map<String, long[]> perClass = new HashMap<>(); // ground truth -> {results, correct}
    private final Map<Integer, String> classNames = new HashMap<>();
    private final Set<String> seen = new HashSet<>();

    /** The kind of a record: dead letter by its header, result by its JSON schema, else other. */
    public static Kind kindOf(ConsumerRecord<byte[], byte[]> record) {
        if (record.headers().lastHeader(FrameHeaders.ERROR_REASON) != null) {
            return Kind.DEAD_LETTER;
        }
        return parseResult(record.value()) != null ? Kind.RESULT : Kind.OTHER;
    }

    /** Adds one record of the output or dead-letter topic and returns what it was taken for. */
    public Kind accept(ConsumerRecord<byte[], byte[]> record) {
        String reason = HeaderText.last(record.headers(), FrameHeaders.ERROR_REASON);
        if (reason != null) {
            String topic = HeaderText.last(record.headers(), FrameHeaders.SOURCE_TOPIC);
            String partition = HeaderText.last(record.headers(), FrameHeaders.SOURCE_PARTITION);
            String offset = HeaderText.last(record.headers(), FrameHeaders.SOURCE_OFFSET);
            String frameId = HeaderText.last(record.headers(), FrameHeaders.FRAME_ID);
            String source = record.key() == null ? "" : HeaderText.utf8(record.key());
            acceptDeadLetter(reason, identity(topic, partition, offset, source, frameId));
            return Kind.DEAD_LETTER;
        }
        JsonObject result = parseResult(record.value());
        if (result == null) {
            other++;
            return Kind.OTHER;
        }
        acceptResult(result);
        return Kind.RESULT;
    }

    /**
     * Adds one output value (JSON text of schema {@value ClassificationRecordSchema#SCHEMA}); false, and nothing
     * added, when it is not one.
     */
    public boolean acceptResult(String json) {
        JsonObject result = parseResult(json == null ? null : HeaderText.utf8(json));
        if (result == null) {
            return false;
        }
        acceptResult(result);
        return true;
    }

    /** Adds one parsed output value. */
    public void acceptResult(JsonObject r) {
        results++;
        String frame = identity(string(r, "topic"), string(r, "partition"), string(r, "offset"), string(r, "source"),
                string(r, "frame_id"));
        if (frame != null && !seen.add(frame)) {
            duplicates++;
        }
        Integer classIndex = integer(r, "class_index");
        String label = string(r, "label");
        if (r.has("top_k") && r.get("top_k").isJsonArray()) {
            for (JsonElement e : r.getAsJsonArray("top_k")) {
                if (e.isJsonObject()) {
                    Integer i = integer(e.getAsJsonObject(), "class_index");
                    String l = string(e.getAsJsonObject(), "label");
                    if (i != null && l != null) {
                        classNames.putIfAbsent(i, l);
                    }
                }
            }
        }
        if (classIndex != null && label != null) {
            classNames.putIfAbsent(classIndex, label);
        }
        String truth = string(r, "ground_truth");
        if (truth != null && !truth.isBlank()) {
            truth = truth.trim();
            Boolean ok = r.has("correct") && r.get("correct").isJsonPrimitive() ? r.get("correct").getAsBoolean()
                    : null;
            if (ok == null) {
                ok = classIndex != null && ClassificationRecordSchema.matchesGroundTruth(truth,
                        new LabelScore(classIndex, label, 0f));
            }
            labeled++;
            long[] counts = perClass.computeIfAbsent(truth, k -> new long[2]);
            counts[0]++;
            if (ok) {
                correct++;
                counts[1]++;
            }
        }
        Long eventTime = longValue(r, "event_time");
        Long processedTime = longValue(r, "processed_time");
        if (eventTime != null && processedTime != null) {
            if (latencyCount == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[latencyCount++] = Math.max(0, processedTime - eventTime);
            firstEventTime = Math.min(firstEventTime, eventTime);
            lastProcessedTime = Math.max(lastProcessedTime, processedTime);
        }
    }

    /**
     * Adds one dead letter.
     *
     * @param reason its {@value FrameHeaders#ERROR_REASON}
     * @param frame an identity of the input frame for duplicate detection, or null
     */
    public void acceptDeadLetter(String reason, String frame) {
        deadLettersByReason.merge(reason == null || reason.isBlank() ? "UNKNOWN" : reason.trim(), 1L, Long::sum);
        if (frame != null && !seen.add(frame)) {
            duplicates++;
        }
    }

    /** The figures so far. */
    public Summary summary() {
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        List<ClassAccuracy> classes = new ArrayList<>();
        for (Map.Entry<String, long[]> e : perClass.entrySet()) {
            String truth = e.getKey();
            String name = null;
            Integer index = parseInt(truth);
            if (index != null) {
                name = classNames.get(index);
            }
            classes.add(new ClassAccuracy(truth, name, e.getValue()[0], e.getValue()[1]));
        }
        classes.sort(CLASS_ORDER);
        long deadLetters = deadLettersByReason.values().stream().mapToLong(Long::longValue).sum();
        return new Summary(results, deadLetters, new LinkedHashMap<>(deadLettersByReason), labeled, correct,
                labeled == 0 ? null : (double) correct / labeled, List.copyOf(classes),
                percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99),
                sorted.length == 0 ? null : sorted[sorted.length - 1], duplicates, other,
                latencyCount == 0 ? null : firstEventTime, latencyCount == 0 ? null : lastProcessedTime);
    }

    /**
     * The nearest-rank percentile of sorted values ({@code p} in 0..100): the smallest value with at least p% of
     * the values at or below it; null when there are none.
     */
    public static Long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    /** Accuracy of the results whose ground truth is one class. */
    public record ClassAccuracy(String groundTruth, String label, long results, long correct) {
        public double accuracy() {
            return results == 0 ? 0 : (double) correct / results;
        }

        /** {@code "7 Sneaker"} when the ground truth is an index with a known name, else the ground truth. */
        public String displayName() {
            return label == null || label.equals(groundTruth) ? groundTruth : groundTruth + " " + label;
        }
    }

    /**
     * What {@link #summary()} found. Latencies are {@code processed_time - event_time} in ms over all results;
     * {@code accuracy} and the latencies are null when there is nothing to measure.
     */
    public record Summary(long results, long deadLetters, Map<String, Long> deadLettersByReason, long labeled,
            long correct, Double accuracy, List<ClassAccuracy> perClass, Long latencyP50, Long latencyP90,
            Long latencyP99, Long latencyMax, long duplicates, long otherRecords, Long firstEventTime,
            Long lastProcessedTime) {

        /** Results plus dead letters: the frames accounted for. */
        public long frames() {
            return results + deadLetters;
        }

        /**
         * The summary as one JSON object: {@code results}, {@code dead_letters}, {@code dead_letters_by_reason},
         * {@code labeled}, {@code correct}, {@code accuracy}, {@code per_class} [{@code ground_truth}, {@code
         * label}, {@code results}, {@code correct}, {@code accuracy}], {@code latency_ms_p50}, {@code
         * latency_ms_p90}, {@code latency_ms_p99}, {@code latency_ms_max}, {@code duplicates}, {@code
         * other_records}, {@code first_event_time}, {@code last_processed_time}.
         */
        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("results", results);
            o.addProperty("dead_letters", deadLetters);
            JsonObject reasons = new JsonObject();
            deadLettersByReason.forEach(reasons::addProperty);
            o.add("dead_letters_by_reason", reasons);
            o.addProperty("labeled", labeled);
            o.addProperty("correct", correct);
            o.addProperty("accuracy", accuracy);
            JsonArray classes = new JsonArray();
            for (ClassAccuracy c : perClass) {
                JsonObject e = new JsonObject();
                e.addProperty("ground_truth", c.groundTruth());
                e.addProperty("label", c.label());
                e.addProperty("results", c.results());
                e.addProperty("correct", c.correct());
                e.addProperty("accuracy", c.accuracy());
                classes.add(e);
            }
            o.add("per_class", classes);
            o.addProperty("latency_ms_p50", latencyP50);
            o.addProperty("latency_ms_p90", latencyP90);
            o.addProperty("latency_ms_p99", latencyP99);
            o.addProperty("latency_ms_max", latencyMax);
            o.addProperty("duplicates", duplicates);
            o.addProperty("other_records", otherRecords);
            o.addProperty("first_event_time", firstEventTime);
            o.addProperty("last_processed_time", lastProcessedTime);
            return o;
        }

        /** A human-readable report, several lines, ending with a newline. */
        public String format() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "results:       %d%n", results));
            b.append(String.format(Locale.ROOT, "dead letters:  %d", deadLetters));
            if (!deadLettersByReason.isEmpty()) {
                b.append(" (");
                String sep = "";
                for (Map.Entry<String, Long> e : deadLettersByReason.entrySet()) {
                    b.append(sep).append(e.getKey()).append(' ').append(e.getValue());
                    sep = ", ";
                }
                b.append(')');
            }
            b.append(System.lineSeparator());
            if (duplicates > 0) {
                b.append(String.format(Locale.ROOT, "duplicates:    %d (frames seen more than once)%n", duplicates));
            }
            if (accuracy == null) {
                b.append(String.format(Locale.ROOT, "accuracy:      n/a (no result carries a ground truth)%n"));
            } else {
                b.append(String.format(Locale.ROOT, "accuracy:      %.2f%% (%d of %d labeled results)%n",
                        100 * accuracy, correct, labeled));
                int width = Math.max(14, perClass.stream().mapToInt(c -> c.displayName().length()).max().orElse(0));
                b.append(String.format(Locale.ROOT, "per class (ground truth):%n"));
                b.append(String.format(Locale.ROOT, "  %-" + width + "s %8s %8s %9s%n", "class", "results", "correct",
                        "accuracy"));
                for (ClassAccuracy c : perClass) {
                    b.append(String.format(Locale.ROOT, "  %-" + width + "s %8d %8d %8.2f%%%n", c.displayName(),
                            c.results(), c.correct(), 100 * c.accuracy()));
                }
            }
            if (latencyP50 == null) {
                b.append(String.format(Locale.ROOT, "latency:       n/a%n"));
            } else {
                b.append(String.format(Locale.ROOT,
                        "latency (processed - event time): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                        latencyP50, latencyP90, latencyP99, latencyMax));
            }
            return b.toString();
        }
    }

    private static final Comparator<ClassAccuracy> CLASS_ORDER = (a, b) -> {
        Integer x = parseInt(a.groundTruth());
        Integer y = parseInt(b.groundTruth());
        if (x != null && y != null) {
            return Integer.compare(x, y);
        }
        if (x != null || y != null) {
            return x != null ? -1 : 1;
        }
        return a.groundTruth().compareTo(b.groundTruth());
    };

    /** The value as a result object, or null when it is not JSON of schema {@code densenet-flink.classification.*}. */
    static JsonObject parseResult(byte[] value) {
        if (value == null || value.length < 2 || firstNonBlank(value) != '{') {
            return null;
        }
        try {
            JsonElement e = JsonParser.parseString(HeaderText.utf8(value));
            if (!e.isJsonObject()) {
                return null;
            }
            JsonObject o = e.getAsJsonObject();
            String schema = string(o, "schema");
            return schema != null && schema.startsWith("densenet-flink.classification.") ? o : null;
        } catch (JsonParseException | IllegalStateException e) {
            return null;
        }
    }

    private static int firstNonBlank(byte[] value) {
        for (byte b : value) {
            if (!Character.isWhitespace(b)) {
                return b;
            }
        }
        return -1;
    }

    private static String identity(String topic, String partition, String offset, String source, String frameId) {
        if (topic != null && partition != null && offset != null) {
            return "kafka:" + topic + "/" + partition + "/" + offset;
        }
        return frameId == null ? null : "frame:" + (source == null ? "" : source) + "/" + frameId;
    }

    private static String string(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() || !e.isJsonPrimitive() ? null : e.getAsString();
    }

    private static Integer integer(JsonObject o, String name) {
        Long v = longValue(o, name);
        return v == null ? null : v.intValue();
    }

    private static Long longValue(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull() || !e.isJsonPrimitive()) {
            return null;
        }
        try {
            return e.getAsLong();
        } catch (NumberFormatException ex) {
            return null;
        }
    }

    private static Integer parseInt(String s) {
        try {
            return Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
