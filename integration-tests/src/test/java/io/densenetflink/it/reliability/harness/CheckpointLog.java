package io.densenetflink.it.reliability.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkpoints of a job as its JobManager logged them at INFO: each completed one with its duration and size
 * (Flink's CheckpointCoordinator: "Completed checkpoint N for job J (B bytes, checkpointDuration=D ms, ...)"), how
 * many were triggered, and those that failed after the first completed (before it, a trigger while the tasks are
 * still starting fails by design and is retried at the next interval).
 */
public record CheckpointLog(int triggered, List<Completed> completed, List<String> failures) {

    /** One completed checkpoint. */
    public record Completed(long id, long bytes, long durationMs) {}

    private static final Pattern COMPLETED = Pattern.compile(
            "Completed checkpoint (\\d+) for job \\w+ \\((\\d+) bytes, checkpointDuration=(\\d+) ms");
    private static final Pattern FAILED = Pattern.compile(
            "(expired before completing|Decline checkpoint|Failed to trigger checkpoint|checkpoint .* failed)",
            Pattern.CASE_INSENSITIVE);

    public static CheckpointLog read(Path log) throws IOException {
        int triggered = 0;
        List<Completed> completed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String line : Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            if (line.contains("Triggering checkpoint ")) {
                triggered++;
            }
            Matcher m = COMPLETED.matcher(line);
            if (m.find()) {
                completed.add(new Completed(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                        Long.parseLong(m.group(3))));
            } else if (!completed.isEmpty() && FAILED.matcher(line).find()) {
                failures.add(line.length() > 300 ? line.substring(0, 300) : line);
            }
        }
        return new CheckpointLog(triggered, completed, failures);
    }

    /** The {@code q} quantile (0..1) of the completed checkpoints' durations, in ms; -1 when none completed. */
    public long durationQuantile(double q) {
        if (completed.isEmpty()) {
            return -1;
        }
        long[] d = completed.stream().mapToLong(Completed::durationMs).sorted().toArray();
        int index = Math.max(0, (int) Math.ceil(q * d.length) - 1);
        return d[Math.min(d.length - 1, index)];
    }
}
