package io.densenetflink.job;

import io.densenetflink.job.kafka.client.BrokerConfigs;
import io.densenetflink.job.kafka.client.KafkaClients;
import io.densenetflink.job.kafka.sink.DeadLetterLimit;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.KafkaClient;
import java.time.Duration;
import org.apache.flink.configuration.MemorySize;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What the job reads from the broker before it starts, and the limits it takes from there: the sinks'
 * transaction timeout and the checkpoint timeout that goes with it ({@link TransactionTimeouts}), and the largest
 * dead letter ({@link DeadLetterLimit}), and the input topic's partitions (no more subtasks than can read).
 *
 * @param transactionTimeout the exactly-once sinks' {@code transaction.timeout.ms}; null with at-least-once
 * @param checkpointTimeout the checkpoint timeout; null to leave Flink's (at-least-once without checkpoint-timeout)
 * @param deadLetterMaxBytes the largest dead letter the dead-letter topic takes
 * @param inputPartitions the input topic's partitions; 0 when they could not be read
 */
public record Preflight(Duration transactionTimeout, Duration checkpointTimeout, int deadLetterMaxBytes,
        int inputPartitions) {

    /** Reads what it needs from the broker named by {@code settings} (through an admin client). */
    public static Preflight check(JobSettings settings) {
        try (BrokerConfigs broker = BrokerConfigs.connect(settings.get(JobOptions.BOOTSTRAP_SERVERS),
                settings.kafkaProperties(KafkaClient.ADMIN))) {
            Duration transactionTimeout = null;
            Duration checkpointTimeout = settings.get(JobOptions.CHECKPOINT_TIMEOUT);
            if (settings.get(JobOptions.DELIVERY) == DeliveryGuaranteeOption.EXACTLY_ONCE) {
                TransactionTimeouts.Timeouts timeouts = TransactionTimeouts.resolve(settings, broker);
                transactionTimeout = timeouts.transaction();
                checkpointTimeout = timeouts.checkpoint();
            }
            MemorySize configured = settings.get(JobOptions.DLQ_MAX_RECORD_BYTES);
            int deadLetterMaxBytes = DeadLetterLimit.resolve(
                    configured == null ? null : (int) Math.min(Integer.MAX_VALUE, configured.getBytes()),
                    maxRequestSize(settings), broker, settings.get(JobOptions.DLQ_TOPIC),
                    settings.get(JobOptions.INPUT_TOPIC));
            return new Preflight(transactionTimeout, checkpointTimeout, deadLetterMaxBytes,
                    broker.partitions(settings.get(JobOptions.INPUT_TOPIC)).orElse(0));
        }
    }

    /** The dead-letter producer's {@code max.request.size}: as given, else the job's {@link KafkaClients#MAX_RECORD_BYTES}. */
    static int maxRequestSize(JobSettings settings) {
        String given = settings.kafkaProperties(KafkaClient.DEAD_LETTER_PRODUCER)
                .getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return given == null ? KafkaClients.MAX_RECORD_BYTES : Integer.parseInt(given.trim());
    }
}
