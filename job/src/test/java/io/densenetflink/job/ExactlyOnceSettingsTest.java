package io.densenetflink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.settings.JobArguments;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transactional id prefix and the timeouts the exactly-once sinks run with. */
class ExactlyOnceSettingsTest {

    private static JobSettings settings(String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--bootstrap-servers", "k:9092", "--input-topic", "in",
                "--output-topic", "out", "--dlq-topic", "dlq", "--model", "m"));
        args.addAll(List.of(extra));
        return JobArguments.parse(args).validate();
    }

    @Test
    void prefixIsJobNameDeploymentIdAndSink() throws Exception {
        JobSettings s = settings("--job-name", "cams", "--deployment-id", "prod-eu");
        assertEquals("cams.prod-eu.results", s.transactionalIdPrefix(DenseNetJob.RESULTS_SINK));
        assertEquals("cams.prod-eu.dead-letters", s.transactionalIdPrefix(DenseNetJob.DEAD_LETTER_SINK));
    }

    @Test
    void withoutADeploymentIdTheTopicsTellDeploymentsApart() throws Exception {
        String one = settings("--job-name", "cams").deploymentId();
        assertTrue(one.matches("t[0-9a-f]{8}"), one);
        assertEquals(one, settings("--job-name", "cams").deploymentId(), "stable: the same on every start");
        assertNotEquals(one, settings("--job-name", "cams", "--input-topic", "in-2").deploymentId());
        assertNotEquals(one, settings("--job-name", "cams", "--output-topic", "out-2").deploymentId());
    }

    @Test
    void checkpointTimeoutFollowsTheTransactionTimeout() {
        // Defaults on a broker allowing 1 h: transactions of 1 h, checkpoints time out after 10 min.
        TransactionTimeouts.Timeouts hour = TransactionTimeouts.check(Duration.ofHours(1), null, Duration.ofSeconds(10));
        assertEquals(Duration.ofMinutes(10), hour.checkpoint());
        assertEquals(Duration.ofMinutes(20), hour.longestTransaction());
        assertEquals(Duration.ofMinutes(40), hour.restartWindow());
        // Kafka's default broker maximum, 15 min: a quarter of it.
        TransactionTimeouts.Timeouts kafkaDefault = TransactionTimeouts.check(Duration.ofMinutes(15), null,
                Duration.ofSeconds(10));
        assertEquals(Duration.ofSeconds(225), kafkaDefault.checkpoint());
        assertEquals(Duration.ofMinutes(7).plusSeconds(30), kafkaDefault.restartWindow());
    }

    @Test
    void timeoutsThatLetATransactionOutliveHalfItsTimeoutAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransactionTimeouts.check(Duration.ofMinutes(15), Duration.ofMinutes(5), Duration.ofSeconds(10)));
        assertTrue(e.getMessage().contains("checkpoint-timeout 5min") && e.getMessage().contains("= 10min")
                && e.getMessage().contains("transaction timeout 15min"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> TransactionTimeouts.check(Duration.ofMinutes(1), null, Duration.ofSeconds(40)));
    }

    @Test
    void atLeastOnceNeedsNoTransactionTimeout() throws Exception {
        JobSettings s = settings("--delivery", "at-least-once");
        assertEquals(DeliveryGuaranteeOption.AT_LEAST_ONCE, s.get(JobOptions.DELIVERY));
    }
}
