package io.densenetflink.job.kafka.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads topics from their beginning, committed records only ({@code read_committed}), without a consumer group:
 * every partition is assigned and rewound, so each reader sees everything and leaves no trace on the broker.
 */
public final class CommittedReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();

    /**
     * @throws IllegalArgumentException when a topic does not exist or no broker answers within {@link
     *     KafkaClients#BROKER_TIMEOUT}
     */
    public CommittedReader(String bootstrapServers, Map<String, String> kafkaProperties, List<String> topics) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("no topic to read");
        }
        KafkaClients.requireReachable(bootstrapServers, kafkaProperties);
        consumer = new KafkaConsumer<>(KafkaClients.consumerProperties(bootstrapServers, kafkaProperties));
        try {
            for (String topic : topics) {
                List<PartitionInfo> info;
                try {
                    info = consumer.partitionsFor(topic, KafkaClients.BROKER_TIMEOUT);
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    throw KafkaClients.unreachable(bootstrapServers);
                }
                if (info == null || info.isEmpty()) {
                    throw new IllegalArgumentException("topic '" + topic + "' does not exist on " + bootstrapServers);
                }
                for (PartitionInfo p : info) {
                    partitions.add(new TopicPartition(p.topic(), p.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        } catch (RuntimeException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
    }

    /** The partitions read. */
    public List<TopicPartition> partitions() {
        return List.copyOf(partitions);
    }

    /** The next committed records, waiting up to {@code timeout} for some. */
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        return consumer.poll(timeout);
    }

    /**
     * Reads until {@code limit} records arrived (0 for no limit) or none arrived for {@code idleTimeout}, handing
     * each to {@code sink} in order; returns how many were read.
     */
    public long readAll(long limit, Duration idleTimeout, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        long count = 0;
        long lastArrival = System.nanoTime();
        while (limit <= 0 || count < limit) {
            ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(
                    Math.max(1, Math.min(200, idleTimeout.toMillis()))));
            if (batch.isEmpty()) {
                if (System.nanoTime() - lastArrival >= idleTimeout.toNanos()) {
                    break;
                }
                continue;
            }
            lastArrival = System.nanoTime();
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                sink.accept(r);
                if (++count == limit) {
                    break;
                }
            }
        }
        return count;
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
