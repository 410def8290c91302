package io.densenetflink.job;

import io.densenetflink.job.kafka.client.BrokerConfigs;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once sinks' transaction timeout and the checkpoint timeout that goes with it.
 *
 * <p>A sink's transaction opens when a checkpoint's barrier passes the sink and commits when the next checkpoint
 * has completed. With one checkpoint at a time, it lives at most {@code max(interval, checkpoint timeout) +
 * checkpoint timeout} (the previous checkpoint may take its whole timeout, and the next one too). The broker aborts
 * a transaction older than the transaction timeout, and a commit that comes after that commits nothing: those
 * results are lost. So the job requires that bound to be at most half the transaction timeout, and a failed
 * checkpoint fails the job (restart from the previous checkpoint) rather than letting a transaction grow.
 *
 * <p>The other half is the restart window: after a failure, a transaction whose checkpoint completed but whose
 * commit did not happen yet is committed by the restarted job, if it comes back before the broker aborts it (the
 * transaction timeout after the transaction opened). {@link Timeouts#restartWindow()} is the least that is left.
 *
 * <p>The broker refuses producers whose {@code transaction.timeout.ms} exceeds its {@code
 * transaction.max.timeout.ms} (15 min by default). When that cannot be read (no DescribeConfigs permission on the
 * cluster), the job does not guess: it refuses to start unless {@code transaction-timeout} is given.
 */
public final class TransactionTimeouts {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionTimeouts.class);

    /** What the KafkaSink builder asks for when nothing is set. */
    static final Duration SINK_DEFAULT = Duration.ofHours(1);

    /** Flink's default checkpoint timeout: the most the job derives. */
    static final Duration CHECKPOINT_TIMEOUT_CAP = Duration.ofMinutes(10);

    static final String BROKER_MAXIMUM = "transaction.max.timeout.ms";

    /**
     * @param transaction the sinks' {@code transaction.timeout.ms}
     * @param checkpoint the checkpoint timeout
     * @param interval the checkpoint interval
     */
    public record Timeouts(Duration transaction, Duration checkpoint, Duration interval) {

        /** The longest a sink's transaction stays open with these settings. */
        public Duration longestTransaction() {
            return max(interval, checkpoint).plus(checkpoint);
        }

        /** How long a restart may take at least, after a failure, before committed output is lost. */
        public Duration restartWindow() {
            return transaction.minus(longestTransaction());
        }
    }

    private TransactionTimeouts() {}

    /** The timeouts for {@code settings}, the transaction timeout checked against the broker's maximum. */
    static Timeouts resolve(JobSettings settings, BrokerConfigs broker) {
        Duration configured = settings.get(JobOptions.TRANSACTION_TIMEOUT);
        BrokerConfigs.Readout brokerMax = broker.broker(BROKER_MAXIMUM);
        Duration transaction;
        if (brokerMax.known()) {
            Duration max = Duration.ofMillis(Long.parseLong(brokerMax.value()));
            transaction = configured != null ? configured : min(SINK_DEFAULT, max);
            if (transaction.compareTo(max) > 0) {
                throw new IllegalArgumentException("transaction-timeout " + text(transaction) + " exceeds the"
                        + " broker's " + BROKER_MAXIMUM + " (" + text(max) + "): the broker would refuse the"
                        + " exactly-once producers. Lower --transaction-timeout or raise " + BROKER_MAXIMUM
                        + " on the broker.");
            }
        } else if (configured != null) {
            LOG.warn("cannot read the broker's {} ({}): using transaction-timeout {} as given", BROKER_MAXIMUM,
                    brokerMax.problem(), text(configured));
            transaction = configured;
        } else {
            throw new IllegalArgumentException("cannot read the broker's " + BROKER_MAXIMUM + " ("
                    + brokerMax.problem() + "), and no --transaction-timeout was given: the exactly-once sinks need a"
                    + " transaction timeout the broker accepts. Set --transaction-timeout to at most the broker's "
                    + BROKER_MAXIMUM + " (Kafka's default maximum is 15min), or allow DescribeConfigs on the"
                    + " cluster.");
        }
        Timeouts timeouts = check(transaction, settings.get(JobOptions.CHECKPOINT_TIMEOUT),
                settings.get(JobOptions.CHECKPOINT_INTERVAL));
        LOG.info("transaction timeout {} (broker maximum {}), checkpoint timeout {}, interval {}: a transaction"
                + " lives at most {}; a restart within {} of a failure loses nothing", text(transaction),
                brokerMax.known() ? brokerMax.value() + " ms" : "unknown", text(timeouts.checkpoint()),
                text(timeouts.interval()), text(timeouts.longestTransaction()), text(timeouts.restartWindow()));
        return timeouts;
    }

    /**
     * Derives the checkpoint timeout when not given (min(10 min, transaction / 4)) and checks that a transaction
     * cannot outlive half the transaction timeout.
     */
    public static Timeouts check(Duration transaction, Duration configuredCheckpointTimeout, Duration interval) {
        Duration checkpoint = configuredCheckpointTimeout != null ? configuredCheckpointTimeout
                : min(CHECKPOINT_TIMEOUT_CAP, transaction.dividedBy(4));
        Timeouts timeouts = new Timeouts(transaction, checkpoint, interval);
        if (timeouts.longestTransaction().compareTo(transaction.dividedBy(2)) > 0) {
            throw new IllegalArgumentException("a transaction may stay open for max(checkpoint-interval "
                    + text(interval) + ", checkpoint-timeout " + text(checkpoint) + ") + checkpoint-timeout = "
                    + text(timeouts.longestTransaction()) + ", more than half the transaction timeout "
                    + text(transaction) + ": a slow checkpoint would let the broker abort a transaction before its"
                    + " commit (results lost), and a restart would have no time left. Shorten checkpoint-interval"
                    + " or checkpoint-timeout, or raise transaction-timeout.");
        }
        return timeouts;
    }

    static String text(Duration d) {
        return JobOptions.CHECKPOINT_INTERVAL.format(d);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
