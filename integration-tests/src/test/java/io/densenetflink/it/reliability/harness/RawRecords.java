package io.densenetflink.it.reliability.harness;

import io.densenetflink.job.kafka.client.KafkaClients;
import java.security.MessageDigest;
import java.time.Duration;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/**
 * Input records written exactly as given (key, value, every header with its raw bytes, in order), for tests whose
 * frames carry more than {@code FrameProducer} writes: binary, repeated or very large headers.
 */
public final class RawRecords {

    private RawRecords() {}

    /**
     * Sends the records in order, {@code pause} after each, and waits until the broker acknowledged every one (so
     * records keep arriving over {@code records.size() x pause}).
     */
    public static void send(String bootstrap, List<ProducerRecord<byte[], byte[]>> records, Duration pause)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClients.producerProperties(bootstrap, Map.of()))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
                producer.flush();
                Thread.sleep(pause.toMillis());
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        }
    }

    /**
     * Each header as {@code name=null} or {@code name=<length>:<SHA-256 of the bytes>}, in record order: equal lists
     * mean the same headers byte for byte, and a failing assertion prints lines, not megabytes.
     */
    public static List<String> fingerprints(Iterable<Header> headers) {
        List<String> out = new ArrayList<>();
        for (Header h : headers) {
            out.add(h.key() + "=" + (h.value() == null ? "null" : h.value().length + ":" + sha256(h.value())));
        }
        return out;
    }

    private static String sha256(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
