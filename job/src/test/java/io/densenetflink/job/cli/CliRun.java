package io.densenetflink.job.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** One {@code bin/densenet} invocation in-process: its exit code and what it printed. */
record CliRun(int code, String out, String err) {

    /** Runs {@link DenseNetCli#run} with stdout and stderr captured. */
    static CliRun of(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = DenseNetCli.run(args);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Stdout's lines. */
    List<String> lines() {
        return out.isBlank() ? List.of() : Arrays.asList(out.strip().split("\\R"));
    }
}
