package io.densenetflink.job.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's table of the job's settings is the one {@link JobArguments#markdownTable()} renders. */
class SettingsDocumentationTest {

    private static final String BEGIN = "<!-- job-settings:begin (generated from JobOptions; see SettingsDocumentationTest) -->\n";
    private static final String END = "<!-- job-settings:end -->";

    @Test
    void readmeListsEverySettingAsDeclared() throws IOException {
        Path readme = Path.of("..", "README.md"); // Maven runs the tests in job/
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "README.md has no settings table between " + BEGIN.strip() + " and "
                + END);
        String expected = JobArguments.markdownTable();
        String documented = text.substring(begin + BEGIN.length(), end);
        if (!documented.equals(expected)) {
            Path generated = Path.of("target", "job-settings.md");
            Files.createDirectories(generated.getParent());
            Files.writeString(generated, expected, StandardCharsets.UTF_8);
            assertEquals(expected, documented, "README.md's settings table is out of date: replace it with "
                    + generated.toAbsolutePath());
        }
    }
}
