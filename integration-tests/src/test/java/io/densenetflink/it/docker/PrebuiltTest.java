package io.densenetflink.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/prebuilt.sh on this build's own job/target (the reactor packages job/ before these tests run): what the
 * images take from the build stage (DENSENET_BUILD=prebuilt, and build-source, which runs the same script).
 */
class PrebuiltTest {

    @TempDir
    Path out;

    @Test
    void gathersTheJobJarFlinksLibAndACompleteCliClassPath() throws Exception {
        Path target = DockerProject.root().resolve("job/target");
        assertTrue(Files.isDirectory(target.resolve("flink-lib")), "job/target/flink-lib missing: `mvn package` first");
        // job/ also attaches a test jar (densenet-job-*-tests.jar): it must not count as a second CLI jar.
        DockerProject.Result r = DockerProject.run(Duration.ofMinutes(2), DockerProject.root(), Map.of(),
                List.of("bash", DockerProject.docker().resolve("prebuilt.sh").toString(),
                        DockerProject.root().toString(), out.toString()));
        assertEquals(0, r.exitCode(), "prebuilt.sh failed:\n" + r.output());

        assertTrue(Files.size(out.resolve("densenet-job.jar")) > 0, "the job jar");
        try (Stream<Path> lib = Files.list(out.resolve("flink-lib"))) {
            assertTrue(lib.anyMatch(p -> p.getFileName().toString().startsWith("mxnet-native-mkl")),
                    "Flink's lib/ gets the MXNet natives");
        }
        List<String> entries = List.of(Files.readString(out.resolve("cli/densenet.classpath")).strip().split(":"));
        assertEquals("/opt/densenet/cli/lib/densenet-job.jar", entries.get(0), "the CLI's own jar first");
        for (String entry : entries) {
            assertTrue(entry.startsWith("/opt/densenet/cli/lib/"), "class path entry outside the image's cli/: " + entry);
            Path file = out.resolve("cli/lib").resolve(entry.substring("/opt/densenet/cli/lib/".length()));
            assertTrue(Files.isRegularFile(file), "class path entry not gathered: " + entry);
        }
        assertTrue(entries.stream().anyMatch(e -> e.contains("flink-runtime")), "the CLI runs Flink too: " + entries);
    }
}
