package io.densenetflink.job;

import io.densenetflink.job.kafka.client.BrokerConfigs;
import io.densenetflink.job.kafka.client.KafkaClients;
import io.densenetflink.job.kafka.sink.RecordSizeLimit;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSetting;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.job.settings.KafkaClient;
import java.time.Duration;
import org.apache.flink.configuration.MemorySize;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What the job reads from the broker before it starts, and the limits it takes from there: the sinks'
 * transaction timeout and the checkpoint timeout that goes with it ({@link TransactionTimeouts}), and the largest
 * result and dead letter ({@link RecordSizeLimit}), and the input topic's partitions (no more subtasks than can
 * read).
 *
 * @param transactionTimeout the exactly-once sinks' {@code transaction.timeout.ms}; null with at-least-once
 * @param checkpointTimeout the checkpoint timeout; null to leave Flink's (at-least-once without checkpoint-timeout)
 * @param resultMaxBytes the largest result the output topic takes
 * @param deadLetterMaxBytes the largest dead letter the dead-letter topic takes
 * @param inputPartitions the input topic's partitions; 0 when they could not be read
 */
public record Preflight(Duration transactionTimeout, Duration checkpointTimeout, int resultMaxBytes,
        int deadLetterMaxBytes, int inputPartitions) {

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
            int resultMaxBytes = recordLimit(settings, broker, JobOptions.OUTPUT_MAX_RECORD_BYTES,
                    KafkaClient.RESULTS_PRODUCER, settings.get(JobOptions.OUTPUT_TOPIC));
            int deadLetterMaxBytes = recordLimit(settings, broker, JobOptions.DLQ_MAX_RECORD_BYTES,
                    KafkaClient.DEAD_LETTER_PRODUCER, settings.get(JobOptions.DLQ_TOPIC));
            RecordSizeLimit.warnIfInputIsLarger(deadLetterMaxBytes, broker, settings.get(JobOptions.DLQ_TOPIC),
                    settings.get(JobOptions.INPUT_TOPIC));
            return new Preflight(transactionTimeout, checkpointTimeout, resultMaxBytes, deadLetterMaxBytes,
                    broker.partitions(settings.get(JobOptions.INPUT_TOPIC)).orElse(0));
        }
    }

    private static int recordLimit(JobSettings settings, BrokerConfigs broker, JobSetting<MemorySize> setting,
            KafkaClient producer, String topic) {
        MemorySize configured = settings.get(setting);
        return RecordSizeLimit.resolve(configured == null ? null : (int) Math.min(Integer.MAX_VALUE,
                configured.getBytes()), setting.key(), maxRequestSize(settings, producer), broker, topic);
    }

    /** A sink producer's {@code max.request.size}: as given, else the job's {@link KafkaClients#MAX_RECORD_BYTES}. */
    static int maxRequestSize(JobSettings settings, KafkaClient producer) {
        String given = settings.kafkaProperties(producer).getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return given == null ? KafkaClients.MAX_RECORD_BYTES : Integer.parseInt(given.trim());
    }
}
