package io.densenetflink.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfiles pass every Dockerfile linter installed here: hadolint (with docker/.hadolint.yaml),
 * dockerfile-utils (npm: dockerfile-utils, the VS Code Docker extension's linter) and dockerfilelint (npm).
 * Skipped, saying so, where none is installed (npm install -g dockerfile-utils dockerfilelint).
 */
class DockerfileLintTest {

    static final List<Path> DOCKERFILES = List.of(DockerfileTest.CPU, DockerfileTest.GPU);

    @Test
    void dockerfilesPassTheInstalledLinters() {
        List<String> ran = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Optional<Path> hadolint = DockerProject.onPath("hadolint");
        Optional<Path> utils = DockerProject.onPath("dockerfile-utils");
        Optional<Path> dockerfilelint = DockerProject.onPath("dockerfilelint");
        for (Path file : DOCKERFILES) {
            hadolint.ifPresent(h -> lint(ran, failures, "hadolint", List.of(h.toString(), "--no-color", "--config",
                    DockerProject.docker().resolve(".hadolint.yaml").toString(), file.toString())));
            utils.ifPresent(u -> lint(ran, failures, "dockerfile-utils", List.of(u.toString(), "lint", file.toString())));
            dockerfilelint.ifPresent(d -> lint(ran, failures, "dockerfilelint", List.of(d.toString(), file.toString())));
        }
        Assumptions.assumeFalse(ran.isEmpty(), "no Dockerfile linter installed (hadolint, or npm's dockerfile-utils"
                + " / dockerfilelint: npm install -g dockerfile-utils dockerfilelint): Dockerfiles not linted");
        System.out.println("[docker] linted with " + ran);
        assertEquals(List.of(), failures, "Dockerfile linter findings");
    }

    private static void lint(List<String> ran, List<String> failures, String name, List<String> command) {
        DockerProject.Result r = DockerProject.run(Duration.ofMinutes(2), DockerProject.root(), Map.of(), command);
        ran.add(name + " " + command.get(command.size() - 1));
        // dockerfile-utils prints nothing for a clean file; dockerfilelint exits with the number of issues.
        if (r.exitCode() != 0 || (name.equals("dockerfile-utils") && !r.output().isBlank())) {
            failures.add(name + " " + command.get(command.size() - 1) + " (exit " + r.exitCode() + "):\n" + r.output());
        }
    }
}
