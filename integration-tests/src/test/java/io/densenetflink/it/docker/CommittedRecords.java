package io.densenetflink.it.docker;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the stack has committed to some topics, read from the host as a downstream reader would
 * (read_committed, from the beginning, no consumer group): every record in arrival order, read on as the test
 * calls {@link #poll}. It rides out a broker restart (the client reconnects).
 */
final class CommittedRecords implements AutoCloseable {

    /** One committed record: topic, the input record it stands for ("topic/partition/offset"), its value. */
    record Committed(String topic, String input, String frameId, String value) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<String> topics;
    private final List<Committed> records = new ArrayList<>();
    private boolean assigned;

    CommittedRecords(int kafkaPort, String... topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topics = List.of(topics);
    }

    /** Reads what arrives within about {@code wait}; returns how many records have been read in all. */
    int poll(Duration wait) {
        if (!assigned) {
            List<TopicPartition> parts = new ArrayList<>();
            try {
                for (String topic : topics) {
                    for (PartitionInfo info : consumer.partitionsFor(topic, wait)) {
                        parts.add(new TopicPartition(topic, info.partition()));
                    }
                }
            } catch (TimeoutException e) {
                return records.size(); // the broker is not there yet (or restarting): try again on the next call
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            assigned = true;
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
            records.add(committed(r));
        }
        return records.size();
    }

    List<Committed> records() {
        return List.copyOf(records);
    }

    /** How many times each input record ("topic/partition/offset") is stood for, in first-seen order. */
    Map<String, Integer> countsByInput() {
        Map<String, Integer> out = new LinkedHashMap<>();
        records.forEach(c -> out.merge(c.input(), 1, Integer::sum));
        return out;
    }

    private static Committed committed(ConsumerRecord<byte[], byte[]> r) {
        String value = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
        String frameId = header(r, "frame-id");
        String input = r.topic() + "/" + r.partition() + "/" + r.offset();
        if (r.topic().equals("results")) {
            // README, "Output topic": the input record's topic, partition and offset, and the frame id.
            JsonObject o = JsonParser.parseString(value).getAsJsonObject();
            input = o.get("topic").getAsString() + "/" + o.get("partition").getAsInt() + "/" + o.get("offset").getAsLong();
            frameId = o.get("frame_id").getAsString();
        } else if (r.topic().equals("dead-letters")) {
            // README, "Dead-letter topic": the input record in source-* headers.
            input = header(r, "source-topic") + "/" + header(r, "source-partition") + "/" + header(r, "source-offset");
        }
        return new Committed(r.topic(), input, frameId, value);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
