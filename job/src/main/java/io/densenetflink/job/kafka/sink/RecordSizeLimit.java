package io.densenetflink.job.kafka.sink;

import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.client.BrokerConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How large a record the job may write to an output topic: the topic's {@code max.message.bytes} (what the broker
 * accepts for a record batch), capped by the producer's {@code max.request.size}; read once at start-up. A record
 * over it would fail its write, and with it the job, again after every restart: {@link ClassificationRecordSchema}
 * and {@link DeadLetterRecordSchema} cut their records down to it in documented steps instead.
 */
public final class RecordSizeLimit {

    private static final Logger LOG = LoggerFactory.getLogger(RecordSizeLimit.class);

    /** Kafka's default {@code message.max.bytes} (1 MiB plus the batch overhead), when the topic's is unknown. */
    public static final int KAFKA_DEFAULT = 1_048_588;

    /** The smallest limit the job accepts: room for a result or a dead letter's own headers and a frame id. */
    public static final int MINIMUM = 16 * 1024;

    private static final String MAX_MESSAGE_BYTES = "max.message.bytes";

    private RecordSizeLimit() {}

    /**
     * The limit to apply to records written to {@code topic}.
     *
     * @param configured the setting that overrides the topic's limit, or null to read the topic's
     * @param setting the name of that setting, for the warning when the topic's limit cannot be read
     * @param maxRequestSize the producer's {@code max.request.size}
     */
    public static int resolve(Integer configured, String setting, int maxRequestSize, BrokerConfigs broker,
            String topic) {
        int limit;
        if (configured != null) {
            limit = configured;
        } else {
            BrokerConfigs.Readout topicLimit = broker.topic(topic, MAX_MESSAGE_BYTES);
            if (topicLimit.known()) {
                limit = Integer.parseInt(topicLimit.value());
            } else {
                limit = KAFKA_DEFAULT;
                LOG.warn("cannot read {} of topic {} ({}): assuming Kafka's default of {} bytes; set {} to say",
                        MAX_MESSAGE_BYTES, topic, topicLimit.problem(), limit, setting);
            }
        }
        limit = Math.min(limit, maxRequestSize);
        LOG.info("records to {} up to {} bytes", topic, limit);
        return limit;
    }

    /**
     * Warns when the input topic takes larger records than the dead-letter topic: a large failed frame then becomes a
     * dead letter without its value.
     */
    public static void warnIfInputIsLarger(int deadLetterLimit, BrokerConfigs broker, String deadLetterTopic,
            String inputTopic) {
        BrokerConfigs.Readout inputLimit = broker.topic(inputTopic, MAX_MESSAGE_BYTES);
        if (inputLimit.known() && Long.parseLong(inputLimit.value()) > deadLetterLimit) {
            LOG.warn("the dead-letter topic {} takes records of at most {} bytes, the input topic {} up to {}: a larger"
                    + " failed frame becomes a dead letter without its value (header {})", deadLetterTopic,
                    deadLetterLimit, inputTopic, inputLimit.value(), FrameHeaders.PAYLOAD_DROPPED);
        }
    }

    /** Refuses a limit below {@link #MINIMUM}. */
    static int checked(String topic, int maxRecordBytes) {
        if (maxRecordBytes < MINIMUM) {
            throw new IllegalArgumentException("topic " + topic + " takes records of at most " + maxRecordBytes
                    + " bytes: the job needs at least " + MINIMUM);
        }
        return maxRecordBytes;
    }
}
