package io.densenetflink.job.cli;

import io.densenetflink.job.DenseNetJob;
import io.densenetflink.job.JobSettings;
import io.densenetflink.job.RetainedCheckpoints;
import io.densenetflink.job.kafka.client.KafkaClients;
import io.densenetflink.model.artifact.ModelArtifact;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code densenet run}: the Kafka job on a local Flink MiniCluster (the same pipeline a cluster runs). */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the Kafka classification job on a local Flink MiniCluster.",
            "Frames from --input-topic, results to --output-topic, failed frames to --dlq-topic;",
            "exactly-once by default. With --state-dir, checkpoints are kept there and a restart resumes",
            "from the latest completed one."})
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with any of these settings (options win).")
    Path config;

    @Option(names = "--bootstrap-servers", paramLabel = "H:P") String bootstrapServers;
    @Option(names = "--input-topic", paramLabel = "T") String inputTopic;
    @Option(names = "--output-topic", paramLabel = "T") String outputTopic;
    @Option(names = "--dlq-topic", paramLabel = "T") String dlqTopic;
    @Option(names = "--model", paramLabel = "DIR") String model;
    @Option(names = "--batch-size", paramLabel = "N", description = "Default 32.") Integer batchSize;
    @Option(names = "--max-delay-ms", paramLabel = "MS", description = "Default 50.") Long maxDelayMs;
    @Option(names = "--parallelism", paramLabel = "N", description = "Default 1.") Integer parallelism;
    @Option(names = "--device", paramLabel = "auto|cpu|gpu:N", description = "Default auto.") String device;
    @Option(names = "--checkpoint-interval", paramLabel = "D", description = "Default 10s.") String checkpointInterval;
    @Option(names = "--delivery", paramLabel = "exactly-once|at-least-once", description = "Default exactly-once.") String delivery;
    @Option(names = "--group-id", paramLabel = "G", description = "Default: the job name.") String groupId;
    @Option(names = "--starting-offsets", paramLabel = "earliest|latest|committed",
            description = "Where to start without a checkpoint (default committed, else earliest).") String startingOffsets;
    @Option(names = "--state-dir", paramLabel = "DIR", description = "Retain checkpoints here and resume from them.") String stateDir;
    @Option(names = "--engine-mode", paramLabel = "eager|compiled", description = "Default compiled.") String engineMode;
    @Option(names = "--decode-threads", paramLabel = "N", description = "Decode threads per slot (default 1).") Integer decodeThreads;
    @Option(names = "--job-name", paramLabel = "NAME", description = "Default densenet-flink; also the transactional id prefix.") String jobName;
    @Option(names = "--transaction-timeout", paramLabel = "D", description = "Default min(1h, the broker's transaction.max.timeout.ms).") String transactionTimeout;
    @Option(names = "--kafka-property", paramLabel = "k=v", description = "Kafka client property for source and sinks (repeatable).")
    List<String> kafkaProperties = new ArrayList<>();

    /** Options and config file combined, validated. */
    JobSettings settings() throws java.io.IOException {
        JobSettings s = config != null ? JobSettings.fromFile(config) : new JobSettings();
        setIf(s, "bootstrap-servers", bootstrapServers);
        setIf(s, "input-topic", inputTopic);
        setIf(s, "output-topic", outputTopic);
        setIf(s, "dlq-topic", dlqTopic);
        setIf(s, "model", model);
        setIf(s, "batch-size", batchSize);
        setIf(s, "max-delay-ms", maxDelayMs);
        setIf(s, "parallelism", parallelism);
        setIf(s, "device", device);
        setIf(s, "checkpoint-interval", checkpointInterval);
        setIf(s, "delivery", delivery);
        setIf(s, "group-id", groupId);
        setIf(s, "starting-offsets", startingOffsets);
        setIf(s, "state-dir", stateDir);
        setIf(s, "engine-mode", engineMode);
        setIf(s, "decode-threads", decodeThreads);
        setIf(s, "job-name", jobName);
        setIf(s, "transaction-timeout", transactionTimeout);
        for (String kv : kafkaProperties) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--kafka-property: expected key=value, got '" + kv + "'");
            }
            s.kafkaProperties.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return s.validate();
    }

    /** Where checkpoints go and whether this run resumes one (what {@link DenseNetJob#localEnvironment} decides). */
    private static String stateDescription(Path stateDir) throws java.io.IOException {
        if (stateDir == null) {
            return "";
        }
        return ", state in " + stateDir + RetainedCheckpoints.latest(stateDir)
                .map(checkpoint -> " (resuming from retained checkpoint " + checkpoint + ")")
                .orElse(" (no retained checkpoint: starting fresh)");
    }

    private static void setIf(JobSettings s, String key, Object value) {
        if (value != null) {
            s.set(key, value.toString());
        }
    }

    /** Parses {@code run}'s options into settings without running anything (the cluster entry point). */
    public static JobSettings parseSettings(String... args) throws java.io.IOException {
        RunCommand command = new RunCommand();
        new CommandLine(command).parseArgs(args);
        return command.settings();
    }

    @Override
    public Integer call() throws Exception {
        JobSettings settings = settings();
        ModelArtifact artifact = ModelArtifact.read(Path.of(settings.modelDir)); // fail fast, with the reason
        KafkaClients.requireReachable(settings.bootstrapServers);
        Duration transactionTimeout = DenseNetJob.resolveTransactionTimeout(settings);
        StreamExecutionEnvironment env = DenseNetJob.localEnvironment(settings);
        DenseNetJob.build(env, settings, transactionTimeout);
        var err = spec.commandLine().getErr();
        err.printf("densenet run: %s %s, %s -> %s (dead letters: %s), %s, checkpoints every %s%s%n", artifact.name(),
                artifact.version(), settings.inputTopic, settings.outputTopic, settings.dlqTopic,
                settings.delivery.id(), settings.checkpointInterval, stateDescription(settings.stateDir));
        err.flush();
        env.execute(settings.jobName);
        return 0;
    }
}
