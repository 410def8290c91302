package io.densenetflink.job.kafka.sink;

import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

/**
 * A record serializer that writes to one topic and tells the Kafka sink which: the sink's pooled transactional
 * ids ({@code TransactionNamingStrategy.POOLING}) need it to find, on start, the open transactions on its topics
 * that a predecessor left behind.
 */
interface FixedTopicSerializer<T> extends KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {

    /** The one topic every record goes to. */
    String topic();

    @Override
    default Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic()))));
    }
}
