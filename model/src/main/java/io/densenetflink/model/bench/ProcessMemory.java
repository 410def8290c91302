package io.densenetflink.model.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process from /proc (Linux): current and peak, with the peak resettable so each
 * benchmark step reports its own high-water mark (native memory included, which the JVM cannot see).
 */
public final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcessMemory() {}

    /** Current resident set in MiB, or -1 where /proc is not available. */
    public static long residentMb() {
        return readMb("VmRSS:");
    }

    /** Peak resident set in MiB since start or the last {@link #resetPeak()}, or -1 where unknown. */
    public static long peakResidentMb() {
        return readMb("VmHWM:");
    }

    /** Resets the peak to the current resident set; returns false where the kernel does not allow it. */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** The /proc/self/status entry {@code key} (given in kB) in MiB, or -1 where it cannot be read. */
    private static long readMb(String key) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).replace("kB", "").trim()) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
