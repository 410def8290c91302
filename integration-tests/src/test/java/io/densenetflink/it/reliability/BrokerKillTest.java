package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Pipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.it.ProjectRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Pattern READY = Pattern.compile("bootstrap\\.servers=127\\.0\\.0\\.1:(\\d+)");

    @Test
    void aKilledBrokerComesBackOnItsDataDirWithEveryAcknowledgedRecord(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("kafka");
        Process first = broker(0, data, tmp.resolve("first.log"));
        Process second = null;
        try {
            int port = awaitReady(first, tmp.resolve("first.log"), Duration.ofMinutes(2));
            List<String> sent = produce(port);
            first.destroyForcibly(); // SIGKILL on Linux
            assertTrue(first.waitFor(1, TimeUnit.MINUTES), "the killed broker did not exit");
            assertEquals(137, first.exitValue(), "exit status of a process killed with SIGKILL");

            long restart = System.nanoTime();
            second = broker(port, data, tmp.resolve("second.log"));
            assertEquals(port, awaitReady(second, tmp.resolve("second.log"), Duration.ofMinutes(3)));
            System.out.printf("[broker-kill] back %.1f s after the restart%n", (System.nanoTime() - restart) / 1e9);
            assertEquals(sent, consume(port), "every acknowledged record, once, in order");

            second.destroy(); // SIGTERM: a clean stop
            assertTrue(second.waitFor(2, TimeUnit.MINUTES), "the broker did not stop on SIGTERM");
            assertEquals(0, second.exitValue(), "a clean stop:\n" + Pipeline.tail(tmp.resolve("second.log"), 30));
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
            }
        }
    }

    /** {@code bin/densenet broker} as users start it, in its own JVM, output to {@code log}. */
    private static Process broker(int port, Path data, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ProjectRoot.path().resolve("bin/densenet").toString(), "broker",
                "--port", String.valueOf(port), "--data-dir", data.toString(), "--topics", "kept");
        pb.environment().put("DENSENET_SKIP_BUILD", "1"); // the reactor packaged job/ before these tests
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    /** The client port, once the broker printed {@code bootstrap.servers=...} (it accepts clients then). */
    private static int awaitReady(Process broker, Path log, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = READY.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!broker.isAlive()) {
                throw new AssertionError("bin/densenet broker exited with " + broker.exitValue() + ":\n"
                        + Pipeline.tail(log, 30));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("bin/densenet broker not ready after " + timeout + ":\n" + Pipeline.tail(log, 30));
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
