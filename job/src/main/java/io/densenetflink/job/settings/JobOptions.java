package io.densenetflink.job.settings;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.densenetflink.job.DeliveryGuaranteeOption;
import io.densenetflink.job.kafka.sink.RecordSizeLimit;
import io.densenetflink.model.artifact.ModelLimits;
import io.densenetflink.model.inference.EngineMode;
import io.densenetflink.operators.OperatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Every setting of the Kafka job, each declared once, in the order help texts and the README list them. The
 * command line ({@code --KEY VALUE}), the properties file ({@code KEY=VALUE}, {@code --config FILE}) and the
 * checks all come from these declarations ({@link JobArguments}, {@link io.densenetflink.job.JobSettings}).
 *
 * <p>A setting of the DenseNet operator is one of its {@link OperatorOptions}, declaration, default and check
 * included: exposing a new operator option is one line here.
 *
 * <p>Kafka client properties are not declared here: they pass through under the prefixes of {@link KafkaScope}.
 */
public final class JobOptions {

    /** Filled by {@link #define} as the declarations below initialise, in their textual order. */
    private static final List<JobSetting<?>> ALL = new ArrayList<>();

    // Kafka: where frames come from and results go.

    public static final JobSetting<String> BOOTSTRAP_SERVERS = required(key("bootstrap-servers").stringType()
            .noDefaultValue().withDescription("The Kafka brokers to connect to."), "H:P[,H:P...]");

    public static final JobSetting<String> INPUT_TOPIC = required(key("input-topic").stringType().noDefaultValue()
            .withDescription("The topic the frames are read from."), "TOPIC");

    public static final JobSetting<String> OUTPUT_TOPIC = required(key("output-topic").stringType().noDefaultValue()
            .withDescription("The topic the results are written to."), "TOPIC");

    public static final JobSetting<String> DLQ_TOPIC = required(key("dlq-topic").stringType().noDefaultValue()
            .withDescription("The dead-letter topic: frames that could not be classified, as they came in."),
            "TOPIC");

    public static final JobSetting<MemorySize> DLQ_MAX_RECORD_BYTES = optional(key("dlq-max-record-bytes")
            .memoryType().noDefaultValue().withDescription("The largest dead letter to write. Unset: the"
                    + " dead-letter topic's max.message.bytes as the broker reports it at start-up (Kafka's default"
                    + " of 1 MiB when it cannot be read), at most the producer's max.request.size. A larger dead"
                    + " letter has its long key cut, then is written without its value, then without its original"
                    + " headers, with marker headers saying so."), "BYTES", atLeastRecordMinimum());

    public static final JobSetting<MemorySize> OUTPUT_MAX_RECORD_BYTES = optional(key("output-max-record-bytes")
            .memoryType().noDefaultValue().withDescription("The largest result to write. Unset: the output"
                    + " topic's max.message.bytes as the broker reports it at start-up (Kafka's default of 1 MiB"
                    + " when it cannot be read), at most the producer's max.request.size. A larger result has its"
                    + " long key, source, frame id and ground truth cut (header result-cut); one still larger"
                    + " becomes a dead letter with reason RESULT_TOO_LARGE."), "BYTES", atLeastRecordMinimum());

    public static final JobSetting<String> GROUP_ID = optional(key("group-id").stringType().noDefaultValue()
            .withDescription("The consumer group the source commits its offsets to at each checkpoint. Unset:"
                    + " the job name."), "GROUP", null);

    public static final JobSetting<StartingOffsets> STARTING_OFFSETS = optional(key("starting-offsets")
            .enumType(StartingOffsets.class).defaultValue(StartingOffsets.COMMITTED).withDescription("Where to"
                    + " start reading when there is no checkpoint to resume from: the group's committed offsets"
                    + " (else the earliest), the earliest or the latest."), "committed|earliest|latest", null);

    public static final JobSetting<String> KAFKA_PROPERTIES = optional(key("kafka-properties").stringType()
            .noDefaultValue().withDescription("A Kafka client properties file for every client of the job"
                    + " (security.protocol, sasl.*, ssl.*, config.providers, ...), read where the job is built (on a"
                    + " cluster, by the submitting client): passwords stay off the command line. Values may name"
                    + " Kafka config providers (${env:NAME}, ${file:PATH:KEY}), resolved by each client where it"
                    + " runs. Warns when other users can read it. kafka.* settings win over it."), "FILE", null);

    // The model and the DenseNet operator.

    public static final JobSetting<String> MODEL = required(key("model").stringType().noDefaultValue()
            .withDescription("The model directory (model.json and weights), or a model repository of numbered"
                    + " versions (DIR/1, DIR/2, ..., written by bin/densenet publish): the job serves its highest"
                    + " complete version and swaps to newer ones while it runs. At this path on every task"
                    + " manager."), "DIR");

    public static final JobSetting<EngineMode> ENGINE_MODE = optional(key("engine-mode").enumType(EngineMode.class)
            .defaultValue(EngineMode.COMPILED).withDescription("compiled: the network as one optimised MXNet graph;"
                    + " eager: the Java-built block, op by op."), "compiled|eager", null);

    public static final JobSetting<Long> MAX_MODEL_PARAMETERS = optional(key("max-model-parameters").longType()
            .defaultValue(ModelLimits.DEFAULT_MAX_PARAMETERS).withDescription("The most learnable parameters a"
                    + " model (or a new version in a repository) may have, worked out from model.json's"
                    + " architecture, or for an imported graph its parameter file at four bytes each: a larger one is"
                    + " refused before it is allocated. DenseNet-264 has 33.3 million."), "N",
            m -> m > 0 ? null : "must be > 0");

    public static final JobSetting<Integer> BATCH_SIZE = operator(OperatorOptions.BATCH_SIZE, "N");

    public static final JobSetting<Duration> MAX_DELAY = operator(OperatorOptions.MAX_DELAY, "DURATION");

    public static final JobSetting<Duration> LATENCY_BUDGET = operator(OperatorOptions.LATENCY_BUDGET, "DURATION");

    public static final JobSetting<String> DEVICE = operator(OperatorOptions.DEVICE, "auto|cpu|gpu:N");

    public static final JobSetting<Integer> DECODE_THREADS = operator(OperatorOptions.DECODE_THREADS, "N");

    public static final JobSetting<Integer> INFERENCE_THREADS = operator(OperatorOptions.INFERENCE_THREADS, "N");

    public static final JobSetting<Integer> SLOTS_PER_TASK_MANAGER = operator(OperatorOptions.SLOTS_PER_TASK_MANAGER,
            "N");

    public static final JobSetting<Integer> MAX_IN_FLIGHT = operator(OperatorOptions.MAX_IN_FLIGHT, "N");

    public static final JobSetting<Integer> TOP_K = operator(OperatorOptions.TOP_K, "N");

    public static final JobSetting<Duration> INFERENCE_TIMEOUT = operator(OperatorOptions.INFERENCE_TIMEOUT,
            "DURATION");

    public static final JobSetting<MemorySize> MAX_IN_FLIGHT_BYTES = operator(OperatorOptions.MAX_IN_FLIGHT_BYTES,
            "SIZE");

    public static final JobSetting<MemorySize> MAX_DECODE_BYTES = operator(OperatorOptions.MAX_DECODE_BYTES, "SIZE");

    public static final JobSetting<Duration> FORWARD_TIMEOUT = operator(OperatorOptions.FORWARD_TIMEOUT, "DURATION");

    public static final JobSetting<Integer> SYSTEMIC_FAILURE_THRESHOLD = operator(
            OperatorOptions.SYSTEMIC_FAILURE_THRESHOLD, "N");

    public static final JobSetting<Integer> BISECTION_BUDGET = operator(OperatorOptions.BISECTION_BUDGET, "N");

    public static final JobSetting<Integer> BATCH_SIZE_RECOVERY_BATCHES = operator(
            OperatorOptions.BATCH_SIZE_RECOVERY_BATCHES, "N");

    public static final JobSetting<Duration> MODEL_POLL_INTERVAL = operator(OperatorOptions.MODEL_POLL_INTERVAL,
            "DURATION");

    public static final JobSetting<MemorySize> MAX_SWAP_BYTES = operator(OperatorOptions.MAX_SWAP_BYTES, "SIZE");

    // The job: delivery, checkpoints, transactions.

    public static final JobSetting<String> JOB_NAME = optional(key("job-name").stringType()
            .defaultValue("densenet-flink").withDescription("The Flink job's name, the default consumer group and"
                    + " the first part of the transactional id prefix."), "NAME", identifier());

    public static final JobSetting<String> DEPLOYMENT_ID = optional(key("deployment-id").stringType()
            .noDefaultValue().withDescription("The second part of the transactional id prefix"
                    + " (JOB-NAME.DEPLOYMENT-ID.results and .dead-letters): keep it across restarts and upgrades of"
                    + " one deployment, make it differ between deployments that share a Kafka cluster. Unset: a"
                    + " hash of the input, output and dead-letter topics (t followed by 8 hex digits)."), "ID",
            identifier());

    public static final JobSetting<Integer> PARALLELISM = optional(key("parallelism").intType().noDefaultValue()
            .withDescription("Parallel subtasks, one model each. Unset: the cluster's parallelism.default (a local"
                    + " run: the machine's cores), at most the input topic's partitions."), "N", positive());

    public static final JobSetting<DeliveryGuaranteeOption> DELIVERY = optional(key("delivery")
            .enumType(DeliveryGuaranteeOption.class).defaultValue(DeliveryGuaranteeOption.EXACTLY_ONCE)
            .withDescription("exactly-once: transactional sinks, results visible to read_committed consumers at"
                    + " each completed checkpoint; at-least-once: results visible at once, replayed after a"
                    + " failure."), "exactly-once|at-least-once", null);

    public static final JobSetting<Duration> CHECKPOINT_INTERVAL = optional(key("checkpoint-interval")
            .durationType().defaultValue(Duration.ofSeconds(10)).withDescription("Time between checkpoints; with"
                    + " exactly-once, how often results are committed."), "DURATION",
            d -> d.toMillis() >= 100 ? null : "must be at least 100ms");

    public static final JobSetting<Duration> CHECKPOINT_TIMEOUT = optional(key("checkpoint-timeout")
            .durationType().noDefaultValue().withDescription("A checkpoint not complete within this fails (and,"
                    + " with exactly-once, the job restarts from the previous one). Unset: min(10min,"
                    + " transaction timeout / 4). Must leave room for the transaction timeout: interval + 2 x this"
                    + " at most half of it."), "DURATION", positiveDuration());

    public static final JobSetting<Duration> TRANSACTION_TIMEOUT = optional(key("transaction-timeout")
            .durationType().noDefaultValue().withDescription("Exactly-once: how long the broker keeps a sink's"
                    + " transaction open before aborting it. Unset: min(1h, the broker's"
                    + " transaction.max.timeout.ms); the job refuses to start when that cannot be read."),
            "DURATION", positiveDuration());

    public static final JobSetting<String> STATE_DIR = optional(key("state-dir").stringType().noDefaultValue()
            .withDescription("bin/densenet run only: keep checkpoints here and resume from the latest one on"
                    + " start. A cluster uses its execution.checkpointing.dir."), "DIR", null);

    private JobOptions() {}

    /** Every setting, in declaration order. */
    public static List<JobSetting<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    /** The setting with this key (or a former key of it). */
    public static Optional<JobSetting<?>> byKey(String key) {
        for (JobSetting<?> s : ALL) {
            if (s.key().equals(key)) {
                return Optional.of(s);
            }
            for (String former : s.formerKeys()) {
                if (former.equals(key)) {
                    return Optional.of(s);
                }
            }
        }
        return Optional.empty();
    }

    private static <T> JobSetting<T> define(JobSetting<T> setting) {
        ALL.add(setting);
        return setting;
    }

    private static <T> JobSetting<T> required(ConfigOption<T> option, String label) {
        return define(new JobSetting<>(option, label, true, null, null));
    }

    private static <T> JobSetting<T> optional(ConfigOption<T> option, String label, Function<T, String> problem) {
        return define(new JobSetting<>(option, label, false, problem, null));
    }

    /** A setting of the DenseNet operator: its declaration, default and check are the operator's own. */
    private static <T> JobSetting<T> operator(OperatorOptions.Checked<T> option, String label) {
        return define(new JobSetting<>(option.option(), label, false, option::problem,
                (builder, value) -> builder.set(option, value)));
    }

    private static Function<Integer, String> positive() {
        return n -> n > 0 ? null : "must be > 0";
    }

    private static Function<Duration, String> positiveDuration() {
        return d -> d.isNegative() || d.isZero() ? "must be > 0" : null;
    }

    private static Function<MemorySize, String> atLeastRecordMinimum() {
        return m -> m.getBytes() >= RecordSizeLimit.MINIMUM ? null
                : "must be at least " + RecordSizeLimit.MINIMUM + " bytes (the job's own fields and headers)";
    }

    /** Letters, digits, '-' and '_': no '.', so no transactional id prefix is the start of another one. */
    private static Function<String, String> identifier() {
        return s -> s.matches("[A-Za-z0-9_-]+") ? null
                : "only letters, digits, '-' and '_' (it is part of the transactional id prefix)";
    }
}
