package io.densenetflink.model.artifact;

import io.densenetflink.model.ModelLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of numbered model versions, the layout of TF Serving and Triton: {@code DIR/1/model.json},
 * {@code DIR/2/model.json}, ... Each version is an ordinary model directory. A version becomes visible in one
 * step: {@link #publish} writes it under a hidden name inside the repository and renames it to its number
 * (a rename within one file system is atomic), so a reader sees either no version {@code n} or all of it.
 * Directories whose name is not a number (the hidden ones among them) are not versions.
 */
public final class ModelRepository {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRepository.class);
    /** A version's directory name: its number as Long.toString writes it (no sign, no leading zero, > 0). */
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");
    /** Names that look like a number but are not a version's (007, 0, 19 digits or more): ignored, with a warning. */
    private static final Pattern NUMERIC = Pattern.compile("[0-9]+");
    private static final String STAGING_PREFIX = ".publishing-";
    /**
     * Every version number {@link #publish} has used or seen in the repository, one per line: a number is never
     * published twice, even after its directory was deleted, because checkpoints name versions by number.
     */
    static final String SEEN_VERSIONS = ".versions-seen";

    private final Path directory;
    private final ModelLimits limits;
    /** Odd names warned about once per repository, not at every poll. */
    private final java.util.Set<String> warnedNames = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ModelRepository(Path directory, ModelLimits limits) {
        this.directory = directory;
        this.limits = limits;
    }

    /** The repository in {@code dir} (which must exist), its versions read within the default limits. */
    public static ModelRepository at(Path dir) throws ModelLoadException {
        return at(dir, ModelLimits.DEFAULT);
    }

    /** The repository in {@code dir} (which must exist); a version over {@code limits} is not complete. */
    public static ModelRepository at(Path dir, ModelLimits limits) throws ModelLoadException {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("model repository not found: " + dir);
        }
        return new ModelRepository(dir, limits);
    }

    /** True when {@code dir} is a model directory itself (holds model.json), not a repository of versions. */
    public static boolean isModelDirectory(Path dir) {
        return Files.isRegularFile(dir.resolve(ModelArtifact.DESCRIPTOR));
    }

    /** True when {@code dir} has at least one numbered subdirectory and no model.json of its own. */
    public static boolean isRepository(Path dir) {
        if (!Files.isDirectory(dir) || isModelDirectory(dir)) {
            return false;
        }
        return !new ModelRepository(dir, ModelLimits.DEFAULT).numbered().isEmpty();
    }

    /**
     * What a job given {@code dir} as its model serves at start: the model directory {@code dir} itself, or the
     * highest complete version of the repository {@code dir}.
     */
    public static ModelArtifact readServed(Path dir) throws ModelLoadException {
        if (isModelDirectory(dir) || !isRepository(dir)) {
            return ModelArtifact.read(dir);
        }
        ModelRepository repository = at(dir);
        OptionalLong latest = repository.latestComplete();
        if (latest.isEmpty()) {
            throw new ModelLoadException("model repository " + dir + " has no complete version");
        }
        return repository.read(latest.getAsLong()).orElseThrow();
    }

    public Path directory() {
        return directory;
    }

    /** The directory of version {@code version} (which may not exist). */
    public Path versionDirectory(long version) {
        return directory.resolve(Long.toString(version));
    }

    /** Version numbers present, complete or not, ascending. */
    public List<Long> numbered() {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            for (String name : (Iterable<String>) entries.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())::iterator) {
                if (VERSION.matcher(name).matches()) {
                    out.add(Long.parseLong(name));
                } else if (NUMERIC.matcher(name).matches() && warnedNames.add(name)) {
                    LOG.warn("model repository {}: {} is not a version (a version is a number from 1 to 18 digits"
                            + " without leading zeros): ignored, never served", directory, name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the model repository " + directory, e);
        }
        out.sort(null);
        return out;
    }

    /**
     * The highest version whose model directory is complete (model.json valid, its weight or graph files
     * present), or empty. An incomplete higher version is skipped with a warning: it was not published with
     * {@link #publish}, or its files were removed.
     */
    public OptionalLong latestComplete() {
        return latestCompleteBelow(Long.MAX_VALUE);
    }

    /** The highest complete version below {@code version}, or empty: where to fall back when that one fails. */
    public OptionalLong latestCompleteBelow(long version) {
        List<Long> versions = numbered();
        for (int i = versions.size() - 1; i >= 0; i--) {
            long v = versions.get(i);
            if (v < version && read(v).isPresent()) {
                return OptionalLong.of(v);
            }
        }
        return OptionalLong.empty();
    }

    /** Version {@code version} as an artifact whose version is the directory's number, or empty if incomplete. */
    public Optional<ModelArtifact> read(long version) {
        try {
            ModelArtifact a = ModelArtifact.read(versionDirectory(version), limits);
            return Optional.of(a.toBuilder().version(Long.toString(version)).build());
        } catch (ModelLoadException e) {
            LOG.warn("model repository {}: version {} is not a complete model directory: {}", directory, version,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Copies the model directory {@code source} into the repository as version {@code version} (or the next
     * number after the highest present) and makes it visible in one rename. The copy's model.json says the new
     * version number.
     *
     * A number is never used twice: not one that exists, nor one published (or seen) before and deleted since,
     * whose number a job's checkpoint may still name.
     *
     * @return the published version's number
     * @throws IllegalArgumentException when that version exists already or existed before
     */
    public long publish(Path source, OptionalLong version) throws ModelLoadException, IOException {
        ModelArtifact artifact = ModelArtifact.read(source);
        artifact.verifyContent(); // a model damaged since it was written is not passed on
        java.util.SortedSet<Long> seen = seenVersions();
        seen.addAll(numbered());
        long number = version.orElse(seen.isEmpty() ? 1 : seen.last() + 1);
        if (!VERSION.matcher(Long.toString(number)).matches()) {
            throw new IllegalArgumentException("a version number must be from 1 to 18 digits, got " + number);
        }
        Path target = versionDirectory(number);
        if (Files.exists(target)) {
            throw new IllegalArgumentException("version " + number + " exists already in " + directory);
        }
        if (seen.contains(number)) {
            throw new IllegalArgumentException("version " + number + " was published in " + directory + " before"
                    + " (and removed since): a number is never reused, a checkpoint may name it; the next free one is "
                    + (seen.last() + 1));
        }
        Path staging = directory.resolve(STAGING_PREFIX + number + "-" + UUID.randomUUID());
        try {
            copyTree(source, staging);
            artifact.toBuilder().directory(staging).version(Long.toString(number)).build().writeDescriptor(staging);
            seen.add(number);
            recordSeen(seen); // before the version appears: a crash in between burns the number, never reuses it
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                throw new IOException("cannot rename " + staging + " to " + target + " atomically: " + e, e);
            }
        } finally {
            if (Files.exists(staging)) {
                try (ScratchDirectory leftover = ScratchDirectory.adopt(staging)) {
                    LOG.warn("removing the unfinished copy {}", leftover.path());
                }
            }
        }
        return number;
    }

    /** The numbers {@link #SEEN_VERSIONS} lists (none when the repository has no such file yet). */
    private java.util.SortedSet<Long> seenVersions() throws IOException {
        java.util.SortedSet<Long> seen = new java.util.TreeSet<>();
        Path file = directory.resolve(SEEN_VERSIONS);
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                if (VERSION.matcher(line.strip()).matches()) {
                    seen.add(Long.parseLong(line.strip()));
                }
            }
        }
        return seen;
    }

    private void recordSeen(java.util.SortedSet<Long> seen) throws IOException {
        Path temporary = directory.resolve(SEEN_VERSIONS + "-" + UUID.randomUUID());
        StringBuilder text = new StringBuilder();
        seen.forEach(n -> text.append(n).append('\n'));
        Files.writeString(temporary, text);
        Files.move(temporary, directory.resolve(SEEN_VERSIONS), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Copies the model directory's files. A link that leads outside it is refused, not copied through: publishing
     * must not pull another file of this machine (whatever the link names) into a repository others read.
     */
    private static void copyTree(Path from, Path to) throws IOException {
        Path root = from.toRealPath();
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isSymbolicLink(f) && !f.toRealPath().startsWith(root)) {
                    throw new IllegalArgumentException(f + " is a link to " + f.toRealPath()
                            + ", outside the model directory: not published");
                }
                Path dest = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(f, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
