package io.densenetflink.job.settings;

import java.util.List;

/** The Kafka clients of the job, each with the property scopes it takes, widest first. */
public enum KafkaClient {
    ADMIN(List.of(KafkaScope.ALL)),
    CONSUMER(List.of(KafkaScope.ALL, KafkaScope.CONSUMER)),
    RESULTS_PRODUCER(List.of(KafkaScope.ALL, KafkaScope.PRODUCERS, KafkaScope.RESULTS_PRODUCER)),
    DEAD_LETTER_PRODUCER(List.of(KafkaScope.ALL, KafkaScope.PRODUCERS, KafkaScope.DEAD_LETTER_PRODUCER));

    private final List<KafkaScope> scopes;

    KafkaClient(List<KafkaScope> scopes) {
        this.scopes = scopes;
    }

    /** Scopes whose properties this client gets, the later winning. */
    public List<KafkaScope> scopes() {
        return scopes;
    }
}
