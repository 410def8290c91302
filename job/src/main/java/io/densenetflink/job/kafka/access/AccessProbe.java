package io.densenetflink.job.kafka.access;

import io.densenetflink.job.kafka.client.KafkaClients;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Checks, with a client's own credentials and nothing else, whether the broker grants it what an {@link
 * AclRequirement} names: no ACL listing (that needs rights a job should not have), no side effect on its topics,
 * groups or transactions.
 *
 * <ul>
 *   <li>topics: the operations the broker reports as authorized for this principal ({@code
 *       includeAuthorizedOperations});
 *   <li>DescribeConfigs on the cluster: describing a broker's configuration (the cluster's authorized operations
 *       are only reported to a principal that may Describe the cluster, which the job need not);
 *   <li>Read on a group: an offset commit for a topic that does not exist, which the broker authorizes against the
 *       group first and then refuses for the topic, committing nothing;
 *   <li>Write on transactional ids: {@code initTransactions} of a producer whose id is the prefix followed by
 *       {@value #PROBE_SUFFIX} (never one of the job's own ids, so no open transaction of the job is fenced).
 * </ul>
 *
 * <p>A broker without an authorizer reports every operation on the cluster as authorized, as it does for a super
 * user: then nothing is probed (every requirement is met, and the transactional probe would only leave an id
 * behind).
 */
public final class AccessProbe implements AutoCloseable {

    /** Appended to a transactional id prefix to make the probe's id. */
    public static final String PROBE_SUFFIX = "-preflight-probe";

    /** A topic name no cluster has (topic names cannot contain '+'): committing to it commits nothing. */
    static final String NO_SUCH_TOPIC = "densenet+access+probe";

    private final Properties properties;
    private final Admin admin;
    private final Map<String, Set<AclOperation>> topicOperations = new HashMap<>();
    private Set<AclOperation> clusterOperations;
    private boolean clusterRead;

    /** A probe connected with {@code properties} (bootstrap servers included). */
    public AccessProbe(Properties properties) {
        this.properties = new Properties();
        this.properties.putAll(properties);
        Properties p = new Properties();
        p.putAll(properties);
        p.putIfAbsent(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(KafkaClients.BROKER_TIMEOUT.toMillis()));
        p.putIfAbsent(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG,
                Long.toString(2 * KafkaClients.BROKER_TIMEOUT.toMillis()));
        this.admin = Admin.create(p);
    }

    /** The requirements of {@code required} the broker does not grant this client, in order. */
    public List<AclRequirement> missing(List<AclRequirement> required) {
        if (!authorizerEnforced()) {
            return List.of();
        }
        return required.stream().filter(r -> !granted(r)).toList();
    }

    /**
     * False on a broker without an authorizer, or for a super user: the cluster's authorized operations then include
     * ClusterAction and Alter, which only brokers and administrators hold. (A principal without Describe on the
     * cluster, like a least-privilege job, is reported none at all.)
     */
    private boolean authorizerEnforced() {
        Set<AclOperation> cluster = cluster();
        return cluster == null || !cluster.containsAll(Set.of(AclOperation.CLUSTER_ACTION, AclOperation.ALTER));
    }

    private boolean granted(AclRequirement r) {
        return switch (r.type()) {
            case CLUSTER -> requireOperation(r, AclOperation.DESCRIBE_CONFIGS) && mayDescribeBrokerConfigs();
            case TOPIC -> topic(r.name()) == null || topic(r.name()).contains(r.operation());
            case GROUP -> requireOperation(r, AclOperation.READ) && mayCommitTo(r.name());
            case TRANSACTIONAL_ID -> requireOperation(r, AclOperation.WRITE) && mayUseTransactionalId(r.name()
                    + PROBE_SUFFIX);
            default -> throw new IllegalArgumentException("cannot probe " + r.describe());
        };
    }

    private static boolean requireOperation(AclRequirement r, AclOperation probed) {
        if (r.operation() != probed) {
            throw new IllegalArgumentException("cannot probe " + r.describe() + ": only " + probed + " is probed on a "
                    + r.type());
        }
        return true;
    }

    private Set<AclOperation> cluster() {
        if (!clusterRead) {
            clusterOperations = await(admin.describeCluster(new DescribeClusterOptions()
                    .includeAuthorizedOperations(true)).authorizedOperations().toCompletionStage().toCompletableFuture());
            clusterRead = true;
        }
        return clusterOperations;
    }

    /** The operations granted on {@code topic}; empty when not even Describe is; null when it does not exist. */
    private Set<AclOperation> topic(String topic) {
        if (!topicOperations.containsKey(topic)) {
            Set<AclOperation> operations;
            try {
                operations = await(admin.describeTopics(List.of(topic), new DescribeTopicsOptions()
                        .includeAuthorizedOperations(true)).allTopicNames().toCompletionStage().toCompletableFuture())
                        .get(topic).authorizedOperations();
            } catch (TopicAuthorizationException e) {
                operations = Set.of();
            } catch (UnknownTopicOrPartitionException e) {
                operations = null; // not an access problem: the start-up checks name a missing topic themselves
            }
            topicOperations.put(topic, operations);
        }
        return topicOperations.get(topic);
    }

    private boolean mayDescribeBrokerConfigs() {
        String node = await(admin.describeCluster().nodes().toCompletionStage().toCompletableFuture()).iterator().next()
                .idString();
        try {
            await(admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER, node))).all()
                    .toCompletionStage().toCompletableFuture());
            return true;
        } catch (ClusterAuthorizationException e) {
            return false;
        }
    }

    private boolean mayCommitTo(String group) {
        try {
            await(admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(NO_SUCH_TOPIC, 0),
                    new OffsetAndMetadata(0))).all().toCompletionStage().toCompletableFuture());
            return true; // not expected (the topic does not exist), but the group was allowed
        } catch (GroupAuthorizationException e) {
            return false;
        } catch (TopicAuthorizationException | UnknownTopicOrPartitionException e) {
            return true; // past the group's check, refused for the topic: nothing committed
        }
    }

    private boolean mayUseTransactionalId(String transactionalId) {
        Properties p = new Properties();
        p.putAll(properties);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(2 * KafkaClients.BROKER_TIMEOUT.toMillis()));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.remove(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            return true;
        } catch (TransactionalIdAuthorizationException e) {
            return false;
        } catch (KafkaException e) {
            if (e.getCause() instanceof TransactionalIdAuthorizationException) {
                return false;
            }
            throw e;
        }
    }

    /** The future's value; its failure's cause rethrown as it is (a Kafka exception), a timeout as Kafka's. */
    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(3 * KafkaClients.BROKER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new KafkaException(e.getCause());
        } catch (TimeoutException e) {
            throw new org.apache.kafka.common.errors.TimeoutException("the broker did not answer the access check within "
                    + 3 * KafkaClients.BROKER_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted", e);
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
