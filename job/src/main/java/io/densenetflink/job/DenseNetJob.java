package io.densenetflink.job;

import io.densenetflink.job.kafka.client.KafkaClients;
import io.densenetflink.job.kafka.sink.ClassificationRecordSchema;
import io.densenetflink.job.kafka.sink.DeadLetterRecordSchema;
import io.densenetflink.job.kafka.sink.ResultSizeGuard;
import io.densenetflink.job.kafka.source.FrameDeserializer;
import io.densenetflink.job.settings.JobArguments;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.job.settings.KafkaClient;
import io.densenetflink.job.settings.StartingOffsets;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.ClassifiedFrames;
import io.densenetflink.operators.DenseNetInference;
import io.densenetflink.operators.Frame;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka job: frames from the input topic, classified by the DenseNet operator, results to the output
 * topic and failed frames to the dead-letter topic, both through transactional (exactly-once) sinks.
 *
 * <p>{@link #main} is the entry point on a Flink cluster ({@code flink run -c io.densenetflink.job.DenseNetJob
 * job.jar --bootstrap-servers ... }); {@code bin/densenet run} builds the same pipeline on a local
 * MiniCluster through {@link #localEnvironment}.
 */
public final class DenseNetJob {

    private static final Logger LOG = LoggerFactory.getLogger(DenseNetJob.class);

    /** The sinks' names in their transactional id prefixes. */
    public static final String RESULTS_SINK = "results";
    public static final String DEAD_LETTER_SINK = "dead-letters";

    private DenseNetJob() {}

    /** Cluster entry point: the same options as {@code bin/densenet run} ({@link JobArguments}; {@code --help}). */
    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.print(JobArguments.usage());
            return;
        }
        JobSettings settings = JobArguments.parse(List.of(args)).validate();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env, settings, Preflight.check(settings));
        env.execute(settings.get(JobOptions.JOB_NAME));
    }

    /**
     * A local MiniCluster environment for {@code settings}: checkpoints retained under the state dir, and
     * restored from the latest completed one there when it exists.
     */
    public static StreamExecutionEnvironment localEnvironment(JobSettings settings) throws IOException {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        Path stateDir = stateDir(settings);
        if (stateDir != null) {
            Path checkpoints = RetainedCheckpoints.checkpointRoot(stateDir).toAbsolutePath();
            config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
            config.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 2);
            Optional<Path> latest = RetainedCheckpoints.latest(stateDir);
            if (latest.isPresent()) {
                LOG.info("resuming from retained checkpoint {}", latest.get());
                config.set(StateRecoveryOptions.SAVEPOINT_PATH, latest.get().toUri().toString());
            } else {
                LOG.info("no completed checkpoint in {}: starting fresh", checkpoints);
            }
        }
        return StreamExecutionEnvironment.createLocalEnvironment(config);
    }

    /** The {@code state-dir} setting as a path, or null. */
    public static Path stateDir(JobSettings settings) {
        String dir = settings.get(JobOptions.STATE_DIR);
        return dir == null ? null : Path.of(dir);
    }

    /**
     * Checkpoints every interval in the delivery's mode, retained when the job is cancelled or killed, with the
     * checkpoint timeout the preflight chose. With exactly-once, one checkpoint at a time and none may fail without
     * a restart: {@link TransactionTimeouts} bounds a transaction's life on exactly that.
     */
    public static void configureCheckpointing(StreamExecutionEnvironment env, JobSettings settings,
            Preflight preflight) {
        DeliveryGuaranteeOption delivery = settings.get(JobOptions.DELIVERY);
        env.enableCheckpointing(settings.get(JobOptions.CHECKPOINT_INTERVAL).toMillis(), delivery.checkpointingMode());
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        checkpoints.setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (preflight.checkpointTimeout() != null) {
            checkpoints.setCheckpointTimeout(preflight.checkpointTimeout().toMillis());
        }
        if (delivery == DeliveryGuaranteeOption.EXACTLY_ONCE) {
            checkpoints.setMaxConcurrentCheckpoints(1);
            checkpoints.setTolerableCheckpointFailureNumber(0);
        }
    }

    /** Configures checkpointing and adds source, operator and both sinks to {@code env}. */
    public static ClassifiedFrames build(StreamExecutionEnvironment env, JobSettings settings, Preflight preflight) {
        configureCheckpointing(env, settings, preflight);
        return classifyAndSink(frames(env, settings, preflight), settings, preflight);
    }

    /**
     * The Kafka source: the input topic's records as frames (read_committed), at the job's parallelism ({@link
     * #parallelism}). Separate from {@link #classifyAndSink} so a test can put an operator between the two
     * (failure injection).
     */
    public static DataStream<Frame> frames(StreamExecutionEnvironment env, JobSettings settings,
            Preflight preflight) {
        settings.validate();
        parallelism(env, settings, preflight.inputPartitions());
        Properties consumer = settings.kafkaProperties(KafkaClient.CONSUMER);
        // Read only committed records: an upstream transactional producer's aborted data must not be classified.
        consumer.putIfAbsent("isolation.level", "read_committed");
        KafkaSource<Frame> source = KafkaSource.<Frame>builder()
                .setBootstrapServers(settings.get(JobOptions.BOOTSTRAP_SERVERS))
                .setTopics(settings.get(JobOptions.INPUT_TOPIC))
                .setGroupId(settings.groupId())
                .setStartingOffsets(startingOffsets(settings.get(JobOptions.STARTING_OFFSETS)))
                .setDeserializer(new FrameDeserializer())
                .setProperties(consumer)
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka-frames").uid("kafka-frames");
    }

    /**
     * The {@code parallelism} setting, else the environment's default but no more than the input topic has
     * partitions: a subtask without a partition would hold a model (memory, a slot) and classify nothing, while
     * the slot's share of the cores ({@code inference-threads} 0) would shrink for the subtasks that work. An
     * explicit parallelism above the partitions is kept, with a warning.
     */
    static void parallelism(StreamExecutionEnvironment env, JobSettings settings, int partitions) {
        String topic = settings.get(JobOptions.INPUT_TOPIC);
        if (settings.isSet(JobOptions.PARALLELISM)) {
            int parallelism = settings.get(JobOptions.PARALLELISM);
            env.setParallelism(parallelism);
            if (partitions > 0 && parallelism > partitions) {
                LOG.warn("parallelism {} but topic {} has {} partition(s): {} subtask(s) will load a model and read"
                        + " nothing", parallelism, topic, partitions, parallelism - partitions);
            }
        } else if (partitions > 0 && env.getParallelism() > partitions) {
            LOG.info("parallelism {}, the partitions of topic {}, instead of the default {}", partitions, topic,
                    env.getParallelism());
            env.setParallelism(partitions);
        }
    }

    /** The DenseNet operator on {@code frames}, results to the output topic and failures to the dead-letter topic. */
    public static ClassifiedFrames classifyAndSink(DataStream<Frame> frames, JobSettings settings,
            Preflight preflight) {
        settings.validate();
        ClassifiedFrames classified = DenseNetInference.classify(frames, settings.inferenceOptions());

        ClassificationRecordSchema results = new ClassificationRecordSchema(settings.get(JobOptions.OUTPUT_TOPIC),
                preflight.resultMaxBytes());
        SingleOutputStreamOperator<Classification> writable = classified.results()
                .process(new ResultSizeGuard(results), classified.results().getType())
                .name("result-size-guard").uid("result-size-guard");
        writable.sinkTo(sink(settings, preflight, RESULTS_SINK, KafkaClient.RESULTS_PRODUCER, results))
                .name("kafka-results").uid("kafka-results");
        classified.failures().union(writable.getSideOutput(ResultSizeGuard.TOO_LARGE))
                .sinkTo(sink(settings, preflight, DEAD_LETTER_SINK, KafkaClient.DEAD_LETTER_PRODUCER,
                        new DeadLetterRecordSchema(settings.get(JobOptions.DLQ_TOPIC), preflight.deadLetterMaxBytes())))
                .name("kafka-dead-letters").uid("kafka-dead-letters");
        return classified;
    }

    /**
     * A Kafka sink. Exactly-once: transactional, with transactional ids {@code PREFIX-SUBTASK-N} where the prefix
     * is {@link JobSettings#transactionalIdPrefix} (stable across restarts, so a restarted job finds and aborts its
     * predecessor's open transactions; distinct between deployments) and N comes from a small pool reused at every
     * checkpoint ({@link TransactionNamingStrategy#POOLING}: the broker keeps each id it saw for {@code
     * transactional.id.expiration.ms}, 7 days by default, so one new id per checkpoint would pile up).
     */
    private static <T> KafkaSink<T> sink(JobSettings settings, Preflight preflight, String sink, KafkaClient client,
            KafkaRecordSerializationSchema<T> serializer) {
        Properties producer = settings.kafkaProperties(client);
        if (preflight.transactionTimeout() != null) {
            producer.setProperty("transaction.timeout.ms", String.valueOf(preflight.transactionTimeout().toMillis()));
        }
        producer.putIfAbsent("max.request.size", String.valueOf(KafkaClients.MAX_RECORD_BYTES));
        return KafkaSink.<T>builder()
                .setBootstrapServers(settings.get(JobOptions.BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(settings.get(JobOptions.DELIVERY).sinkGuarantee())
                .setTransactionalIdPrefix(settings.transactionalIdPrefix(sink))
                .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                .build();
    }

    private static OffsetsInitializer startingOffsets(StartingOffsets option) {
        return switch (option) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }
}
