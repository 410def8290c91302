package io.densenetflink.job.kafka.sink;

import io.densenetflink.job.kafka.client.BrokerConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How large a dead letter may be: the dead-letter topic's {@code max.message.bytes} (what the broker accepts for a
 * record batch), capped by the producer's {@code max.request.size}; checked once at start-up. A dead letter is the
 * failed input record plus a few headers, so a dead-letter topic that accepts less than the input topic cannot take
 * every dead letter whole: {@link DeadLetterSerializer} then leaves the value (then the original headers) out.
 */
public final class DeadLetterLimit {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterLimit.class);

    /** Kafka's default {@code message.max.bytes} (1 MiB plus the batch overhead), when the topic's is unknown. */
    public static final int KAFKA_DEFAULT = 1_048_588;

    private static final String MAX_MESSAGE_BYTES = "max.message.bytes";

    private DeadLetterLimit() {}

    /**
     * The limit to apply.
     *
     * @param configured the {@code dlq-max-record-bytes} setting, or null to read the topic's
     * @param maxRequestSize the dead-letter producer's {@code max.request.size}
     */
    public static int resolve(Integer configured, int maxRequestSize, BrokerConfigs broker, String dlqTopic,
            String inputTopic) {
        int limit;
        if (configured != null) {
            limit = configured;
        } else {
            BrokerConfigs.Readout topicLimit = broker.topic(dlqTopic, MAX_MESSAGE_BYTES);
            if (topicLimit.known()) {
                limit = Integer.parseInt(topicLimit.value());
            } else {
                limit = KAFKA_DEFAULT;
                LOG.warn("cannot read {} of the dead-letter topic {} ({}): assuming Kafka's default of {} bytes;"
                        + " set dlq-max-record-bytes to say", MAX_MESSAGE_BYTES, dlqTopic, topicLimit.problem(), limit);
            }
        }
        limit = Math.min(limit, maxRequestSize);
        BrokerConfigs.Readout inputLimit = broker.topic(inputTopic, MAX_MESSAGE_BYTES);
        if (inputLimit.known() && Long.parseLong(inputLimit.value()) > limit) {
            LOG.warn("the dead-letter topic {} takes records of at most {} bytes, the input topic {} up to {}: a larger"
                    + " failed frame becomes a dead letter without its value (header {})", dlqTopic, limit, inputTopic,
                    inputLimit.value(), io.densenetflink.job.kafka.FrameHeaders.PAYLOAD_DROPPED);
        } else {
            LOG.info("dead letters up to {} bytes (the dead-letter topic's limit)", limit);
        }
        return limit;
    }
}
