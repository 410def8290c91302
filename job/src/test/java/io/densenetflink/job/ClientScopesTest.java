package io.densenetflink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameProducer;
import io.densenetflink.job.settings.JobArguments;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: Kafka client properties by scope reach exactly the clients they name. Kafka hands every client
 * property to a client's interceptors, so interceptors installed through the scopes record what each of the job's
 * real clients (the source's consumer, the two sinks' producers) was configured with.
 */
@ExtendWith(SharedKafkaBroker.class)
class ClientScopesTest {

    /** The {@code test.scope} and {@code test.shared} values each configured client saw, as "kind:scope:shared". */
    static final Queue<String> CONFIGURED = new ConcurrentLinkedQueue<>();

    static String seen(String kind, Map<String, ?> configs) {
        return kind + ":" + configs.get("test.scope") + ":" + configs.get("test.shared");
    }

    /** Records the consumer's configuration; passes records through. */
    public static final class RecordingConsumer implements ConsumerInterceptor<byte[], byte[]> {
        @Override
        public void configure(Map<String, ?> configs) {
            CONFIGURED.add(seen("consumer", configs));
        }

        @Override
        public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
            return records;
        }

        @Override
        public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

        @Override
        public void close() {}
    }

    /** Records a producer's configuration; passes records through. */
    public static final class RecordingProducer implements ProducerInterceptor<byte[], byte[]> {
        @Override
        public void configure(Map<String, ?> configs) {
            CONFIGURED.add(seen("producer", configs));
        }

        @Override
        public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
            return record;
        }

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

        @Override
        public void close() {}
    }

    @TempDir
    Path tmp;

    @Test
    void eachClientGetsItsScopesOnTopOfTheSharedOnes(EmbeddedKafkaBroker broker) throws Exception {
        JobSettings s = JobTestSupport.settings(broker.bootstrapServers(), "scopes",
                JobTestSupport.tinyModel(tmp.resolve("model")));
        s.set("kafka.test.shared", "yes");
        s.set("kafka.test.scope", "all");
        s.set("kafka.consumer.test.scope", "consumer");
        s.set("kafka.consumer.interceptor.classes", RecordingConsumer.class.getName());
        s.set("kafka.producer.interceptor.classes", RecordingProducer.class.getName());
        s.set("kafka.producer.results.test.scope", "results");
        s.set("kafka.producer.dead-letters.test.scope", "dead-letters");
        broker.createTopics(1, s.get(JobOptions.INPUT_TOPIC), s.get(JobOptions.OUTPUT_TOPIC),
                s.get(JobOptions.DLQ_TOPIC));
        try (FrameProducer producer = new FrameProducer(broker.bootstrapServers(), Map.of())) {
            producer.send(s.get(JobOptions.INPUT_TOPIC), "cam-1", JobTestSupport.pngFrames("f", 5, 1), 0, (n, t) -> { });
        }
        StreamExecutionEnvironment env = DenseNetJob.localEnvironment(s);
        DenseNetJob.build(env, s, Preflight.check(s));
        JobClient job = env.executeAsync("scopes");
        try {
            JobTestSupport.readCommitted(broker.bootstrapServers(), List.of(s.get(JobOptions.OUTPUT_TOPIC)), 5,
                    Duration.ofMinutes(2));
        } finally {
            job.cancel().get();
        }
        Set<String> seen = new TreeSet<>(CONFIGURED);
        assertEquals(Set.of("consumer:consumer:yes", "producer:dead-letters:yes", "producer:results:yes"), seen,
                "what each client was configured with (all clients: " + CONFIGURED + ")");
    }

    @Test
    void parallelismComesFromTheClusterUnlessSet(EmbeddedKafkaBroker broker) throws Exception {
        JobSettings s = JobArguments.parse(List.of("--bootstrap-servers", broker.bootstrapServers(), "--input-topic",
                "p-frames", "--output-topic", "p-results", "--dlq-topic", "p-dead-letters", "--model", tmp.toString()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(3);
        DenseNetJob.parallelism(env, s, 4);
        assertEquals(3, env.getParallelism(), "the environment's (the cluster's) default parallelism");
        assertNull(s.get(JobOptions.PARALLELISM));
    }

    /** A subtask without a partition would hold a model and idle while the working ones get fewer cores. */
    @Test
    void theDefaultParallelismIsAtMostTheInputTopicsPartitions(EmbeddedKafkaBroker broker) throws Exception {
        broker.createTopics(2, "two-partitions");
        JobSettings s = JobArguments.parse(List.of("--bootstrap-servers", broker.bootstrapServers(), "--input-topic",
                "two-partitions", "--output-topic", "p-results", "--dlq-topic", "p-dead-letters", "--model",
                tmp.toString(), "--delivery", "at-least-once"));
        Preflight preflight = Preflight.check(s);
        assertEquals(2, preflight.inputPartitions(), "read from the broker");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(3);
        DenseNetJob.frames(env, s, preflight);
        assertEquals(2, env.getParallelism());

        StreamExecutionEnvironment explicit = StreamExecutionEnvironment.createLocalEnvironment(1);
        DenseNetJob.frames(explicit, s.set(JobOptions.PARALLELISM, 3), preflight);
        assertEquals(3, explicit.getParallelism(), "an explicit parallelism is kept (with a warning)");
    }
}
