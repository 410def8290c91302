package io.densenetflink.it.docker;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The Docker engine the live compose test runs on: the client docker/engine.sh names (Debian's, with BuildKit
 * built in), answering {@code docker info}. Where none answers the live test skips, saying why; with
 * {@code DENSENET_REQUIRE_DOCKER=1} (set by .ci/run, which starts the engine first) it fails instead, so a CI
 * run on a machine that has an engine can never pass by skipping.
 */
record DockerEngine(Path client) {

    static final String REQUIRE = "DENSENET_REQUIRE_DOCKER";

    /** The engine, or a skip (a failure where {@value #REQUIRE}=1) saying why there is none. */
    static DockerEngine require() {
        DockerProject.Result named = DockerProject.run(Duration.ofSeconds(30), DockerProject.root(), Map.of(),
                List.of("bash", DockerProject.docker().resolve("engine.sh").toString(), "client"));
        String path = named.output().strip();
        Optional<Path> client = named.exitCode() == 0 && !path.isEmpty() && Files.isExecutable(Path.of(path))
                ? Optional.of(Path.of(path)) : Optional.empty();
        if (client.isEmpty()) {
            unavailable("no docker client (docker/engine.sh start installs Debian's docker.io)");
        }
        DockerProject.Result info = DockerProject.run(Duration.ofSeconds(30), DockerProject.root(), Map.of(),
                List.of(client.get().toString(), "info", "--format", "{{.ServerVersion}}"));
        if (info.exitCode() != 0) {
            unavailable("no Docker engine answers `" + client.get() + " info` (docker/engine.sh start starts one): "
                    + info.output().strip().lines().findFirst().orElse(""));
        }
        return new DockerEngine(client.get());
    }

    /** The compose command (docker-compose v1 from Debian, or the v2 plugin); missing counts as no engine. */
    List<String> compose() {
        Optional<List<String>> compose = ComposeConfigTest.composeCommand();
        if (compose.isEmpty()) {
            unavailable("a Docker engine answers but neither docker-compose nor `docker compose` is installed");
        }
        return compose.get();
    }

    private static void unavailable(String why) {
        if ("1".equals(System.getenv(REQUIRE))) {
            fail(why + " -- and " + REQUIRE + "=1 says this machine must run the compose test");
        }
        Assumptions.abort(why + ": the compose end-to-end test runs only where an engine does");
    }

    /**
     * The environment for docker-compose and the project's scripts: this client's folder first on PATH, because
     * docker-compose v1 builds by running the first {@code docker} on PATH, and BuildKit on (it reads
     * docker/Dockerfile.dockerignore; the legacy builder would send the whole repository).
     */
    Map<String, String> environment() {
        String path = client.getParent() + java.io.File.pathSeparator + System.getenv().getOrDefault("PATH", "");
        return Map.of("PATH", path, "DOCKER_BUILDKIT", "1", "COMPOSE_DOCKER_CLI_BUILD", "1");
    }

    DockerProject.Result run(Duration timeout, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(client.toString()));
        cmd.addAll(List.of(args));
        return DockerProject.run(timeout, DockerProject.root(), environment(), cmd);
    }
}
