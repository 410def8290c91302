package io.densenetflink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a broker whose configuration the job may not read (ACLs deny DescribeConfigs on the cluster, as on
 * many managed Kafka services). Without {@code transaction-timeout} the job refuses to start, instead of assuming
 * a 15-minute maximum the broker may not have; with it, the job starts on that broker.
 */
class TransactionTimeoutRefusalTest {

    @TempDir
    static Path tmp;

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void brokerThatHidesItsConfiguration() throws Exception {
        broker = EmbeddedKafkaBroker.builder()
                .brokerProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .brokerProperty("allow.everyone.if.no.acl.found", "true")
                .start();
        ResourcePattern cluster = new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
        broker.admin().createAcls(List.of(
                new AclBinding(cluster, new AccessControlEntry("User:*", "*", AclOperation.ALL,
                        AclPermissionType.ALLOW)),
                new AclBinding(cluster, new AccessControlEntry("User:*", "*", AclOperation.DESCRIBE_CONFIGS,
                        AclPermissionType.DENY)))).all().get();
        broker.createTopics(1, "refusal-frames", "refusal-results", "refusal-dead-letters");
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static JobSettings settings() throws Exception {
        return JobTestSupport.settings(broker.bootstrapServers(), "refusal", JobTestSupport.tinyModel(tmp.resolve(
                "model-" + System.nanoTime())));
    }

    @Test
    void withoutATransactionTimeoutTheJobRefusesToStart() throws Exception {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> Preflight.check(settings()));
        assertTrue(refused.getMessage().contains("transaction.max.timeout.ms")
                && refused.getMessage().contains("--transaction-timeout"), refused.getMessage());
    }

    @Test
    void withATransactionTimeoutItStartsAndTimesCheckpointsByIt() throws Exception {
        JobSettings s = settings().set(JobOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(4));
        Preflight preflight = Preflight.check(s);
        assertEquals(Duration.ofMinutes(4), preflight.transactionTimeout());
        assertEquals(Duration.ofMinutes(1), preflight.checkpointTimeout(), "a quarter of the transaction timeout");
    }
}
