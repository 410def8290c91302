package io.densenetflink.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the latest completed checkpoint under a state directory: {@code DIR/checkpoints/<job-id>/chk-N}
 * with its {@code _metadata} written (a checkpoint interrupted by a kill has no metadata and is skipped).
 */
public final class RetainedCheckpoints {

    private RetainedCheckpoints() {}

    /** Where checkpoints of runs with this state dir go. */
    public static Path checkpointRoot(Path stateDir) {
        return stateDir.resolve("checkpoints");
    }

    /** The newest completed checkpoint directory, by modification time of its metadata. */
    public static Optional<Path> latest(Path stateDir) throws IOException {
        Path root = checkpointRoot(stateDir);
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(root)) {
            return jobs.filter(Files::isDirectory)
                    .flatMap(RetainedCheckpoints::checkpointsOf)
                    .filter(chk -> Files.isRegularFile(chk.resolve("_metadata")))
                    .max(Comparator.comparingLong(RetainedCheckpoints::metadataTime));
        }
    }

    private static Stream<Path> checkpointsOf(Path jobDir) {
        try (Stream<Path> children = Files.list(jobDir)) {
            return children.filter(p -> p.getFileName().toString().startsWith("chk-")).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static long metadataTime(Path chk) {
        try {
            return Files.getLastModifiedTime(chk.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return Long.MIN_VALUE;
        }
    }
}
