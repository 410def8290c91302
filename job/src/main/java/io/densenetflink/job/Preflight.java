package io.densenetflink.job;

import io.densenetflink.job.kafka.client.BrokerConfigs;
import io.densenetflink.job.kafka.client.KafkaClients;
import io.densenetflink.job.kafka.sink.RecordSizeLimit;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSetting;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.job.settings.KafkaClient;
import io.densenetflink.job.kafka.access.AccessProbe;
import io.densenetflink.job.kafka.access.AclRequirement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
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

    /**
     * Checks that a Kafka broker answers at the bootstrap servers (at once, in one line, when none does) and grants
     * the job every permission of {@link JobAcls}, then reads what it needs from it (through an admin client).
     *
     * @throws IllegalArgumentException naming each missing permission, in one line
     */
    public static Preflight check(JobSettings settings) {
        KafkaClients.requireReachable(settings.get(JobOptions.BOOTSTRAP_SERVERS),
                settings.kafkaProperties(KafkaClient.ADMIN));
        requireAccess(settings);
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

    /**
     * Probes each permission of {@link JobAcls} with the credentials of the client that needs it ({@link AccessProbe}),
     * so that a missing ACL stops the job before it starts, named, instead of failing its tasks over and over.
     */
    static void requireAccess(JobSettings settings) {
        Map<KafkaClient, List<AclRequirement>> byClient = new EnumMap<>(KafkaClient.class);
        for (JobAcls.Acl acl : JobAcls.of(settings)) {
            byClient.computeIfAbsent(acl.client(), c -> new ArrayList<>()).add(acl.requirement());
        }
        List<String> missing = new ArrayList<>();
        byClient.forEach((client, required) -> {
            Properties p = settings.kafkaProperties(client);
            p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.get(JobOptions.BOOTSTRAP_SERVERS));
            try (AccessProbe probe = new AccessProbe(p)) {
                probe.missing(required).forEach(r -> missing.add(r.describe() + " (" + r.purpose() + ")"));
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the Kafka principal of the job lacks " + String.join(", and ", missing)
                    + ". 'densenet acls' with the job's settings prints every ACL it needs (README: Operating on a"
                    + " secured Kafka)");
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
