package io.densenetflink.job.settings;

import java.util.List;

/** The Kafka clients of the job, each with the property scopes it takes, widest first. */
public enum KafkaClient {
    ADMIN("start-up checks", List.of(KafkaScope.ALL)),
    CONSUMER("source", List.of(KafkaScope.ALL, KafkaScope.CONSUMER)),
    RESULTS_PRODUCER("results sink", List.of(KafkaScope.ALL, KafkaScope.PRODUCERS, KafkaScope.RESULTS_PRODUCER)),
    DEAD_LETTER_PRODUCER("dead-letter sink", List.of(KafkaScope.ALL, KafkaScope.PRODUCERS,
            KafkaScope.DEAD_LETTER_PRODUCER));

    private final String label;
    private final List<KafkaScope> scopes;

    KafkaClient(String label, List<KafkaScope> scopes) {
        this.label = label;
        this.scopes = scopes;
    }

    /** The client in words, with the narrowest properties prefix it takes: {@code source (kafka.consumer.)}. */
    public String label() {
        return label + " (" + scopes.get(scopes.size() - 1).prefix() + ")";
    }

    /** Scopes whose properties this client gets, the later winning. */
    public List<KafkaScope> scopes() {
        return scopes;
    }
}
