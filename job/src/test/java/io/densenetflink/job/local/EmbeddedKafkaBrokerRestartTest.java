package io.densenetflink.job.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker with a data directory keeps its topics and records across a restart, on the same fixed port. */
class EmbeddedKafkaBrokerRestartTest {

    @Test
    void dataDirectorySurvivesARestartOnTheSamePort(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("kafka-data");
        int port;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(0, dir)) {
            port = broker.port();
            assertEquals("127.0.0.1:" + port, broker.bootstrapServers());
            // the chosen port is taken now: a second broker on it fails with a clear error
            IllegalArgumentException busy = assertThrows(IllegalArgumentException.class,
                    () -> EmbeddedKafkaBroker.start(port, null));
            assertTrue(busy.getMessage().contains("in use"), busy.getMessage());
            broker.createTopics(1, "kept");
            Properties p = broker.clientProperties();
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                producer.send(new ProducerRecord<>("kept", "k", "before restart")).get();
            }
        }
        assertTrue(Files.isDirectory(dir), "a given data directory is kept");

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(port, dir)) {
            assertEquals(port, broker.port());
            broker.createTopics(1, "kept"); // exists already: no error
            Properties c = broker.clientProperties();
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
                TopicPartition tp = new TopicPartition("kept", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (values.isEmpty() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(r.value());
                    }
                }
            }
            assertEquals(List.of("before restart"), values);
        }
        assertTrue(Files.isDirectory(dir));
    }
}
