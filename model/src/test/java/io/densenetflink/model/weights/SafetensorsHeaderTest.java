package io.densenetflink.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.model.ModelLoadException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: a safetensors header was trusted before allocation (DJL allocates {@code new byte[headerLength]}, then
 * each tensor's shape). Each lie is refused with one line.
 */
class SafetensorsHeaderTest {

    @TempDir
    Path tmp;

    /** A file with the given header text, its length as given (or the real one), and {@code data} bytes after it. */
    static byte[] safetensors(String header, Long claimedLength, int data) {
        byte[] text = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(claimedLength == null ? text.length : claimedLength).array());
        out.writeBytes(text);
        out.writeBytes(new byte[data]);
        return out.toByteArray();
    }

    private Path write(byte[] bytes) throws Exception {
        return Files.write(tmp.resolve("w.safetensors"), bytes);
    }

    private static final String TWO_TENSORS = "{\"a\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 24]},"
            + " \"b\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [24, 40]}, \"__metadata__\": {\"x\": \"y\"}}";

    @Test
    void aConsistentFileIsAccepted() throws Exception {
        assertEquals(10, SafetensorsHeader.check(write(safetensors(TWO_TENSORS, null, 40)), 10));
    }

    @Test
    void liesAreRefusedWithOneLine() throws Exception {
        assertRefused(safetensors(TWO_TENSORS, 1L << 40, 40), "header claims 1099511627776 bytes");
        assertRefused(safetensors(TWO_TENSORS, -1L, 40), "header claims 18446744073709551615 bytes");
        assertRefused(new byte[] {1, 2, 3}, "shorter than its 8-byte header length");
        assertRefused(safetensors(TWO_TENSORS, null, 20), "outside the 20 data bytes");
        assertRefused(safetensors(TWO_TENSORS, null, 60), "end at byte 40 of 60");
        assertRefused(safetensors(TWO_TENSORS.replace("[2, 3]", "[100000, 100000]"), null, 40),
                "has shape [100000,100000] of F32 (10000000000 values) in 24 bytes");
        assertRefused(safetensors(TWO_TENSORS.replace("[2, 3]", "[4611686018427387904, 4]"), null, 40),
                "too large to count");
        assertRefused(safetensors(TWO_TENSORS.replace("[2, 3]", "[-2, -3]"), null, 40), "negative dimension");
        assertRefused(safetensors(TWO_TENSORS.replace("F32\", \"shape\": [4]", "Q7\", \"shape\": [4]"), null, 40),
                "unknown dtype Q7");
        assertRefused(safetensors("{not json", null, 0), "not JSON");
        assertRefused(safetensors("[1, 2]", null, 0), "not a JSON object");
        assertRefused(safetensors("{\"a\": {\"dtype\": \"F32\"}}", null, 0), "not described as");
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> SafetensorsHeader.check(write(safetensors(TWO_TENSORS, null, 40)), 9));
        assertTrue(e.getMessage().contains("more than 9 values"), e.getMessage());
    }

    private void assertRefused(byte[] file, String fragment) throws Exception {
        Path path = write(file);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafetensorsHeader.check(path, 1_000));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
    }
}
