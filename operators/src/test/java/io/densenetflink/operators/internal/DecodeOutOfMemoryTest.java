package io.densenetflink.operators.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.operators.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: an OutOfMemoryError while decoding was written as the frame's dead letter (TOO_LARGE, or CORRUPT
 * "decoder failure"), whichever frame happened to allocate when the heap ran short. Injected for real: a slot in
 * a JVM of 64 MB heap, its decode budget set far above it, gets a 16-bit RGBA PNG of 4000 x 4000 (128 MB
 * decoded). The slot must fail (the task fails and replays the frame), the frame never be a dead letter.
 */
class DecodeOutOfMemoryTest {

    @TempDir
    Path tmp;

    @Test
    void anOutOfMemoryErrorWhileDecodingFailsTheSlotAndIsNoDeadLetter() throws Exception {
        Path frame = Files.write(tmp.resolve("huge.png"), TestModels.sixteenBitRgbaPng(4000));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log"), "-Dai.djl.offline=true", "-cp",
                System.getProperty("java.class.path"), DecodeOutOfMemoryProbe.class.getName(), frame.toString())
                .redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process probe = pb.start();
        String output = new String(probe.getInputStream().readAllBytes());
        assertTrue(probe.waitFor(3, TimeUnit.MINUTES), output);
        List<String> outcomes = output.lines().filter(l -> l.startsWith("classified") || l.startsWith("dead-letter")
                || l.startsWith("aborted") || l.startsWith("no outcome")).toList();
        assertEquals(1, outcomes.size(), output);
        assertTrue(outcomes.get(0).startsWith("aborted") && outcomes.get(0).contains("OutOfMemoryError"), output);
        assertFalse(output.contains("dead-letter"), output);
    }
}
