package io.densenetflink.job;

import io.densenetflink.model.inference.EngineMode;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Everything the Kafka job needs, from a properties file ({@code --config FILE}) and command-line options,
 * with safe defaults: exactly-once delivery, checkpoints every 10 s.
 *
 * <p>Property names are the long option names without dashes prefix ({@code bootstrap-servers},
 * {@code input-topic}, ...); keys starting with {@code kafka.} are Kafka client properties passed to the
 * source and the sinks unchanged (TLS, SASL, ...).
 */
public final class JobSettings {

    /** Prefix of Kafka client properties in the properties file. */
    public static final String KAFKA_PREFIX = "kafka.";

    public String bootstrapServers;
    public String inputTopic;
    public String outputTopic;
    public String dlqTopic;
    public String modelDir;
    public int batchSize = 32;
    public long maxDelayMs = 50;
    public int parallelism = 1;
    public String device = "auto";
    public Duration checkpointInterval = Duration.ofSeconds(10);
    public DeliveryGuaranteeOption delivery = DeliveryGuaranteeOption.EXACTLY_ONCE;
    public String groupId;
    public String startingOffsets = "committed";
    public Path stateDir;
    public EngineMode engineMode = EngineMode.COMPILED;
    public int decodeThreads = 1;
    public String jobName = "densenet-flink";
    public Duration transactionTimeout;
    public final Map<String, String> kafkaProperties = new LinkedHashMap<>();

    /** Reads a properties file into settings (command-line options applied afterwards win). */
    public static JobSettings fromFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("config file not found: " + file);
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        JobSettings s = new JobSettings();
        for (String key : p.stringPropertyNames()) {
            s.set(key, p.getProperty(key).trim());
        }
        return s;
    }

    /** Sets one setting by its property name; unknown names are refused (a typo must not be ignored). */
    public void set(String key, String value) {
        if (key.startsWith(KAFKA_PREFIX)) {
            kafkaProperties.put(key.substring(KAFKA_PREFIX.length()), value);
            return;
        }
        switch (key) {
            case "bootstrap-servers" -> bootstrapServers = value;
            case "input-topic" -> inputTopic = value;
            case "output-topic" -> outputTopic = value;
            case "dlq-topic" -> dlqTopic = value;
            case "model" -> modelDir = value;
            case "batch-size" -> batchSize = Integer.parseInt(value);
            case "max-delay-ms" -> maxDelayMs = Long.parseLong(value);
            case "parallelism" -> parallelism = Integer.parseInt(value);
            case "device" -> device = value;
            case "checkpoint-interval" -> checkpointInterval = parseDuration(value);
            case "delivery" -> delivery = DeliveryGuaranteeOption.parse(value);
            case "group-id" -> groupId = value;
            case "starting-offsets" -> startingOffsets = value;
            case "state-dir" -> stateDir = Path.of(value);
            case "engine-mode" -> engineMode = EngineMode.parse(value);
            case "decode-threads" -> decodeThreads = Integer.parseInt(value);
            case "job-name" -> jobName = value;
            case "transaction-timeout" -> transactionTimeout = parseDuration(value);
            default -> throw new IllegalArgumentException("unknown setting '" + key + "' (Kafka client properties"
                    + " take the prefix '" + KAFKA_PREFIX + "')");
        }
    }

    /** Checks that everything required is there and consistent; the message names the setting. */
    public JobSettings validate() {
        require(bootstrapServers, "bootstrap-servers");
        require(inputTopic, "input-topic");
        require(outputTopic, "output-topic");
        require(dlqTopic, "dlq-topic");
        require(modelDir, "model");
        if (batchSize <= 0 || maxDelayMs < 0 || parallelism <= 0 || decodeThreads <= 0) {
            throw new IllegalArgumentException("batch-size, parallelism and decode-threads must be > 0,"
                    + " max-delay-ms >= 0");
        }
        if (checkpointInterval.toMillis() < 100) {
            throw new IllegalArgumentException("checkpoint-interval must be at least 100ms: results are only"
                    + " committed (visible to read_committed consumers) when a checkpoint completes");
        }
        String offsets = startingOffsets.toLowerCase(Locale.ROOT);
        if (!offsets.equals("earliest") && !offsets.equals("latest") && !offsets.equals("committed")) {
            throw new IllegalArgumentException("starting-offsets: expected earliest, latest or committed, got '"
                    + startingOffsets + "'");
        }
        if (inputTopic.equals(outputTopic) || inputTopic.equals(dlqTopic) || outputTopic.equals(dlqTopic)) {
            throw new IllegalArgumentException("input, output and dead-letter topics must differ");
        }
        return this;
    }

    private static void require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing setting: --" + name);
        }
    }

    /** The consumer group: {@code group-id}, or one derived from the job name. */
    public String effectiveGroupId() {
        return groupId != null ? groupId : jobName;
    }

    /** Parses {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT10S}). */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            switch (t.charAt(t.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                default:
                    break;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException("expected a duration such as 500ms, 10s, 2m or 1h, got '" + text + "'");
    }
}
