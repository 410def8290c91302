package io.densenetflink.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Issue 21: {@code --help} texts broke mid-sentence ({@code broker --help}: "for local work / without Docker";
 * {@code densenet --help} listed each command by its first description string only, "Classify image files (prints
 * the top classes per image), or"). Picocli prints each string of a description on a line of its own and wraps
 * long ones itself: so every string must be whole prose (ending as a sentence ends), and every command has a
 * one-line summary for the command list.
 */
class HelpTextTest {

    /** How prose ends: a sentence's full stop, a colon before what follows, or a question or exclamation mark. */
    private static final Pattern WHOLE = Pattern.compile("(?s).*[.:!?][)\"'`]?");

    @Test
    void everyDescriptionAndSummaryIsWholeProse() {
        List<String> fragments = new ArrayList<>();
        walk(new CommandLine(DenseNetCli.class).getCommandSpec(), fragments);
        assertEquals(List.of(), fragments, "descriptions that stop mid-sentence");
    }

    @Test
    void everyCommandHasAOneLineSummaryForTheCommandList() {
        for (CommandLine sub : new CommandLine(DenseNetCli.class).getSubcommands().values()) {
            CommandSpec spec = sub.getCommandSpec();
            if (spec.userObject() instanceof CommandLine.HelpCommand) {
                continue;
            }
            String[] header = spec.usageMessage().header();
            assertEquals(1, header.length, spec.qualifiedName() + " has no one-line header");
            assertTrue(header[0].length() <= 80, spec.qualifiedName() + "'s summary is longer than a line: " + header[0]);
        }
        String help = new CommandLine(DenseNetCli.class).getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertTrue(help.contains("Classify image files, or run a preprocessed tensor."), help);
    }

    /** The library names a bad training setting as the setting; the command names it by its flag. */
    @Test
    void trainNamesABadSettingByItsFlag() {
        CliRun run = CliRun.of("train", "--preset", "densenet-bc-28-16", "--epochs", "1", "--out",
                System.getProperty("java.io.tmpdir") + "/never-written", "--batch-size", "0");
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("densenet train: --batch-size must be > 0, got 0"), run.err());
    }

    private static void walk(CommandSpec spec, List<String> fragments) {
        if (spec.userObject() instanceof CommandLine.HelpCommand) {
            return;
        }
        check(spec.qualifiedName(), spec.usageMessage().description(), fragments);
        check(spec.qualifiedName() + " (header)", spec.usageMessage().header(), fragments);
        for (OptionSpec option : spec.options()) {
            if (!option.usageHelp() && !option.versionHelp()) {
                check(spec.qualifiedName() + " " + option.longestName(), option.description(), fragments);
            }
        }
        spec.subcommands().values().forEach(sub -> walk(sub.getCommandSpec(), fragments));
    }

    private static void check(String where, String[] strings, List<String> fragments) {
        for (String s : strings) {
            if (!WHOLE.matcher(s.strip()).matches()) {
                fragments.add(where + ": \"" + s + "\"");
            }
        }
    }
}
