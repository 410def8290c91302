package io.densenetflink.job.cli;

import io.densenetflink.job.DenseNetJob;
import io.densenetflink.job.Preflight;
import io.densenetflink.job.RetainedCheckpoints;
import io.densenetflink.job.settings.JobArguments;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.artifact.ModelRepository;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code densenet run}: the Kafka job on a local Flink MiniCluster (the same pipeline a cluster runs). Its options
 * are the job's settings ({@link JobOptions}), read by {@link JobArguments} exactly as the cluster entry point reads
 * them; picocli only provides {@code --help}.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        header = "Run the Kafka classification job on a local Flink MiniCluster.",
        description = "Run the Kafka classification job on a local Flink MiniCluster. Frames from --input-topic, "
                + "results to --output-topic, failed frames to --dlq-topic; exactly-once by default. With "
                + "--state-dir, checkpoints are kept there and a restart resumes from the latest completed one. "
                + "Settings:")
public final class RunCommand implements Callable<Integer> {

    private CommandSpec spec;

    @Unmatched
    List<String> arguments = new ArrayList<>();

    /** picocli hands the command its model here, before any parsing or help: the settings become the footer. */
    @Spec
    void spec(CommandSpec commandSpec) {
        this.spec = commandSpec;
        commandSpec.usageMessage().footer(JobArguments.usage());
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

    @Override
    public Integer call() throws Exception {
        JobSettings settings = JobArguments.parse(arguments).validate();
        // Fail fast, with the reason; a repository's newest version is what the job starts with.
        ModelArtifact artifact = ModelRepository.readServed(Path.of(settings.get(JobOptions.MODEL)));
        Preflight preflight = Preflight.check(settings);
        StreamExecutionEnvironment env = DenseNetJob.localEnvironment(settings);
        DenseNetJob.build(env, settings, preflight);
        var err = spec.commandLine().getErr();
        err.printf("densenet run: %s %s, %s -> %s (dead letters: %s), %s, checkpoints every %s%s%n", artifact.name(),
                artifact.version(), settings.get(JobOptions.INPUT_TOPIC), settings.get(JobOptions.OUTPUT_TOPIC),
                settings.get(JobOptions.DLQ_TOPIC), settings.get(JobOptions.DELIVERY),
                JobOptions.CHECKPOINT_INTERVAL.format(settings.get(JobOptions.CHECKPOINT_INTERVAL)),
                stateDescription(DenseNetJob.stateDir(settings)));
        err.flush();
        env.execute(settings.get(JobOptions.JOB_NAME));
        return 0;
    }
}
