package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.BrokerProcess;
import io.densenetflink.it.reliability.harness.Pipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
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

/**
 * {@code bin/densenet broker --data-dir DIR} SIGKILLed (no controlled shutdown: its KRaft controller still holds
 * the killed broker's registration) and started again on the same directory and port comes back, with every
 * record it acknowledged, and then stops cleanly.
 */
class BrokerKillTest {

    private static final int RECORDS = 200;

    @Test
    void aKilledBrokerComesBackOnItsDataDirWithEveryAcknowledgedRecord(@TempDir Path tmp) throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(tmp, List.of("kept"), 1)) {
            int port = broker.port();
            List<String> sent = produce(port);
            broker.kill();

            Duration back = broker.restart();
            assertEquals(port, broker.port());
            System.out.printf("[broker-kill] back %.1f s after the restart%n", back.toMillis() / 1e3);
            assertEquals(sent, consume(port), "every acknowledged record, once, in order");

            assertEquals(0, broker.stop(), "a clean stop:\n" + Pipeline.tail(broker.log(), 30));
        }
    }

    /** Sends the records one by one, each acknowledged by the broker (acks=all) before the next. */
    private static List<String> produce(int port) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                String value = "record-" + i;
                producer.send(new ProducerRecord<>("kept", value)).get(30, TimeUnit.SECONDS);
                sent.add(value);
            }
        }
        return sent;
    }

    private static List<String> consume(int port) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition("kept", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < RECORDS && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
            // nothing more: no record written twice
            consumer.poll(Duration.ofSeconds(1)).forEach(r -> values.add(r.value()));
        }
        return values;
    }
}
