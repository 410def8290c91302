package io.densenetflink.job.settings;

import java.util.Map;

/**
 * Kafka client properties, passed through by prefix: {@code kafka.NAME=VALUE} in a properties file, or {@code
 * --kafka-property NAME=VALUE} on the command line, goes to every client of the job; the narrower prefixes to the
 * consumer, to both producers, or to one sink's producer, on top of (and winning over) the wider ones. A key belongs
 * to the longest prefix it starts with.
 */
public enum KafkaScope {
    /** Every client: the source's consumer, both sinks' producers, and the admin client of the start-up checks. */
    ALL("kafka.", "--kafka-property", "Kafka client property for every client of the job (TLS, SASL, ...)."),
    /** The source's consumer. */
    CONSUMER("kafka.consumer.", "--kafka-consumer-property", "Kafka client property for the source's consumer."),
    /** Both sinks' producers. */
    PRODUCERS("kafka.producer.", "--kafka-producer-property", "Kafka client property for both sinks' producers."),
    /** The results sink's producer. */
    RESULTS_PRODUCER("kafka.producer.results.", "--kafka-results-producer-property",
            "Kafka client property for the results sink's producer."),
    /** The dead-letter sink's producer. */
    DEAD_LETTER_PRODUCER("kafka.producer.dead-letters.", "--kafka-dead-letter-producer-property",
            "Kafka client property for the dead-letter sink's producer.");

    /**
     * Client properties the job sets itself, with the setting to use instead: a value given under a Kafka prefix
     * would silently fight the job's.
     */
    public static final Map<String, String> OWNED = Map.of(
            "bootstrap.servers", "bootstrap-servers",
            "group.id", "group-id",
            "transaction.timeout.ms", "transaction-timeout",
            "transactional.id", "job-name and deployment-id (the transactional id prefix)");

    private final String prefix;
    private final String flag;
    private final String description;

    KafkaScope(String prefix, String flag, String description) {
        this.prefix = prefix;
        this.flag = flag;
        this.description = description;
    }

    /** What the scope is for, for help texts. */
    public String description() {
        return description;
    }

    /** The properties-file prefix, e.g. {@code kafka.consumer.}. */
    public String prefix() {
        return prefix;
    }

    /** The command-line option that takes {@code NAME=VALUE} for this scope. */
    public String flag() {
        return flag;
    }

    /** The scope a prefixed key belongs to (the longest matching prefix), or null when it has none. */
    public static KafkaScope scopeOf(String key) {
        KafkaScope best = null;
        for (KafkaScope s : values()) {
            if (key.startsWith(s.prefix) && (best == null || s.prefix.length() > best.prefix.length())) {
                best = s;
            }
        }
        return best;
    }
}
