package io.densenetflink.job.settings;

import io.densenetflink.model.artifact.ModelLimits;
import io.densenetflink.operators.DenseNetClassifierFactory;
import io.densenetflink.operators.InferenceOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;

/**
 * The values of the job's settings ({@link JobOptions}) and the Kafka client properties passed through ({@link
 * KafkaScope}), from a properties file and the command line ({@link io.densenetflink.job.settings.JobArguments}) or
 * set in code. Values are checked as they are set; {@link #validate()} checks the whole.
 */
public final class JobSettings {

    private final Configuration values = new Configuration();
    /** Kafka client properties by their full key ({@code kafka.consumer.max.poll.records}), in the order given. */
    private final Map<String, String> kafka = new LinkedHashMap<>();

    /** Reads a properties file: {@code KEY=VALUE} for settings, {@code kafka...} for client properties. */
    public static JobSettings fromFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("config file not found: " + file);
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        if (p.stringPropertyNames().stream().anyMatch(KafkaSecrets::isSecret)) {
            KafkaPropertiesFile.warnIfOthersCanRead(file, "config file");
        }
        JobSettings s = new JobSettings();
        for (String key : p.stringPropertyNames()) {
            s.set(key, p.getProperty(key));
        }
        return s;
    }

    /**
     * Sets one setting, or one Kafka client property, by its properties-file key. Unknown keys are refused (a typo
     * must not be ignored), as are Kafka properties the job sets itself.
     */
    public JobSettings set(String key, String text) {
        KafkaScope scope = KafkaScope.scopeOf(key);
        if (scope != null) {
            return setKafka(scope, key.substring(scope.prefix().length()), text);
        }
        JobSetting<?> setting = JobOptions.byKey(key).orElseThrow(() -> new IllegalArgumentException(
                "unknown setting '" + key + "' (Kafka client properties take the prefix " + KafkaScope.ALL.prefix()
                        + ", " + KafkaScope.CONSUMER.prefix() + " or " + KafkaScope.PRODUCERS.prefix() + ")"));
        return parseAndSet(setting, text);
    }

    private <T> JobSettings parseAndSet(JobSetting<T> setting, String text) {
        return set(setting, setting.parse(text));
    }

    /** Sets a value in code (checked like one read from text). */
    public <T> JobSettings set(JobSetting<T> setting, T value) {
        setting.check(value);
        values.set(setting.option(), value);
        return this;
    }

    /** The value, else the default, else null. */
    public <T> T get(JobSetting<T> setting) {
        return values.get(setting.option());
    }

    /** True when a value was set (a default does not count). */
    public boolean isSet(JobSetting<?> setting) {
        return values.contains(setting.option());
    }

    /** Sets a Kafka client property {@code name} for the clients of {@code scope}. */
    public JobSettings setKafka(KafkaScope scope, String name, String value) {
        String owner = KafkaScope.OWNED.get(name);
        if (owner != null) {
            throw new IllegalArgumentException(scope.prefix() + name + ": the job sets " + name + " itself; use "
                    + owner);
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException(scope.prefix() + ": a Kafka client property name is missing");
        }
        kafka.put(scope.prefix() + name, value.trim());
        return this;
    }

    /**
     * The properties given for {@code client}: those of the {@code kafka-properties} file, then its scopes'
     * properties, the narrower winning.
     */
    public Properties kafkaProperties(KafkaClient client) {
        Properties p = new Properties();
        String file = get(JobOptions.KAFKA_PROPERTIES);
        if (file != null) {
            p.putAll(KafkaPropertiesFile.read(Path.of(file)));
        }
        for (KafkaScope scope : client.scopes()) {
            kafka.forEach((key, value) -> {
                if (KafkaScope.scopeOf(key) == scope) {
                    p.setProperty(key.substring(scope.prefix().length()), value);
                }
            });
        }
        return p;
    }

    /** Checks that every required setting is there and that the settings fit together; the message names them. */
    public JobSettings validate() {
        for (JobSetting<?> s : JobOptions.all()) {
            if (s.required() && get(s) == null) {
                throw new IllegalArgumentException("missing setting: --" + s.key());
            }
        }
        String in = get(JobOptions.INPUT_TOPIC);
        String out = get(JobOptions.OUTPUT_TOPIC);
        String dlq = get(JobOptions.DLQ_TOPIC);
        if (in.equals(out) || in.equals(dlq) || out.equals(dlq)) {
            throw new IllegalArgumentException("input, output and dead-letter topics must differ");
        }
        inferenceOptions(); // the operator's own checks (e.g. max-in-flight >= batch-size)
        return this;
    }

    /** The consumer group: {@code group-id}, else the job name. */
    public String groupId() {
        return isSet(JobOptions.GROUP_ID) ? get(JobOptions.GROUP_ID) : get(JobOptions.JOB_NAME);
    }

    /**
     * The deployment id: {@code deployment-id}, else {@code t} and the first 8 hex digits of the SHA-256 of the
     * three topic names, so deployments of one job name that read or write other topics do not share
     * transactional ids, and one deployment keeps its id across restarts.
     */
    public String deploymentId() {
        if (isSet(JobOptions.DEPLOYMENT_ID)) {
            return get(JobOptions.DEPLOYMENT_ID);
        }
        String topics = get(JobOptions.INPUT_TOPIC) + "\n" + get(JobOptions.OUTPUT_TOPIC) + "\n"
                + get(JobOptions.DLQ_TOPIC);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(topics.getBytes(StandardCharsets.UTF_8));
            return "t" + HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The transactional id prefix of one sink: {@code JOB-NAME.DEPLOYMENT-ID.SINK}. */
    public String transactionalIdPrefix(String sink) {
        return get(JobOptions.JOB_NAME) + "." + deploymentId() + "." + sink;
    }

    /** The DenseNet operator's options: the model and engine mode, and every operator setting. */
    public InferenceOptions inferenceOptions() {
        InferenceOptions.Builder builder = InferenceOptions.builder(new DenseNetClassifierFactory(
                Path.of(get(JobOptions.MODEL)).toAbsolutePath().toString(), get(JobOptions.ENGINE_MODE),
                new ModelLimits(get(JobOptions.MAX_MODEL_PARAMETERS))));
        for (JobSetting<?> s : JobOptions.all()) {
            configure(builder, s);
        }
        return builder.build();
    }

    private <T> void configure(InferenceOptions.Builder builder, JobSetting<T> setting) {
        setting.configure(builder, get(setting));
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>();
        values.toMap().forEach(shown::put);
        shown.putAll(KafkaSecrets.redacted(kafka)); // client properties may hold secrets
        return "JobSettings" + shown;
    }
}
