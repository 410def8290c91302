package io.densenetflink.it.docker;

import io.densenetflink.job.settings.JobArguments;
import io.densenetflink.job.settings.JobSettings;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;

/**
 * Checks argument lists written in the compose files and the Kubernetes example against the real command line
 * (the job's own argument parser, and DenseNetCli's subcommands).
 */
final class CliArguments {

    /** The options issue 4 documents, for a subcommand the CLI does not have yet. */
    private static final Map<String, Set<String>> DOCUMENTED = Map.of(
            "produce", Set.of("--bootstrap-servers", "--topic", "--fashion-mnist", "--limit", "--source", "--rate"),
            "consume", Set.of("--bootstrap-servers", "--topic", "--limit", "--idle-timeout", "--evaluate", "--json"));

    private CliArguments() {}

    /**
     * Parses and validates the job's arguments as DenseNetJob.main and {@code bin/densenet run} do ({@link
     * JobArguments}): unknown options and invalid values fail with the parser's message.
     */
    static JobSettings parseJobArguments(List<String> args) {
        try {
            return JobArguments.parse(args).validate();
        } catch (IllegalArgumentException | IOException e) {
            throw new AssertionError("the job refuses these arguments: " + e + "\n  " + args, e);
        }
    }

    /** Parses {@code args} with DenseNetCli's subcommand {@code name} (nothing runs). */
    static void parseSubcommand(String name, List<String> args) {
        CommandLine cli;
        try {
            cli = new CommandLine(Class.forName(DockerProject.CLI_MAIN_CLASS));
        } catch (ClassNotFoundException e) {
            throw new AssertionError(DockerProject.CLI_MAIN_CLASS + " is not on the class path", e);
        }
        CommandLine sub = cli.getSubcommands().get(name);
        if (sub == null) {
            Set<String> documented = DOCUMENTED.get(name);
            if (documented == null) {
                throw new AssertionError("densenet has no subcommand '" + name + "' (has " + cli.getSubcommands().keySet() + ")");
            }
            System.out.println("[docker] densenet " + name + " is not in the CLI yet: checking its options against"
                    + " the documented ones " + documented);
            for (String a : args) {
                if (a.startsWith("--") && !documented.contains(a)) {
                    throw new AssertionError("densenet " + name + ": undocumented option " + a);
                }
            }
            return;
        }
        List<String> full = new java.util.ArrayList<>(List.of(name));
        full.addAll(args);
        try {
            cli.parseArgs(full.toArray(String[]::new)); // from the top: picocli's subcommands parse within their parent
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError("densenet " + name + " refuses these arguments: " + e.getMessage() + "\n  " + args, e);
        }
    }
}
