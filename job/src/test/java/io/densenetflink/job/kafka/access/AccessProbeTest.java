package io.densenetflink.job.kafka.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.acl.AclOperation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** On a broker without an authorizer everything is allowed, and the probe leaves nothing behind. */
@ExtendWith(SharedKafkaBroker.class)
class AccessProbeTest {

    @Test
    void withoutAnAuthorizerNothingIsMissingAndNothingIsTouched(EmbeddedKafkaBroker broker) throws Exception {
        broker.createTopics(1, "probe-topic");
        List<AclRequirement> required = List.of(AclRequirement.topic("probe-topic", AclOperation.READ, "read"),
                AclRequirement.group("probe-group", AclOperation.READ, "commit"),
                AclRequirement.transactionalIds("probe-tx", AclOperation.WRITE, "transactions"),
                AclRequirement.cluster(AclOperation.DESCRIBE_CONFIGS, "timeouts"));
        try (AccessProbe probe = new AccessProbe(broker.clientProperties())) {
            assertEquals(List.of(), probe.missing(required));
        }
        List<String> transactions = broker.admin().listTransactions().all().get(30, TimeUnit.SECONDS).stream()
                .map(TransactionListing::transactionalId).toList();
        assertTrue(transactions.stream().noneMatch(id -> id.startsWith("probe-tx")), transactions.toString());
        assertTrue(broker.admin().listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                .noneMatch(g -> g.groupId().equals("probe-group")), "the probe created the group");
    }
}
