package io.densenetflink.job.kafka.client;

import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.internal.HeaderText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends {@link FrameInput}s to an input topic in the record format the job reads: key = source id (none when
 * empty), value = the encoded image, headers {@code frame-id}, {@code content-type} and {@code label} (when
 * known), record timestamp = the time of sending. Uses an idempotent producer ({@link
 * KafkaClients#producerProperties}).
 */
public final class FrameProducer implements AutoCloseable {

    /** Told about progress: frames acknowledged by the broker so far, out of {@code total}. */
    @FunctionalInterface
    public interface Progress {
        void update(long acknowledged, long total);
    }

    /** What {@link #send} did: frames the broker acknowledged, frames that failed, and the first error. */
    public record Result(long sent, long failed, String firstError, double seconds) {
        public double framesPerSecond() {
            return seconds > 0 ? sent / seconds : 0;
        }
    }

    private final Producer<byte[], byte[]> producer;

    public FrameProducer(String bootstrapServers, Map<String, String> kafkaProperties) {
        this(new KafkaProducer<>(KafkaClients.producerProperties(bootstrapServers, kafkaProperties)));
    }

    /** Sends through {@code producer} (closed with this object). */
    public FrameProducer(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    /** The record for one frame. */
    public static ProducerRecord<byte[], byte[]> record(String topic, String sourceId, FrameInput frame, byte[] bytes,
            long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        HeaderText.add(headers, FrameHeaders.FRAME_ID, frame.frameId());
        if (frame.contentType() != null) {
            HeaderText.add(headers, FrameHeaders.CONTENT_TYPE, frame.contentType());
        }
        if (frame.label() != null) {
            HeaderText.add(headers, FrameHeaders.LABEL, frame.label());
        }
        byte[] key = sourceId == null || sourceId.isEmpty() ? null : HeaderText.utf8(sourceId);
        return new ProducerRecord<>(topic, null, timestamp, key, bytes, headers);
    }

    /**
     * Sends every frame, in order, and waits until the broker acknowledged or refused each one.
     *
     * @param rate frames per second at most; 0 or less for as fast as possible
     * @param progress told after each acknowledgement (from the producer's thread); may be null
     * @throws UncheckedIOException when a frame's bytes cannot be read (nothing after it is sent)
     */
    public Result send(String topic, String sourceId, List<FrameInput> frames, double rate, Progress progress)
            throws InterruptedException {
        long total = frames.size();
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long start = System.nanoTime();
        for (int i = 0; i < frames.size(); i++) {
            if (rate > 0) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            FrameInput frame = frames.get(i);
            byte[] bytes;
            try {
                bytes = frame.bytes().read();
            } catch (IOException e) {
                producer.flush();
                throw new UncheckedIOException("cannot read frame " + frame.frameId() + ": " + e.getMessage(), e);
            }
            producer.send(record(topic, sourceId, frame, bytes, System.currentTimeMillis()), (metadata, error) -> {
                if (error == null) {
                    long n = acked.incrementAndGet();
                    if (progress != null) {
                        progress.update(n, total);
                    }
                } else {
                    failed.incrementAndGet();
                    firstError.compareAndSet(null, frame.frameId() + ": " + error.getMessage());
                }
            });
        }
        producer.flush();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(acked.get(), failed.get(), firstError.get(), seconds);
    }

    @Override
    public void close() {
        producer.close();
    }
}
