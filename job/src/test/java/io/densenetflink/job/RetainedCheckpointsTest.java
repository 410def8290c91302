package io.densenetflink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint a restarted job resumes from: the newest with metadata, across the runs' job directories. */
class RetainedCheckpointsTest {

    @TempDir
    Path root;

    @Test
    void theNewestCompletedCheckpointOfAnyRunIsChosen() throws Exception {
        completed(root.resolve("run-a/chk-7"), 1_000);
        completed(root.resolve("run-b/chk-2"), 3_000);
        completed(root.resolve("run-b/chk-1"), 2_000);
        // Interrupted by a kill: no metadata yet, although newest.
        Files.createDirectories(root.resolve("run-b/chk-3"));
        Files.createDirectories(root.resolve("run-b/shared"));

        assertEquals(Optional.of(root.resolve("run-b/chk-2")), RetainedCheckpoints.latestUnder(root));
        assertEquals(root.resolve("run-b/chk-2").toString(), printedBy(root.toString()));
    }

    @Test
    void nothingIsPrintedWhereNoCheckpointCompleted() throws Exception {
        Files.createDirectories(root.resolve("run-a/chk-1"));
        assertEquals(Optional.empty(), RetainedCheckpoints.latestUnder(root));
        assertEquals("", printedBy(root.toString()));
        assertEquals("", printedBy(root.resolve("absent").toString()));
    }

    private static void completed(Path chk, long mtimeMillis) throws Exception {
        Files.createDirectories(chk);
        Path metadata = Files.write(chk.resolve("_metadata"), new byte[] {1});
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(mtimeMillis));
    }

    private static String printedBy(String arg) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            RetainedCheckpoints.main(new String[] {arg});
        } finally {
            System.setOut(out);
        }
        return buffer.toString(StandardCharsets.UTF_8).trim();
    }
}
