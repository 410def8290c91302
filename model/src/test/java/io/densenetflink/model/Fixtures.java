package io.densenetflink.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Locates the parity fixtures: {@code tiny} ships in test resources, the rest come from ../shared. */
public final class Fixtures {

    private Fixtures() {}

    /**
     * The shared fixture folder ({@code ../shared/fixtures/parity} next to the clone), or null when absent
     * (a user's fresh clone has no ../shared). {@code DENSENET_FIXTURES} overrides.
     */
    public static Path sharedParityDir() {
        String override = System.getenv("DENSENET_FIXTURES");
        if (override != null) {
            return Path.of(override);
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("../shared/fixtures/parity").normalize();
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Copies a classpath resource to a file in {@code dir} and returns it. */
    public static Path resource(String name, Path dir) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource missing: " + name);
            }
            Path out = dir.resolve(Path.of(name).getFileName().toString());
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
