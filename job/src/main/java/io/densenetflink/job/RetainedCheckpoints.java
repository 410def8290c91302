package io.densenetflink.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the latest completed checkpoint under a checkpoint directory: {@code ROOT/<job-id>/chk-N} with its
 * {@code _metadata} written (a checkpoint interrupted by a kill has no metadata and is skipped). {@code run
 * --state-dir} resumes from it on one machine; the docker images' entry point calls {@link #main} for the same
 * decision when a job manager in application mode restarts (it keeps no memory of its job without HA).
 */
public final class RetainedCheckpoints {

    private RetainedCheckpoints() {}

    /** Where checkpoints of runs with this state dir go. */
    public static Path checkpointRoot(Path stateDir) {
        return stateDir.resolve("checkpoints");
    }

    /** The newest completed checkpoint of runs with this state dir, by modification time of its metadata. */
    public static Optional<Path> latest(Path stateDir) throws IOException {
        return latestUnder(checkpointRoot(stateDir));
    }

    /** The newest completed checkpoint directory under {@code root} (Flink's checkpoint directory). */
    public static Optional<Path> latestUnder(Path root) throws IOException {
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

    /**
     * Prints the newest completed checkpoint under the checkpoint directory given as the one argument, or nothing
     * where there is none; exit status 2 on a usage error. Used by {@code docker/densenet-entrypoint.sh}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: RetainedCheckpoints CHECKPOINT_DIR");
            System.exit(2);
        }
        latestUnder(Path.of(args[0])).ifPresent(System.out::println);
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
