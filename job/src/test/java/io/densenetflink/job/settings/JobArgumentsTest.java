package io.densenetflink.job.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.DeliveryGuaranteeOption;
import io.densenetflink.model.inference.EngineMode;
import io.densenetflink.operators.InferenceOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One definition per setting: the command line and the properties file read every setting the same way. */
class JobArgumentsTest {

    /** A valid value other than the default for every setting (a new setting needs one here). */
    private static final Map<String, String> SAMPLES = new TreeMap<>(Map.ofEntries(
            Map.entry("bootstrap-servers", "kafka-1:9092,kafka-2:9092"), Map.entry("input-topic", "in"),
            Map.entry("output-topic", "out"), Map.entry("dlq-topic", "dlq"), Map.entry("dlq-max-record-bytes", "2mb"),
            Map.entry("output-max-record-bytes", "3mb"), Map.entry("max-model-parameters", "50000000"),
            Map.entry("group-id", "g"), Map.entry("kafka-properties", "/etc/densenet/kafka.properties"), Map.entry("starting-offsets", "latest"), Map.entry("model", "/models/m"),
            Map.entry("engine-mode", "eager"), Map.entry("batch-size", "16"), Map.entry("max-delay", "75ms"),
            Map.entry("latency-budget", "2s"), Map.entry("device", "gpu:1"), Map.entry("decode-threads", "3"),
            Map.entry("inference-threads", "4"), Map.entry("slots-per-task-manager", "2"),
            Map.entry("max-in-flight", "40"), Map.entry("top-k", "3"), Map.entry("inference-timeout", "2min"),
            Map.entry("max-in-flight-bytes", "64mb"), Map.entry("max-decode-bytes", "96mb"), Map.entry("forward-timeout", "30s"),
            Map.entry("systemic-failure-threshold", "3"), Map.entry("bisection-budget", "12"),
            Map.entry("batch-size-recovery-batches", "50"), Map.entry("model-poll-interval", "5s"),
            Map.entry("max-swap-bytes", "512mb"),
            Map.entry("job-name", "cams"), Map.entry("deployment-id", "prod-eu"), Map.entry("parallelism", "4"),
            Map.entry("delivery", "at-least-once"), Map.entry("checkpoint-interval", "5s"),
            Map.entry("checkpoint-timeout", "1min"),
            Map.entry("transaction-timeout", "30min"),
            Map.entry("state-dir", "/var/lib/densenet")));

    @TempDir
    Path tmp;

    @Test
    void everySettingHasASample() {
        List<String> keys = JobOptions.all().stream().map(JobSetting::key).toList();
        assertEquals(new TreeSet<>(keys), SAMPLES.keySet());
    }

    @Test
    void commandLineAndPropertiesFileReadEverySettingAlike() throws IOException {
        List<String> separate = new ArrayList<>();
        List<String> joined = new ArrayList<>();
        Properties file = new Properties();
        SAMPLES.forEach((key, value) -> {
            separate.add("--" + key);
            separate.add(value);
            joined.add("--" + key + "=" + value);
            file.setProperty(key, value);
        });
        Path config = tmp.resolve("job.properties");
        try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            file.store(out, null);
        }
        JobSettings fromArgs = JobArguments.parse(separate);
        JobSettings fromJoined = JobArguments.parse(joined);
        JobSettings fromFile = JobArguments.parse(List.of("--config", config.toString()));
        for (JobSetting<?> s : JobOptions.all()) {
            Object value = fromArgs.get(s);
            assertTrue(fromArgs.isSet(s), s.key());
            assertEquals(value, fromJoined.get(s), s.key());
            assertEquals(value, fromFile.get(s), s.key());
            assertEquals(SAMPLES.get(s.key()), format(s, value), s.key() + " reads back as written");
        }
        assertEquals(DeliveryGuaranteeOption.AT_LEAST_ONCE, fromArgs.get(JobOptions.DELIVERY));
        assertEquals(EngineMode.EAGER, fromArgs.get(JobOptions.ENGINE_MODE));
        assertEquals(Duration.ofMillis(75), fromArgs.get(JobOptions.MAX_DELAY));
        assertEquals(2L << 20, fromArgs.get(JobOptions.DLQ_MAX_RECORD_BYTES).getBytes());
    }

    @SuppressWarnings("unchecked")
    private static <T> String format(JobSetting<T> setting, Object value) {
        return setting.format((T) value);
    }

    @Test
    void operatorSettingsReachTheOperator() throws IOException {
        List<String> args = new ArrayList<>();
        SAMPLES.forEach((key, value) -> {
            args.add("--" + key);
            args.add(value);
        });
        InferenceOptions o = JobArguments.parse(args).validate().inferenceOptions();
        assertEquals(16, o.maxBatchSize());
        assertEquals(Duration.ofMillis(75), o.maxDelay());
        assertEquals(Duration.ofSeconds(2), o.latencyBudget());
        assertEquals("gpu:1", o.device());
        assertEquals(3, o.decodeThreads());
        assertEquals(4, o.inferenceThreads());
        assertEquals(2, o.slotsPerTaskManager());
        assertEquals(40, o.maxInFlight());
        assertEquals(3, o.topK());
        assertEquals(Duration.ofMinutes(2), o.timeout());
        assertEquals(64L << 20, o.maxInFlightBytes());
        assertEquals(Duration.ofSeconds(30), o.forwardTimeout());
        assertEquals(3, o.systemicFailureThreshold());
        assertEquals(12, o.bisectionBudget());
        assertEquals(50, o.batchSizeRecoveryBatches());
        assertEquals(Duration.ofSeconds(5), o.modelPollInterval());
        assertEquals(512L << 20, o.maxSwapBytes());
        assertTrue(o.classifier().describe().contains("eager"), o.classifier().describe());
    }

    @Test
    void operatorDefaultsAreTheOperatorsOwn() {
        InferenceOptions defaults = InferenceOptions.builder("m").build();
        JobSettings s = new JobSettings().set(JobOptions.MODEL, "m");
        InferenceOptions o = s.inferenceOptions();
        assertEquals(defaults.maxBatchSize(), o.maxBatchSize());
        assertEquals(defaults.maxDelay(), o.maxDelay());
        assertEquals(defaults.maxInFlight(), o.maxInFlight());
        assertEquals(defaults.topK(), o.topK());
        assertEquals(defaults.timeout(), o.timeout());
        assertEquals(defaults.inferenceThreads(), o.inferenceThreads());
    }

    @Test
    void formerKeysUnitsAndKafkaScopes() throws IOException {
        JobSettings s = JobArguments.parse(List.of("--max-delay-ms", "70", "--kafka-property", "security.protocol=SSL",
                "--kafka-consumer-property", "max.poll.records=50", "--kafka-producer-property", "linger.ms=5",
                "--kafka-producer-property", "results.linger.ms=20", "--kafka.producer.dead-letters.acks=all",
                "--kafka-results-producer-property", "compression.type=lz4"));
        assertEquals(Duration.ofMillis(70), s.get(JobOptions.MAX_DELAY), "max-delay-ms: a number of milliseconds");
        assertEquals(Map.of("security.protocol", "SSL"), s.kafkaProperties(KafkaClient.ADMIN));
        assertEquals(Map.of("security.protocol", "SSL", "max.poll.records", "50"),
                s.kafkaProperties(KafkaClient.CONSUMER));
        assertEquals(Map.of("security.protocol", "SSL", "linger.ms", "20", "compression.type", "lz4"),
                s.kafkaProperties(KafkaClient.RESULTS_PRODUCER));
        assertEquals(Map.of("security.protocol", "SSL", "linger.ms", "5", "acks", "all"),
                s.kafkaProperties(KafkaClient.DEAD_LETTER_PRODUCER));
    }

    @Test
    void mistakesAreRefusedNamingTheSetting() {
        assertMessage("unknown option --batchsize", "--batchsize", "8");
        assertMessage("batch-size: cannot read 'eight' (expected N)", "--batch-size", "eight");
        assertMessage("batch-size: must be > 0, got 0", "--batch-size", "0");
        assertMessage("checkpoint-interval: must be at least 100ms, got 10ms", "--checkpoint-interval", "10ms");
        assertMessage("delivery: cannot read 'twice'", "--delivery", "twice");
        assertMessage("job-name: only letters, digits, '-' and '_'", "--job-name", "team.cams");
        assertMessage("--input-topic: a value is missing", "--input-topic");
        assertMessage("kafka.producer.transaction.timeout.ms: the job sets transaction.timeout.ms itself; use"
                + " transaction-timeout", "--kafka-producer-property", "transaction.timeout.ms=1000");
        assertMessage("kafka.bootstrap.servers: the job sets bootstrap.servers itself; use bootstrap-servers",
                "--kafka-property", "bootstrap.servers=x:1");
        assertMessage("unexpected argument 'frames'", "frames");
    }

    @Test
    void validationNamesWhatIsMissingOrInconsistent() throws IOException {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> JobArguments.parse(List.of("--bootstrap-servers", "k:9092")).validate());
        assertEquals("missing setting: --input-topic", missing.getMessage());
        List<String> sameTopics = List.of("--bootstrap-servers", "k:9092", "--input-topic", "t", "--output-topic", "t",
                "--dlq-topic", "d", "--model", "m");
        assertEquals("input, output and dead-letter topics must differ", assertThrows(IllegalArgumentException.class,
                () -> JobArguments.parse(sameTopics).validate()).getMessage());
        JobSettings unset = JobArguments.parse(List.of());
        assertNull(unset.get(JobOptions.PARALLELISM), "parallelism comes from the cluster unless set");
        assertTrue(JobArguments.usage().contains("--parallelism N"), JobArguments.usage());
    }

    private static void assertMessage(String expectedStart, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobArguments.parse(List.of(args)));
        assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
    }
}
