package io.densenetflink.job.kafka.client;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Reads broker and topic configuration through Kafka's admin API, for the job's start-up checks. A value that
 * cannot be read (no permission to describe configs, no broker answering) comes back with the reason instead.
 */
public final class BrokerConfigs implements AutoCloseable {

    /** A configuration value, or why there is none. */
    public record Readout(String value, String problem) {

        public boolean known() {
            return value != null;
        }

        static Readout of(String value) {
            return new Readout(value, null);
        }

        static Readout missing(String problem) {
            return new Readout(null, problem);
        }
    }

    private final Admin admin;

    private BrokerConfigs(Admin admin) {
        this.admin = admin;
    }

    /** An admin client on {@code bootstrapServers} with {@code clientProperties} (TLS, SASL, ...). */
    public static BrokerConfigs connect(String bootstrapServers, Properties clientProperties) {
        Properties p = KafkaClients.adminProperties(bootstrapServers, java.util.Map.of());
        p.putAll(clientProperties);
        p.putIfAbsent(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(KafkaClients.BROKER_TIMEOUT.toMillis()));
        p.putIfAbsent(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG,
                Long.toString(2 * KafkaClients.BROKER_TIMEOUT.toMillis()));
        return new BrokerConfigs(Admin.create(p));
    }

    /** A setting of one of the cluster's brokers ({@code transaction.max.timeout.ms}, ...). */
    public Readout broker(String name) {
        try {
            Node node = admin.describeCluster().nodes().get(timeoutSeconds(), TimeUnit.SECONDS).iterator().next();
            return read(new ConfigResource(ConfigResource.Type.BROKER, node.idString()), name);
        } catch (ExecutionException | TimeoutException e) {
            return Readout.missing(reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Readout.missing("interrupted");
        }
    }

    /** The number of partitions of {@code topic}; empty when it cannot be read (no such topic, no permission). */
    public java.util.OptionalInt partitions(String topic) {
        try {
            return java.util.OptionalInt.of(admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeoutSeconds(), TimeUnit.SECONDS).get(topic).partitions().size());
        } catch (ExecutionException | TimeoutException e) {
            return java.util.OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.OptionalInt.empty();
        }
    }

    /** A setting of a topic as it applies to it (its own, else the broker's default), e.g. {@code max.message.bytes}. */
    public Readout topic(String topic, String name) {
        return read(new ConfigResource(ConfigResource.Type.TOPIC, topic), name);
    }

    private Readout read(ConfigResource resource, String name) {
        try {
            Config config = admin.describeConfigs(List.of(resource)).all().get(timeoutSeconds(), TimeUnit.SECONDS)
                    .get(resource);
            ConfigEntry entry = config == null ? null : config.get(name);
            return entry == null || entry.value() == null
                    ? Readout.missing(resource.type().name().toLowerCase(java.util.Locale.ROOT) + " " + resource.name()
                            + " reports no " + name)
                    : Readout.of(entry.value());
        } catch (ExecutionException | TimeoutException e) {
            return Readout.missing(reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Readout.missing("interrupted");
        }
    }

    private static long timeoutSeconds() {
        return 2 * KafkaClients.BROKER_TIMEOUT.toSeconds();
    }

    private static String reason(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    @Override
    public void close() {
        admin.close();
    }
}
