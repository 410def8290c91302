package io.densenetflink.job.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/densenet}: the one command-line entry of the project. */
@Command(name = "densenet", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "DenseNet image classification: models, inference and the Flink streaming job.",
        subcommands = {InfoCommand.class, ImportCommand.class, PredictCommand.class, BenchCommand.class,
                TrainCommand.class, EvalCommand.class, SampleCommand.class,
                BrokerCommand.class, AclsCommand.class, ProduceCommand.class, ConsumeCommand.class, RunCommand.class, DemoCommand.class,
                ExportCommand.class, QuantizeCommand.class, PublishCommand.class,
                CommandLine.HelpCommand.class})
public final class DenseNetCli {

    private DenseNetCli() {}

    public static void main(String[] args) {
        // A Kafka test-kit jar on the class path ships its own log4j2.yaml, which Log4j would prefer to ours
        // (INFO lines on stdout would break the commands' machine-readable output).
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "log4j2.xml");
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (0 ok, 2 bad arguments, files or input). */
    public static int run(String... args) {
        return new CommandLine(new DenseNetCli())
                .setExecutionExceptionHandler(new CliErrors())
                .setParameterExceptionHandler(CliErrors::onBadArguments)
                .execute(args);
    }
}
