package io.densenetflink.job;

import io.densenetflink.job.kafka.access.AclRequirement;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSetting;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.job.settings.KafkaClient;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.MemorySize;
import org.apache.kafka.common.acl.AclOperation;

/**
 * The Kafka permissions the job needs, each once, with the client that uses it: what README's ACL table lists,
 * what {@code densenet acls} prints and creates, and what the start-up check probes ({@link Preflight}). Read and
 * Write imply Describe, so Describe is not listed apart.
 *
 * <p>Exactly-once adds three things: Read on the output topics (the sinks list their open transactions at start,
 * {@code DescribeProducers}, which Kafka authorizes as Read), Write on the sinks' transactional ids, and
 * DescribeConfigs on the cluster (the broker's {@code transaction.max.timeout.ms}) unless {@code transaction-timeout}
 * is given. DescribeConfigs on an output topic reads its {@code max.message.bytes}, unless the job is told the
 * limit ({@code output-max-record-bytes}, {@code dlq-max-record-bytes}).
 */
public final class JobAcls {

    /** One permission and the client of the job that needs it. */
    public record Acl(AclRequirement requirement, KafkaClient client) {}

    private JobAcls() {}

    /** What the job with these settings needs. */
    public static List<Acl> of(JobSettings settings) {
        boolean exactlyOnce = settings.get(JobOptions.DELIVERY) == DeliveryGuaranteeOption.EXACTLY_ONCE;
        List<Acl> acls = new ArrayList<>();
        acls.add(new Acl(AclRequirement.topic(settings.get(JobOptions.INPUT_TOPIC), AclOperation.READ,
                "the source reads the frames"), KafkaClient.CONSUMER));
        acls.add(new Acl(AclRequirement.group(settings.groupId(), AclOperation.READ,
                "the source commits its offsets at each checkpoint"), KafkaClient.CONSUMER));
        output(acls, settings, JobOptions.OUTPUT_TOPIC, JobOptions.OUTPUT_MAX_RECORD_BYTES,
                KafkaClient.RESULTS_PRODUCER, "results", exactlyOnce);
        output(acls, settings, JobOptions.DLQ_TOPIC, JobOptions.DLQ_MAX_RECORD_BYTES,
                KafkaClient.DEAD_LETTER_PRODUCER, "dead letters", exactlyOnce);
        if (exactlyOnce) {
            acls.add(new Acl(AclRequirement.transactionalIds(settings.transactionalIdPrefix(DenseNetJob.RESULTS_SINK),
                    AclOperation.WRITE, "the results sink's transactions"), KafkaClient.RESULTS_PRODUCER));
            acls.add(new Acl(AclRequirement.transactionalIds(
                    settings.transactionalIdPrefix(DenseNetJob.DEAD_LETTER_SINK), AclOperation.WRITE,
                    "the dead-letter sink's transactions"), KafkaClient.DEAD_LETTER_PRODUCER));
            if (!settings.isSet(JobOptions.TRANSACTION_TIMEOUT)) {
                acls.add(new Acl(AclRequirement.cluster(AclOperation.DESCRIBE_CONFIGS,
                        "the start-up check reads the broker's transaction.max.timeout.ms; not needed with "
                                + JobOptions.TRANSACTION_TIMEOUT.key()), KafkaClient.ADMIN));
            }
        }
        return acls;
    }

    /** The ACLs as a Markdown table (operation, resource, pattern, client, why), for the README and {@code acls}. */
    public static String markdownTable(List<Acl> acls) {
        StringBuilder out = new StringBuilder("| operation | resource | pattern | client (its properties) | why |\n"
                + "| --- | --- | --- | --- | --- |\n");
        for (Acl acl : acls) {
            AclRequirement r = acl.requirement();
            out.append("| ").append(r.operationName()).append(" | ")
                    .append(r.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).append(" `")
                    .append(r.name()).append("` | ").append(r.pattern().name().toLowerCase(java.util.Locale.ROOT))
                    .append(" | ").append(acl.client().label()).append(" | ").append(r.purpose()).append(" |\n");
        }
        return out.toString();
    }

    private static void output(List<Acl> acls, JobSettings settings, JobSetting<String> topicSetting,
            JobSetting<MemorySize> limitSetting, KafkaClient producer, String what, boolean exactlyOnce) {
        String topic = settings.get(topicSetting);
        acls.add(new Acl(AclRequirement.topic(topic, AclOperation.WRITE, "the sink writes the " + what), producer));
        if (exactlyOnce) {
            acls.add(new Acl(AclRequirement.topic(topic, AclOperation.READ, "the exactly-once sink lists its open"
                    + " transactions at start: DescribeProducers"), producer));
        }
        if (!settings.isSet(limitSetting)) {
            acls.add(new Acl(AclRequirement.topic(topic, AclOperation.DESCRIBE_CONFIGS, "the start-up check reads"
                    + " its max.message.bytes; not needed with " + limitSetting.key()), KafkaClient.ADMIN));
        }
    }
}
