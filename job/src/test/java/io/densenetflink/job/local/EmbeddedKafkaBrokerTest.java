package io.densenetflink.job.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.kafka.SharedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The embedded broker: loopback listener, topics, transactions (one broker shared with the other Kafka tests). */
@ExtendWith(SharedKafkaBroker.class)
class EmbeddedKafkaBrokerTest {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start(EmbeddedKafkaBroker shared) {
        broker = shared;
    }

    @Test
    void listensOnLoopbackAndCreatesTopicsIdempotently() throws Exception {
        assertTrue(broker.bootstrapServers().startsWith("127.0.0.1:"), broker.bootstrapServers());
        assertTrue(broker.port() > 0);
        broker.createTopics(3, "idem-a", "idem-b");
        broker.createTopics(3, "idem-a"); // again: no error
        Set<String> names = broker.admin().listTopics().names().get();
        assertTrue(names.containsAll(List.of("idem-a", "idem-b")), names.toString());
        assertEquals(3, broker.admin().describeTopics(List.of("idem-a")).allTopicNames().get().get("idem-a")
                .partitions().size());
    }

    @Test
    void transactionalRecordsAreVisibleToReadCommittedConsumersOnceCommitted() throws Exception {
        String topic = "tx-test";
        broker.createTopics(1, topic);
        Properties p = broker.clientProperties();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "densenet-test-tx");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "10000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "aborted".getBytes(StandardCharsets.UTF_8)));
            producer.abortTransaction();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, ("committed-" + i).getBytes(StandardCharsets.UTF_8)));
            }
            producer.commitTransaction();
        }

        Properties c = broker.clientProperties();
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (seen.size() < 3 && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            // nothing else arrives: the aborted record stays invisible
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                seen.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(List.of("committed-0", "committed-1", "committed-2"), seen);
    }

    @Test
    void brokerDefaultsAllowOneHourTransactionsAndLargeRecords() {
        Map<String, String> d = EmbeddedKafkaBroker.brokerDefaults();
        assertTrue(Long.parseLong(d.get("transaction.max.timeout.ms")) >= Duration.ofHours(1).toMillis());
        assertTrue(Integer.parseInt(d.get("message.max.bytes")) >= 20 * 1024 * 1024);
        assertEquals("1", d.get("transaction.state.log.replication.factor"));
    }

    /** A restart after a kill waits out the dead broker's session: the wait for registration must outlast it. */
    @Test
    void registrationOutlastsTheSessionOfAKilledBroker() {
        Map<String, String> d = EmbeddedKafkaBroker.brokerDefaults();
        long session = Long.parseLong(d.get("broker.session.timeout.ms"));
        long registration = Long.parseLong(d.get("initial.broker.registration.timeout.ms"));
        assertTrue(registration >= session + 30_000, "registration " + registration + " ms, session " + session + " ms");
    }
}
