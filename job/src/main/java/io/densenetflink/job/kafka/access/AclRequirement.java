package io.densenetflink.job.kafka.access;

import java.util.Locale;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One permission a client needs: an operation on a resource (a topic, a group, transactional ids starting with a
 * prefix, the cluster), and why.
 *
 * @param type the resource type
 * @param name the resource name, or the prefix when {@code pattern} is {@link PatternType#PREFIXED}
 * @param pattern {@link PatternType#LITERAL} or {@link PatternType#PREFIXED}
 * @param operation what the client does to it
 * @param purpose why, in a few words (for the ACL table and the error when it is missing)
 */
public record AclRequirement(ResourceType type, String name, PatternType pattern, AclOperation operation,
        String purpose) {

    /** The cluster resource's name, as Kafka's tools write it. */
    public static final String CLUSTER = "kafka-cluster";

    public static AclRequirement topic(String topic, AclOperation operation, String purpose) {
        return new AclRequirement(ResourceType.TOPIC, topic, PatternType.LITERAL, operation, purpose);
    }

    public static AclRequirement group(String group, AclOperation operation, String purpose) {
        return new AclRequirement(ResourceType.GROUP, group, PatternType.LITERAL, operation, purpose);
    }

    public static AclRequirement transactionalIds(String prefix, AclOperation operation, String purpose) {
        return new AclRequirement(ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED, operation, purpose);
    }

    public static AclRequirement cluster(AclOperation operation, String purpose) {
        return new AclRequirement(ResourceType.CLUSTER, CLUSTER, PatternType.LITERAL, operation, purpose);
    }

    /** The ACL that grants this to {@code principal} (e.g. {@code User:densenet}) from any host. */
    public AclBinding binding(String principal) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    /** E.g. {@code Read on topic 'frames'}, {@code Write on transactional ids starting with 'job.t1.results'}. */
    public String describe() {
        return operationName() + " on " + resourceText();
    }

    /** The operation as Kafka's tools write it: {@code Read}, {@code DescribeConfigs}. */
    public String operationName() {
        StringBuilder out = new StringBuilder();
        for (String word : operation.name().split("_")) {
            out.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }

    /** The resource in words, e.g. {@code topic 'frames'}. */
    public String resourceText() {
        return switch (type) {
            case TRANSACTIONAL_ID -> "transactional ids starting with '" + name + "'";
            case CLUSTER -> "the cluster";
            default -> type.name().toLowerCase(Locale.ROOT) + " '" + name + "'"
                    + (pattern == PatternType.PREFIXED ? " (prefix)" : "");
        };
    }
}
