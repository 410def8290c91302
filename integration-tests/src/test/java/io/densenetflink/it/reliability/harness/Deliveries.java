package io.densenetflink.it.reliability.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.client.CommittedReader;
import io.densenetflink.job.kafka.internal.HeaderText;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a read_committed consumer saw on a job's output and dead-letter topics, by frame id: the evidence every
 * reliability test judges.
 */
public final class Deliveries {

    /** How long to keep reading after every expected frame arrived, so late duplicates show up too. */
    private static final Duration SETTLE = Duration.ofSeconds(3);

    private final List<JsonObject> results = new ArrayList<>();
    private final Map<String, String> deadLetterReasons = new LinkedHashMap<>();
    private final Map<String, ConsumerRecord<byte[], byte[]>> deadLetters = new HashMap<>();
    private final Map<String, Integer> countByFrame = new HashMap<>();

    /**
     * Reads both topics from the beginning (read_committed) until {@code expectedFrames} distinct frame ids arrived
     * or {@code timeout} passed, then {@link #SETTLE} longer.
     */
    public static Deliveries read(JobSettings s, int expectedFrames, Duration timeout) {
        return read(s, Map.of(), expectedFrames, timeout);
    }

    /** {@link #read(JobSettings, int, Duration)} with the reader's own client properties (TLS, SASL). */
    public static Deliveries read(JobSettings s, Map<String, String> readerProperties, int expectedFrames,
            Duration timeout) {
        Deliveries d = new Deliveries();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (CommittedReader reader = new CommittedReader(s.get(JobOptions.BOOTSTRAP_SERVERS), readerProperties,
                List.of(s.get(JobOptions.OUTPUT_TOPIC), s.get(JobOptions.DLQ_TOPIC)))) {
            while (d.countByFrame.size() < expectedFrames && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(200)).forEach(r -> d.add(r, s));
            }
            long settled = System.nanoTime() + SETTLE.toNanos();
            while (System.nanoTime() < settled) {
                reader.poll(Duration.ofMillis(200)).forEach(r -> d.add(r, s));
            }
        }
        return d;
    }

    private void add(ConsumerRecord<byte[], byte[]> r, JobSettings s) {
        String frameId;
        if (r.topic().equals(s.get(JobOptions.DLQ_TOPIC))) {
            frameId = HeaderText.last(r.headers(), FrameHeaders.FRAME_ID);
            deadLetterReasons.put(frameId, HeaderText.last(r.headers(), FrameHeaders.ERROR_REASON));
            deadLetters.put(frameId, r);
        } else {
            JsonObject json = JsonParser.parseString(new String(r.value(), StandardCharsets.UTF_8)).getAsJsonObject();
            frameId = json.get("frame_id").getAsString();
            results.add(json);
        }
        countByFrame.merge(frameId, 1, Integer::sum);
    }

    /** Every result, in the order read (per output partition: the order written). */
    public List<JsonObject> results() {
        return results;
    }

    /** Reason header of each dead letter, by frame id. */
    public Map<String, String> deadLetterReasons() {
        return deadLetterReasons;
    }

    /** Size of each dead letter's value (the original frame's bytes), by frame id. */
    public Map<String, Integer> deadLetterBytes() {
        Map<String, Integer> bytes = new HashMap<>();
        deadLetters.forEach((id, r) -> bytes.put(id, r.value() == null ? 0 : r.value().length));
        return bytes;
    }

    /** Each dead letter as read, by frame id (the last one read when a frame appeared twice). */
    public Map<String, ConsumerRecord<byte[], byte[]>> deadLetters() {
        return deadLetters;
    }

    /** How often each frame id appeared, results and dead letters together. */
    public Map<String, Integer> countByFrame() {
        return countByFrame;
    }

    /** Frame ids seen more than once. */
    public Set<String> duplicated() {
        return countByFrame.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Records read, duplicates included. */
    public int records() {
        return countByFrame.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Every expected frame exactly once, as a result or a dead letter, and nothing else. */
    public void assertEachExactlyOnce(Collection<String> expected) {
        assertEverySeen(expected);
        Set<String> duplicated = duplicated();
        assertTrue(duplicated.isEmpty(), duplicated.size() + " frame(s) delivered more than once, e.g. "
                + duplicated.stream().limit(10).toList());
        assertEquals(expected.size(), records(), "records on the output and dead-letter topics");
    }

    /** Every expected frame at least once and no frame id that was never sent. */
    public void assertEverySeen(Collection<String> expected) {
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(countByFrame.keySet());
        if (!missing.isEmpty()) {
            fail(missing.size() + " of " + expected.size() + " frame(s) never arrived, e.g. "
                    + missing.stream().limit(10).toList());
        }
        Set<String> unknown = new TreeSet<>(countByFrame.keySet());
        unknown.removeAll(expected);
        assertTrue(unknown.isEmpty(), "frame ids that were never sent: " + unknown);
    }
}
