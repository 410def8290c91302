package io.densenetflink.job;

import io.densenetflink.job.kafka.client.BrokerConfigs;
import io.densenetflink.job.settings.JobOptions;
import java.time.Duration;
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

    /** The transaction timeout for {@code settings}, checked against the broker's maximum. */
    static Duration resolve(JobSettings settings, BrokerConfigs broker) {
        Duration interval = settings.get(JobOptions.CHECKPOINT_INTERVAL);
        Duration brokerMax = brokerMaximum(broker);
        Duration chosen = choose(settings.get(JobOptions.TRANSACTION_TIMEOUT), interval, brokerMax);
        LOG.info("transaction timeout {} (broker maximum {}, checkpoint interval {})", chosen, brokerMax, interval);
        return chosen;
    }

    /** Reads the broker's {@code transaction.max.timeout.ms} (falls back to Kafka's default 15 min). */
    static Duration brokerMaximum(BrokerConfigs broker) {
        BrokerConfigs.Readout max = broker.broker("transaction.max.timeout.ms");
        if (max.known()) {
            return Duration.ofMillis(Long.parseLong(max.value()));
        }
        LOG.warn("could not read transaction.max.timeout.ms from the broker ({}); assuming Kafka's default"
                + " of 15 minutes", max.problem());
        return Duration.ofMinutes(15);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
