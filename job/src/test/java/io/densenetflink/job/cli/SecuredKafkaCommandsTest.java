package io.densenetflink.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.kafka.access.AclRequirement;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.local.SecuredListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker with {@code --sasl-ssl}: its only client listener is SASL_SSL (SCRAM-SHA-512 over TLS, a
 * certificate made by keytool), nothing is allowed without an ACL, and {@code produce} / {@code consume} run through
 * it with the client properties file it writes ({@code --kafka-properties}).
 */
class SecuredKafkaCommandsTest {

    @TempDir
    static Path dir;

    private static EmbeddedKafkaBroker broker;
    private static Path clientProperties;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.builder().saslSsl(dir.resolve("security")).start();
        clientProperties = dir.resolve("security").resolve(SecuredListener.CLIENT_PROPERTIES);
        broker.createTopics(1, "secured-frames", "not-granted");
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void theSecretsStayWithTheirOwner() throws Exception {
        Path security = dir.resolve("security");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(security)));
        for (String file : List.of(SecuredListener.CLIENT_PROPERTIES, SecuredListener.ADMIN_PROPERTIES)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    security.resolve(file))), file);
        }
        String client = Files.readString(clientProperties);
        assertTrue(client.contains("security.protocol=SASL_SSL\n") && client.contains("sasl.jaas.config="
                + "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"densenet\" password=\""
                + broker.security().orElseThrow().clientPassword() + "\";\n"), "written as README shows it:\n" + client);
    }

    @Test
    void aRestartOnTheSameDirectoriesKeepsTheCertificateAndThePasswords(@TempDir Path tmp) throws Exception {
        Path security = tmp.resolve("security");
        String before;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().saslSsl(security).dataDir(tmp.resolve("data"))
                .start()) {
            before = Files.readString(security.resolve(SecuredListener.CLIENT_PROPERTIES));
        }
        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.builder().saslSsl(security)
                .dataDir(tmp.resolve("data")).start()) {
            assertEquals(before, Files.readString(security.resolve(SecuredListener.CLIENT_PROPERTIES)));
            Properties client = second.security().orElseThrow().clientProperties();
            client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, second.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size(),
                        "the client logs in with the kept password");
            }
        }
    }

    @Test
    void aPlaintextClientGetsNothing() {
        Properties plain = new Properties();
        plain.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        plain.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "4000");
        plain.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        try (Admin admin = Admin.create(plain)) {
            assertThrows(ExecutionException.class, () -> admin.listTopics().names().get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void theClientPrincipalHasNoRightsUntilGranted() throws Exception {
        CliRun refused = CliRun.of("consume", "--bootstrap-servers", broker.bootstrapServers(), "--topic",
                "not-granted", "--kafka-properties", clientProperties.toString(), "--idle-timeout", "1s");
        assertNotEquals(0, refused.code(), refused.out());
        assertTrue(refused.err().contains("not-granted"), refused.err());

        Properties client = broker.security().orElseThrow().clientProperties();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(client)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.describeTopics(List.of("not-granted")).allTopicNames().get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof TopicAuthorizationException, e.toString());
        }
    }

    @Test
    void produceAndConsumeRunThroughSaslSslWithThePropertiesFile(@TempDir Path frames) throws Exception {
        String principal = "User:" + SecuredListener.CLIENT_USER;
        broker.admin().createAcls(List.of(
                AclRequirement.topic("secured-frames", AclOperation.WRITE, "produce").binding(principal),
                AclRequirement.topic("secured-frames", AclOperation.READ, "consume").binding(principal)))
                .all().get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            Files.write(frames.resolve("f" + i + ".png"), FrameInput.greyPng(new byte[28 * 28], 28, 28));
        }
        CliRun produced = awaitGranted(() -> CliRun.of("produce", "--bootstrap-servers", broker.bootstrapServers(),
                "--topic", "secured-frames", "--kafka-properties", clientProperties.toString(), frames.toString()));
        assertEquals(0, produced.code(), produced.err());
        assertTrue(produced.out().startsWith("sent 3 frames to secured-frames"), produced.out());

        CliRun consumed = CliRun.of("consume", "--bootstrap-servers", broker.bootstrapServers(), "--topic",
                "secured-frames", "--kafka-properties", clientProperties.toString(), "--json", "--idle-timeout",
                "1500ms");
        assertEquals(0, consumed.code(), consumed.err());
        assertEquals(3, consumed.lines().size(), consumed.out());
        assertFalse(consumed.err().contains(broker.security().orElseThrow().clientPassword()), "password printed");
        assertFalse(produced.err().contains(broker.security().orElseThrow().clientPassword()), "password printed");
    }

    @Test
    void thePasswordMayComeFromAFileOrADirectoryThroughKafkasConfigProviders(@TempDir Path secrets) throws Exception {
        String principal = "User:" + SecuredListener.CLIENT_USER;
        broker.admin().createAcls(List.of(AclRequirement.topic("not-granted", AclOperation.READ, "consume")
                .binding(principal))).all().get(30, TimeUnit.SECONDS);
        String password = broker.security().orElseThrow().clientPassword();
        Files.writeString(secrets.resolve("kafka-secrets.properties"), "password=" + password + "\n");
        Files.writeString(secrets.resolve("password"), password);
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"densenet\" password=";
        for (String reference : List.of("${file:" + secrets.resolve("kafka-secrets.properties") + ":password}",
                "${dir:" + secrets + ":password}")) {
            Path properties = secrets.resolve("client.properties");
            Files.writeString(properties, String.join("\n",
                    "security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512",
                    "ssl.truststore.type=PEM",
                    "ssl.truststore.location=" + dir.resolve("security").resolve("broker-certificate.pem"),
                    "config.providers=file,dir",
                    "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider",
                    "config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                    "sasl.jaas.config=" + jaas + "\"" + reference + "\";", ""));
            assertFalse(Files.readString(properties).contains(password));
            CliRun consumed = awaitGranted(() -> CliRun.of("consume", "--bootstrap-servers",
                    broker.bootstrapServers(), "--topic", "not-granted", "--kafka-properties", properties.toString(),
                    "--idle-timeout", "1s"));
            assertEquals(0, consumed.code(), reference + ": " + consumed.err());
        }
    }

    /** ACLs reach the broker's authorizer within moments of their creation: retry a refused first call briefly. */
    private static CliRun awaitGranted(java.util.function.Supplier<CliRun> run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        CliRun last = run.get();
        while (last.code() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            last = run.get();
        }
        return last;
    }
}
