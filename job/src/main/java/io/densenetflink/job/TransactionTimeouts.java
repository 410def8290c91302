package io.densenetflink.job;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the exactly-once sink's transaction timeout fit the broker. A transaction stays open from one
 * checkpoint to the next and must outlive a restart; the broker refuses producers whose {@code
 * transaction.timeout.ms} exceeds its {@code transaction.max.timeout.ms} (15 min by default, while Flink's
 * KafkaSink asks for 1 h).
 */
public final class TransactionTimeouts {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionTimeouts.class);

    /** What the KafkaSink builder asks for when nothing is set. */
    static final Duration SINK_DEFAULT = Duration.ofHours(1);

    private TransactionTimeouts() {}

    /**
     * The transaction timeout to use: the configured one, else min(1 h, the broker's maximum). Fails with an
     * explanation when the configured one exceeds the broker's maximum or when the timeout does not leave
     * room for several checkpoint intervals.
     */
    public static Duration choose(Duration configured, Duration checkpointInterval, Duration brokerMax) {
        Duration chosen = configured != null ? configured : min(SINK_DEFAULT, brokerMax);
        if (chosen.compareTo(brokerMax) > 0) {
            throw new IllegalArgumentException("transaction-timeout " + chosen + " exceeds the broker's"
                    + " transaction.max.timeout.ms (" + brokerMax + "): the broker would refuse the exactly-once"
                    + " producer. Lower --transaction-timeout or raise transaction.max.timeout.ms on the broker.");
        }
        if (chosen.compareTo(checkpointInterval.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("transaction timeout " + chosen + " is shorter than three checkpoint"
                    + " intervals (" + checkpointInterval + "): an open transaction would be aborted by the broker"
                    + " before its checkpoint completes, losing results. Shorten --checkpoint-interval or raise"
                    + " the broker's transaction.max.timeout.ms.");
        }
        return chosen;
    }

    /** Reads the broker's {@code transaction.max.timeout.ms} (falls back to Kafka's default 15 min). */
    public static Duration brokerMaximum(String bootstrapServers, Properties clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(props)) {
            Node node = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next();
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, node.idString());
            Config config = admin.describeConfigs(java.util.List.of(broker)).all().get(30, TimeUnit.SECONDS)
                    .get(broker);
            ConfigEntry entry = config.get("transaction.max.timeout.ms");
            if (entry != null && entry.value() != null) {
                return Duration.ofMillis(Long.parseLong(entry.value()));
            }
        } catch (Exception e) {
            LOG.warn("could not read transaction.max.timeout.ms from the broker ({}); assuming Kafka's default"
                    + " of 15 minutes", e.toString());
        }
        return Duration.ofMinutes(15);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
