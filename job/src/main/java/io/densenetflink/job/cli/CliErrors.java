package io.densenetflink.job.cli;

import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.image.ImageDecodeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into one clear line on stderr and an exit code: 2 for anything the user can fix (bad
 * arguments, missing or malformed files, undecodable images), 1 for the unexpected. Stack traces only with
 * {@code DENSENET_DEBUG=1}.
 */
final class CliErrors implements IExecutionExceptionHandler {

    static final int USAGE = 2;
    static final int INTERNAL = 1;

    static int onBadArguments(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("densenet: " + e.getMessage());
        cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        return USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        boolean userError = e instanceof IllegalArgumentException || e instanceof ModelLoadException
                || e instanceof ImageDecodeException || e instanceof IOException
                || e instanceof UncheckedIOException;
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        cmd.getErr().println("densenet " + cmd.getCommandName() + ": " + (userError ? "" : "internal error: ")
                + message);
        if ("1".equals(System.getenv("DENSENET_DEBUG"))) {
            e.printStackTrace(cmd.getErr());
        } else if (!userError) {
            cmd.getErr().println("(set DENSENET_DEBUG=1 for the stack trace)");
        }
        return userError ? USAGE : INTERNAL;
    }
}
