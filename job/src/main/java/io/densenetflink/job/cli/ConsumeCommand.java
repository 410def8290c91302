package io.densenetflink.job.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.ResultEvaluator;
import io.densenetflink.job.kafka.client.CommittedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densenet consume}: print (or evaluate) what is in the output, dead-letter or input topics. */
@Command(name = "consume", mixinStandardHelpOptions = true,
        header = "Read committed records from Kafka topics; print or evaluate them.",
        description = "Read topics from the beginning, committed records only (read_committed), without a consumer "
                + "group. Stops after --limit records, or when nothing new arrived for --idle-timeout. Prints one "
                + "line per record: results, dead letters (reason, detail) and input frames; --json prints one JSON "
                + "object per record instead. --evaluate prints only a summary: accuracy against the inputs' label "
                + "headers, per class, latency percentiles and dead letters by reason (give the output and the "
                + "dead-letter topic: --topic results,dead-letters).")
final class ConsumeCommand implements Callable<Integer> {

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaClientOptions kafka;

    @Option(names = "--topic", required = true, split = ",", paramLabel = "T[,T...]",
            description = "Topics to read (repeatable).")
    List<String> topics = new ArrayList<>();

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Stop after N records (default: no limit).")
    long limit;

    @Option(names = "--idle-timeout", defaultValue = "10s", paramLabel = "DURATION",
            description = "Stop when nothing new arrived for this long (default 10s; 500ms, 2m, ...).")
    String idleTimeout;

    @Option(names = "--evaluate", description = "Print a summary: accuracy, per-class accuracy, latency p50/p90/p99, dead letters.")
    boolean evaluate;

    @Option(names = "--json", description = "JSON output: one object per record per line (with --evaluate: the summary as one object).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (limit < 0) {
            throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
        }
        Duration idle = TimeUtils.parseDuration(idleTimeout);
        if (idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException("--idle-timeout must be > 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ResultEvaluator evaluator = new ResultEvaluator();
        long count;
        try (CommittedReader reader = new CommittedReader(kafka.bootstrapServers, kafka.properties(), topics)) {
            count = reader.readAll(limit, idle, record -> {
                if (evaluate) {
                    evaluator.accept(record);
                } else {
                    out.println(json ? GSON.toJson(toJson(record, System.currentTimeMillis())) : describe(record));
                    out.flush();
                }
            });
        }
        if (evaluate) {
            ResultEvaluator.Summary summary = evaluator.summary();
            out.print(json ? GSON.toJson(summary.toJson()) + System.lineSeparator() : summary.format());
            out.flush();
        }
        err.printf(Locale.ROOT, "densenet consume: %d record%s from %s%s%n", count, count == 1 ? "" : "s",
                String.join(", ", topics), limit > 0 && count >= limit ? " (limit reached)"
                        : " (nothing new for " + idleTimeout + ")");
        err.flush();
        return 0;
    }

    /**
     * One record as a JSON object: coordinates, key, headers, the value (parsed JSON, or its size) and {@code
     * received_time}, when this consumer read it (with read_committed: about when it became visible).
     */
    static JsonObject toJson(ConsumerRecord<byte[], byte[]> r, long receivedTime) {
        JsonObject o = new JsonObject();
        ResultEvaluator.Kind kind = ResultEvaluator.kindOf(r);
        o.addProperty("kind", switch (kind) {
            case RESULT -> "result";
            case DEAD_LETTER -> "dead_letter";
            case OTHER -> "record";
        });
        o.addProperty("topic", r.topic());
        o.addProperty("partition", r.partition());
        o.addProperty("offset", r.offset());
        o.addProperty("timestamp", r.timestamp());
        o.addProperty("received_time", receivedTime);
        o.addProperty("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
        JsonObject headers = new JsonObject();
        for (Header h : r.headers()) {
            headers.addProperty(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
        o.add("headers", headers);
        JsonElement value = kind == ResultEvaluator.Kind.DEAD_LETTER ? null : jsonValue(r.value());
        if (value != null) {
            o.add("value", value);
        } else {
            o.addProperty("value_size", r.value() == null ? 0 : r.value().length);
        }
        return o;
    }

    /** One record as a line of text. */
    static String describe(ConsumerRecord<byte[], byte[]> r) {
        String where = r.topic() + "-" + r.partition() + "@" + r.offset();
        String key = r.key() == null ? "-" : new String(r.key(), StandardCharsets.UTF_8);
        int size = r.value() == null ? 0 : r.value().length;
        ResultEvaluator.Kind kind = ResultEvaluator.kindOf(r);
        if (kind == ResultEvaluator.Kind.DEAD_LETTER) {
            return String.format(Locale.ROOT, "%s dead letter source=%s frame=%s from=%s-%s@%s %s: %s (%d bytes)",
                    where, key, header(r, FrameHeaders.FRAME_ID), header(r, FrameHeaders.SOURCE_TOPIC),
                    header(r, FrameHeaders.SOURCE_PARTITION), header(r, FrameHeaders.SOURCE_OFFSET),
                    header(r, FrameHeaders.ERROR_REASON), header(r, FrameHeaders.ERROR_DETAIL), size);
        }
        if (kind == ResultEvaluator.Kind.RESULT) {
            JsonObject v = JsonParser.parseString(new String(r.value(), StandardCharsets.UTF_8)).getAsJsonObject();
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                    "%s result source=%s frame=%s -> %s (class %s) %.4f", where, key, text(v, "frame_id"),
                    text(v, "label"), text(v, "class_index"), v.get("score").isJsonNull() ? Double.NaN
                            : v.get("score").getAsDouble()));
            if (v.has("ground_truth")) {
                b.append(" truth=").append(text(v, "ground_truth"))
                        .append(v.has("correct") && v.get("correct").getAsBoolean() ? " correct" : " wrong");
            }
            if (v.has("event_time") && v.has("processed_time")) {
                b.append(" latency=").append(v.get("processed_time").getAsLong() - v.get("event_time").getAsLong())
                        .append("ms");
            }
            return b.toString();
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s record source=%s %d bytes", where, key, size));
        for (Header h : r.headers()) {
            b.append(' ').append(h.key()).append('=')
                    .append(h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? "-" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String text(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? "-" : e.getAsString();
    }

    private static JsonElement jsonValue(byte[] value) {
        if (value == null || value.length == 0 || value[0] != '{') {
            return null;
        }
        try {
            JsonElement e = JsonParser.parseString(new String(value, StandardCharsets.UTF_8));
            return e.isJsonObject() ? e : null;
        } catch (JsonParseException e) {
            return null;
        }
    }
}
