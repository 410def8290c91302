package io.densenetflink.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * `docker-compose config` (Debian's docker-compose package; or `docker compose`, the v2 plugin) validates the
 * compose files against the Compose schema and resolves them; no Docker engine is needed. Skipped, saying so,
 * where neither command exists.
 */
class ComposeConfigTest {

    /** The compose command available here: docker-compose (v1, Debian) or docker compose (v2 plugin). */
    static Optional<List<String>> composeCommand() {
        Optional<java.nio.file.Path> v1 = DockerProject.onPath("docker-compose");
        if (v1.isPresent()) {
            return Optional.of(List.of(v1.get().toString()));
        }
        Optional<java.nio.file.Path> docker = DockerProject.onPath("docker");
        if (docker.isPresent()) {
            DockerProject.Result r = DockerProject.run(Duration.ofSeconds(30), DockerProject.root(), Map.of(),
                    List.of(docker.get().toString(), "compose", "version"));
            if (r.exitCode() == 0) {
                return Optional.of(List.of(docker.get().toString(), "compose"));
            }
        }
        return Optional.empty();
    }

    private static List<String> compose() {
        Optional<List<String>> cmd = composeCommand();
        Assumptions.assumeTrue(cmd.isPresent(), "neither docker-compose nor `docker compose` is installed: compose files"
                + " not checked by Compose itself (Debian: apt-get install docker-compose)");
        return cmd.get();
    }

    private static DockerProject.Result config(List<String> files, String... extra) {
        List<String> cmd = new ArrayList<>(compose());
        for (String f : files) {
            cmd.add("-f");
            cmd.add(f);
        }
        cmd.add("config");
        cmd.addAll(List.of(extra));
        return DockerProject.run(Duration.ofMinutes(2), DockerProject.root(), Map.of(), cmd);
    }

    @Test
    void composeFileIsValid() {
        DockerProject.Result r = config(List.of("docker/docker-compose.yml"), "--quiet");
        assertEquals(0, r.exitCode(), "docker-compose config refuses docker/docker-compose.yml:\n" + r.output());
        assertFalse(r.output().toLowerCase().contains("warning"), "docker-compose config warns:\n" + r.output());
    }

    @Test
    void gpuOverrideIsValid() {
        DockerProject.Result r = config(List.of("docker/docker-compose.yml", "docker/docker-compose.gpu.yml"), "--quiet");
        assertEquals(0, r.exitCode(), "docker-compose config refuses the GPU override:\n" + r.output());
        assertFalse(r.output().toLowerCase().contains("warning"), "docker-compose config warns:\n" + r.output());
    }

    @Test
    void composeSeesTheServices() {
        DockerProject.Result r = config(List.of("docker/docker-compose.yml"), "--services");
        assertEquals(0, r.exitCode(), r.output());
        Set<String> services = new TreeSet<>(r.output().lines().map(String::trim).filter(l -> !l.isEmpty()).toList());
        assertEquals(new TreeSet<>(ComposeStackTest.SERVICES), services);
        DockerProject.Result volumes = config(List.of("docker/docker-compose.yml"), "--volumes");
        assertEquals(0, volumes.exitCode(), volumes.output());
        assertEquals(Set.of("flink-checkpoints", "kafka-data"),
                new TreeSet<>(volumes.output().lines().map(String::trim).filter(l -> !l.isEmpty()).toList()));
    }
}
