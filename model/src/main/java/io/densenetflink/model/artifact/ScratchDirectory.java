package io.densenetflink.model.artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A directory deleted with everything in it when closed (a temporary one, or one taken over). */
public final class ScratchDirectory implements AutoCloseable {

    private final Path path;

    private ScratchDirectory(Path path) {
        this.path = path;
    }

    /** Creates a new directory in the system's temporary folder. */
    public static ScratchDirectory create(String prefix) throws IOException {
        return new ScratchDirectory(Files.createTempDirectory(prefix));
    }

    /** Takes over an existing directory: it is deleted when closed. */
    public static ScratchDirectory adopt(Path dir) {
        return new ScratchDirectory(dir);
    }

    public Path path() {
        return path;
    }

    /** Deletes the directory tree; a file that cannot be deleted is left (the temporary folder is cleaned anyway). */
    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover in the temporary folder is harmless
        }
    }
}
