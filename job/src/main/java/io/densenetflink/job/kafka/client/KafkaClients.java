package io.densenetflink.job.kafka.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Client settings of the command-line tools, and the checks they make before producing or consuming. */
public final class KafkaClients {

    /** How long a tool waits for the broker to answer before giving up with a clear message. */
    public static final Duration BROKER_TIMEOUT = Duration.ofSeconds(15);

    /** How long {@link #requireReachable} waits for a TCP connection to one bootstrap server. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /**
     * How long the tools' producer keeps trying to deliver a frame while the broker is away ({@code
     * delivery.timeout.ms}) and waits for its metadata ({@code max.block.ms}): five minutes, so that a broker restart
     * (after a kill, 20-25 s before it accepts clients again) costs no frame. Kafka's defaults (2 min, 1 min) lost
     * a frame to a 90 s outage.
     */
    public static final Duration PRODUCER_OUTAGE_TOLERANCE = Duration.ofMinutes(5);

    /**
     * The largest record the tools and the job send (32 MiB, so 20 MB frames fit); the embedded broker accepts
     * as much. Kept here, not in the broker class, so the job jar does not depend on the broker.
     */
    public static final int MAX_RECORD_BYTES = 32 * 1024 * 1024;

    private KafkaClients() {}

    /**
     * An idempotent producer of byte arrays: {@code enable.idempotence=true}, {@code acks=all}, records up to
     * {@link #MAX_RECORD_BYTES} ({@code max.request.size}, with a buffer twice that size), riding out a broker
     * outage of up to {@link #PRODUCER_OUTAGE_TOLERANCE}; {@code extra} (e.g. TLS/SASL settings) is applied last
     * and wins.
     */
    public static Properties producerProperties(String bootstrapServers, Map<String, String> extra) {
        Properties p = base(bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_RECORD_BYTES));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(2L * MAX_RECORD_BYTES));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(PRODUCER_OUTAGE_TOLERANCE.toMillis()));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(PRODUCER_OUTAGE_TOLERANCE.toMillis()));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(extra);
        return p;
    }

    /**
     * A consumer of byte arrays that reads committed records only ({@code isolation.level=read_committed}), never
     * creates topics and commits nothing (it is used with assigned partitions, no group); {@code extra} wins.
     */
    public static Properties consumerProperties(String bootstrapServers, Map<String, String> extra) {
        Properties p = base(bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.putAll(extra);
        return p;
    }

    /** Admin client settings; {@code extra} wins. */
    public static Properties adminProperties(String bootstrapServers, Map<String, String> extra) {
        Properties p = base(bootstrapServers);
        p.putAll(extra);
        return p;
    }

    private static Properties base(String bootstrapServers) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("missing --bootstrap-servers");
        }
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers.trim());
        return p;
    }

    /**
     * Checks that at least one of the bootstrap servers accepts a TCP connection (within {@link #CONNECT_TIMEOUT}
     * each) and, for a plaintext listener, answers a Kafka ApiVersions request as a Kafka broker does: a wrong
     * address or a port that is not Kafka's fails at once with one clear line instead of a client retrying (and
     * logging) until its timeouts run out.
     *
     * @throws IllegalArgumentException when none does, or an entry is not {@code host:port}
     */
    public static void requireReachable(String bootstrapServers) {
        requireReachable(bootstrapServers, Map.of());
    }

    /**
     * {@link #requireReachable(String)} for clients with {@code clientProperties}: over TLS ({@code SSL}, {@code
     * SASL_SSL}) only the TCP connection is checked, the Kafka handshake being the client's after TLS.
     */
    public static void requireReachable(String bootstrapServers, Map<?, ?> clientProperties) {
        Object protocol = clientProperties.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
        boolean plaintext = protocol == null || !String.valueOf(protocol).trim().toUpperCase(java.util.Locale.ROOT)
                .endsWith("SSL");
        String last = null;
        for (String entry : bootstrapServers.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int colon = e.lastIndexOf(':');
            int port;
            try {
                port = Integer.parseInt(e.substring(colon + 1));
            } catch (NumberFormatException | IndexOutOfBoundsException ex) {
                port = -1;
            }
            if (colon <= 0 || port <= 0 || port > 65535) {
                throw new IllegalArgumentException("--bootstrap-servers: expected host:port, got '" + e + "'");
            }
            String host = e.substring(0, colon).replace("[", "").replace("]", "");
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
                if (!plaintext) {
                    return;
                }
                String notKafka = KafkaHandshake.check(socket, CONNECT_TIMEOUT);
                if (notKafka == null) {
                    return;
                }
                last = e + " accepts connections but is not a Kafka listener: " + notKafka;
            } catch (IOException ex) {
                last = e + ": " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage());
            }
        }
        if (last == null) {
            throw new IllegalArgumentException("missing --bootstrap-servers");
        }
        throw new IllegalArgumentException("cannot connect to Kafka at " + bootstrapServers + " (" + last
                + "); is the broker running? (bin/densenet broker)");
    }

    /**
     * Checks that {@code topic} exists and returns its partition count.
     *
     * @throws IllegalArgumentException when it does not exist, or no broker can be reached or answers within
     *     {@link #BROKER_TIMEOUT}
     */
    public static int requireTopic(String bootstrapServers, Map<String, String> extra, String topic) {
        requireReachable(bootstrapServers, extra);
        Properties p = adminProperties(bootstrapServers, extra);
        p.putIfAbsent(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(BROKER_TIMEOUT.toMillis()));
        p.putIfAbsent(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(BROKER_TIMEOUT.toMillis()));
        try (Admin admin = Admin.create(p)) {
            TopicDescription d = admin.describeTopics(List.of(topic),
                            new DescribeTopicsOptions().timeoutMs((int) BROKER_TIMEOUT.toMillis()))
                    .allTopicNames().get(BROKER_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS).get(topic);
            return d.partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalArgumentException("topic '" + topic + "' does not exist on " + bootstrapServers
                        + " (create it first, e.g. bin/densenet broker --topics " + topic + ")");
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(bootstrapServers);
            }
            throw new IllegalStateException("cannot describe topic '" + topic + "': " + e.getCause().getMessage(),
                    e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw unreachable(bootstrapServers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The error for a broker that does not answer. */
    public static IllegalArgumentException unreachable(String bootstrapServers) {
        return new IllegalArgumentException("no Kafka broker answered at " + bootstrapServers + " within "
                + BROKER_TIMEOUT.toSeconds() + " s (check --bootstrap-servers)");
    }
}
