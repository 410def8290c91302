package io.densenetflink.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root, found from the test's working directory (Maven runs integration-tests/ from its folder). */
public final class ProjectRoot {

    private static Path root;

    private ProjectRoot() {}

    /** The folder above integration-tests/ with the parent pom, docker/ and job/. */
    public static synchronized Path path() {
        if (root == null) {
            Path dir = Path.of("").toAbsolutePath();
            while (dir != null && !(Files.isRegularFile(dir.resolve("pom.xml"))
                    && Files.isDirectory(dir.resolve("docker")) && Files.isDirectory(dir.resolve("job")))) {
                dir = dir.getParent();
            }
            if (dir == null) {
                throw new IllegalStateException("repository root (pom.xml, docker/, job/) not found above "
                        + Path.of("").toAbsolutePath());
            }
            root = dir;
        }
        return root;
    }
}
