package io.densenetflink.job.local;

import io.densenetflink.job.kafka.client.KafkaClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller combined) running inside this JVM, for local
 * development and tests without Docker. Built on Kafka's own test kit ({@code kafka-test-common-runtime}:
 * {@link KafkaClusterTestKit}, {@link TestKitNodes}).
 *
 * <p>Set up for this project: transactions work on one node (transaction-state and offsets topics with
 * replication factor 1 and min ISR 1), {@code transaction.max.timeout.ms} is {@value #TRANSACTION_MAX_TIMEOUT_MS}
 * ms (the KafkaSink's default transaction timeout is one hour), consumer groups start without the initial
 * rebalance delay, and records up to {@value #MAX_MESSAGE_BYTES} bytes fit ({@code message.max.bytes}, {@code
 * replica.fetch.max.bytes}). Topics are still created automatically on first use (Kafka's default); {@link
 * #createTopics} creates them explicitly.
 *
 * <p>Both listeners (clients and the KRaft controller) bind to 127.0.0.1 only. The test kit binds its own
 * listeners on the wildcard address at random ports; to choose the host and port, this class configures
 * listeners under its own names through the kit's per-node overrides (applied after the kit's settings) and
 * releases the kit's unused pre-bound sockets. The controller's port is a free loopback port picked at start.
 *
 * <p>With a data directory the broker keeps its topics and records across restarts (the directory is formatted
 * on first use and reused afterwards), also after a kill without shutdown: then the restart waits out the
 * killed broker's controller session ({@value #SESSION_TIMEOUT_MS} ms) before it accepts clients. Without one
 * it runs in a temporary directory deleted on {@link #close}.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    /** The broker's {@code transaction.max.timeout.ms}: one hour, the KafkaSink's default transaction timeout. */
    public static final long TRANSACTION_MAX_TIMEOUT_MS = 3_600_000L;

    /** The largest record batch the broker accepts ({@code message.max.bytes}): 32 MiB. */
    public static final int MAX_MESSAGE_BYTES = KafkaClients.MAX_RECORD_BYTES;

    /** The controller's session for the broker ({@code broker.session.timeout.ms}): twice Kafka's 9 s. */
    static final long SESSION_TIMEOUT_MS = 18_000L;

    /** How long a starting broker waits to register ({@code initial.broker.registration.timeout.ms}). */
    static final long REGISTRATION_TIMEOUT_MS = 120_000L;

    /** The host every listener binds to and clients connect to. */
    public static final String HOST = "127.0.0.1";

    private static final String CLIENT_LISTENER = "DENSENET";
    private static final String CONTROLLER_LISTENER = "DENSENET_CONTROLLER";
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClusterTestKit cluster;
    private final Path dataDir;
    private final boolean temporary;
    private final int port;
    private final String bootstrapServers;
    private final SecuredListener security;
    private Admin admin;
    private boolean closed;

    private EmbeddedKafkaBroker(KafkaClusterTestKit cluster, Path dataDir, boolean temporary, int port,
            SecuredListener security) {
        this.cluster = cluster;
        this.security = security;
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.port = port;
        this.bootstrapServers = HOST + ":" + port;
    }

    /** Starts a broker on any free port in a temporary directory. */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    /**
     * Starts a broker.
     *
     * @param port the client port on 127.0.0.1; 0 for any free port
     * @param dataDir where the broker keeps its data (created when missing, reused when it holds a broker's
     *     data); null for a temporary directory deleted on close
     */
    public static EmbeddedKafkaBroker start(int port, Path dataDir) {
        return builder().port(port).dataDir(dataDir).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of {@link EmbeddedKafkaBroker#start}. */
    public static final class Builder {
        private int port;
        private Path dataDir;
        private Path securityDir;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();

        private Builder() {}

        /** The client port on 127.0.0.1; 0 (the default) for any free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** The data directory; null (the default) for a temporary one deleted on close. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /**
         * Makes the client listener {@code SASL_SSL} (SCRAM-SHA-512 over TLS) with ACLs enforced, its certificate,
         * passwords and client properties kept in {@code dir} ({@link SecuredListener}); null (the default) for a
         * PLAINTEXT listener open to every client.
         */
        public Builder saslSsl(Path dir) {
            this.securityDir = dir;
            return this;
        }

        /** An extra broker setting (e.g. {@code log.retention.hours}); listeners and node ids cannot be changed. */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Formats (on first use), starts the broker and waits until it accepts clients (about 5 s). */
        public EmbeddedKafkaBroker start() {
            try {
                return EmbeddedKafkaBroker.launch(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static EmbeddedKafkaBroker launch(Builder options) throws IOException {
        boolean temporary = options.dataDir == null;
        Path dir = temporary ? Files.createTempDirectory("densenet-kafka-")
                : Files.createDirectories(options.dataDir).toAbsolutePath().normalize();
        Optional<String> existingClusterId = temporary ? Optional.empty() : formattedClusterId(dir);

        TestKitNodes.Builder probe = nodesBuilder(dir, existingClusterId);
        int nodeId = probe.build().brokerNodes().firstKey();
        int controllerPort = freeLoopbackPort();
        SecuredListener security = options.securityDir == null ? null : SecuredListener.in(options.securityDir);
        Map<String, String> listeners = new LinkedHashMap<>(Map.of(
                "listeners", CLIENT_LISTENER + "://" + HOST + ":" + options.port + "," + CONTROLLER_LISTENER + "://"
                        + HOST + ":" + controllerPort,
                "listener.security.protocol.map", CLIENT_LISTENER + ":" + (security == null ? "PLAINTEXT" : "SASL_SSL")
                        + "," + CONTROLLER_LISTENER + ":PLAINTEXT",
                "inter.broker.listener.name", CLIENT_LISTENER,
                "controller.listener.names", CONTROLLER_LISTENER,
                "controller.quorum.voters", nodeId + "@" + HOST + ":" + controllerPort));
        if (security != null) {
            listeners.putAll(security.brokerProperties(CLIENT_LISTENER));
        }
        TestKitNodes nodes = nodesBuilder(dir, existingClusterId)
                .setPerServerProperties(Map.of(nodeId, listeners))
                .build();

        KafkaClusterTestKit.Builder kit = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(temporary);
        brokerDefaults().forEach(kit::setConfigProp);
        options.brokerProperties.forEach(kit::setConfigProp);

        KafkaClusterTestKit cluster = null;
        EmbeddedKafkaBroker started = null;
        try {
            cluster = kit.build();
            releasePreboundSockets(cluster);
            if (existingClusterId.isEmpty()) {
                formatQuietly(cluster);
            } else {
                LOG.info("reusing the broker data in {} (cluster {})", dir, existingClusterId.get());
            }
            cluster.startup();
            cluster.waitForReadyBrokers();
            BrokerServer broker = cluster.brokers().get(nodeId);
            int bound = broker.boundPort(ListenerName.normalised(CLIENT_LISTENER));
            LOG.info("Kafka broker listening on {}:{} ({}), data in {}", HOST, bound,
                    security == null ? "PLAINTEXT" : "SASL_SSL", dir);
            started = new EmbeddedKafkaBroker(cluster, dir, temporary, bound, security);
            if (security != null) {
                started.addClientCredentials();
            }
            return started;
        } catch (Exception e) {
            if (started != null) {
                started.close(); // its admin client too
            } else {
                closeQuietly(cluster);
            }
            if (temporary) {
                deleteRecursively(dir);
            }
            if (hasCause(e, BindException.class)) {
                throw new IllegalArgumentException("cannot listen on " + HOST + ":" + options.port
                        + ": the port is in use", e);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the Kafka broker did not start (data in " + dir + "): " + rootMessage(e), e);
        }
    }

    private static TestKitNodes.Builder nodesBuilder(Path dir, Optional<String> clusterId) {
        TestKitNodes.Builder b = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(dir);
        clusterId.ifPresent(b::setClusterId);
        return b;
    }

    /** The settings every embedded broker gets (what a one-node cluster with transactions needs). */
    static Map<String, String> brokerDefaults() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("transaction.max.timeout.ms", Long.toString(TRANSACTION_MAX_TIMEOUT_MS));
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
        p.put("replica.fetch.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
        p.put("socket.request.max.bytes", Integer.toString(2 * MAX_MESSAGE_BYTES));
        // The node is its own KRaft controller. Sharing a small machine with inference (MXNet keeps every core
        // busy), its heartbeats (every 2 s) could miss Kafka's 9 s session, and a fenced node takes every
        // partition offline (no other replica) until it registers again: twice Kafka's session.
        p.put("broker.session.timeout.ms", Long.toString(SESSION_TIMEOUT_MS));
        // After a SIGKILL the restarted controller still holds the killed broker's registration, and refuses
        // the new one until that session expires; Kafka's default wait for registration (60 s) must outlast it,
        // or the restarted broker gives up ("unable to register with the controller quorum") and exits.
        p.put("initial.broker.registration.timeout.ms", Long.toString(REGISTRATION_TIMEOUT_MS));
        return p;
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The client port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Where the broker keeps its data. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Client properties with {@code bootstrap.servers} set; on a secured listener, those of the super user (who may
     * create topics and ACLs).
     */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        if (security != null) {
            p.putAll(security.adminProperties());
        }
        return p;
    }

    /** The secured listener's material, when the client listener is {@code SASL_SSL}. */
    public Optional<SecuredListener> security() {
        return Optional.ofNullable(security);
    }

    /** Creates (or renews) the SCRAM credentials of {@link SecuredListener#CLIENT_USER}, as the super user. */
    private void addClientCredentials() throws InterruptedException, ExecutionException,
            java.util.concurrent.TimeoutException {
        admin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(SecuredListener.CLIENT_USER,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), security.clientPassword())))
                .all().get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Creates the topics that do not exist yet, each with {@code partitions} partitions (replication factor 1),
     * and waits until every one of them has a leader. Existing topics are left as they are.
     */
    public synchronized void createTopics(int partitions, String... names) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be > 0, got " + partitions);
        }
        if (names.length == 0) {
            return;
        }
        ensureOpen();
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("topic names must not be blank");
            }
            topics.add(new NewTopic(name.trim(), partitions, (short) 1));
        }
        Admin a = admin();
        try {
            Map<String, org.apache.kafka.common.KafkaFuture<Void>> results = a.createTopics(topics).values();
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> r : results.entrySet()) {
                try {
                    r.getValue().get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + r.getKey() + ": "
                                + rootMessage(e), e);
                    }
                }
            }
            awaitLeaders(a, results.keySet());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("creating topics timed out after " + TOPIC_READY_TIMEOUT.toSeconds() + " s", e);
        }
    }

    private static void awaitLeaders(Admin admin, java.util.Collection<String> topics) throws InterruptedException {
        long deadline = System.nanoTime() + TOPIC_READY_TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> d = admin.describeTopics(topics).allTopicNames()
                        .get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (d.values().stream().allMatch(t -> t.partitions().stream().allMatch(p -> p.leader() != null
                        && !p.leader().isEmpty()))) {
                    return;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                // metadata not propagated yet: try again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + topics + " have no leader after "
                        + TOPIC_READY_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /** An admin client of this broker, shared and closed with it. */
    public synchronized Admin admin() {
        ensureOpen();
        if (admin == null) {
            admin = Admin.create(clientProperties());
        }
        return admin;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the broker is closed");
        }
    }

    /** Stops the broker (a controlled shutdown, a few seconds) and deletes its data when it was temporary. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        try {
            cluster.close();
        } catch (Exception e) {
            LOG.warn("the Kafka broker reported an error while stopping: {}", rootMessage(e));
        }
        if (temporary) {
            deleteRecursively(dataDir);
        }
    }

    /**
     * The test kit binds one socket per node and listener name on the wildcard address at build time and hands
     * them to listeners of those names. This broker's listeners have other names, so those sockets would stay
     * bound (on every interface) until close: release them now. The kit offers no API for this, hence reflection;
     * should its internals change, the sockets simply stay bound until close (with a warning).
     */
    private static void releasePreboundSockets(KafkaClusterTestKit cluster) {
        try {
            Field f = KafkaClusterTestKit.class.getDeclaredField("socketFactoryManager");
            f.setAccessible(true);
            ((AutoCloseable) f.get(cluster)).close();
        } catch (Exception | LinkageError e) {
            LOG.warn("could not release the test kit's unused listener sockets (they stay bound until the broker "
                    + "stops): {}", e.toString());
        }
    }

    /**
     * Kafka's storage formatter reports on {@code System.out}, which belongs to the command line's own output
     * ({@code bootstrap.servers=...}, JSON lines): send its report to the debug log instead. Formatting takes a
     * few milliseconds; other threads' writes to {@code System.out} in that window go to the log too.
     */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        synchronized (System.class) {
            PrintStream stdout = System.out;
            ByteArrayOutputStream report = new ByteArrayOutputStream();
            System.setOut(new PrintStream(report, true, StandardCharsets.UTF_8));
            try {
                cluster.format();
            } finally {
                System.setOut(stdout);
                LOG.debug("format: {}", report.toString(StandardCharsets.UTF_8).trim());
            }
        }
    }

    /** The cluster id in a formatted data directory's {@code meta.properties}, if the directory was formatted. */
    static Optional<String> formattedClusterId(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                Path meta = child.resolve("meta.properties");
                if (Files.isRegularFile(meta)) {
                    Properties p = new Properties();
                    try (InputStream in = Files.newInputStream(meta)) {
                        p.load(in);
                    }
                    String id = p.getProperty("cluster.id");
                    if (id != null && !id.isBlank()) {
                        return Optional.of(id.trim());
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                LOG.debug("closing a broker that failed to start", e);
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("cannot delete {}", p, e);
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot delete the broker's temporary directory {}: {}", dir, e.getMessage());
        }
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker{" + bootstrapServers + ", dataDir=" + dataDir + "}";
    }
}
