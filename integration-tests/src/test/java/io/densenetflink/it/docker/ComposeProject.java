package io.densenetflink.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One compose project of the repository's own docker/docker-compose.yml on a {@link DockerEngine}: its
 * docker-compose commands, its containers by service, and what it leaves behind after {@code down -v}.
 */
final class ComposeProject {

    private static final String LABEL = "com.docker.compose.project=";

    private final DockerEngine engine;
    private final List<String> compose;
    private final String name;
    private final Map<String, String> env;

    ComposeProject(DockerEngine engine, List<String> compose, String name, Map<String, String> settings) {
        this.engine = engine;
        this.name = name;
        this.compose = new ArrayList<>(compose);
        this.compose.addAll(List.of("-p", name, "-f", "docker/docker-compose.yml"));
        this.env = new HashMap<>(engine.environment());
        this.env.putAll(settings);
    }

    Map<String, String> environment() {
        return env;
    }

    DockerProject.Result compose(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(compose);
        cmd.addAll(List.of(args));
        return DockerProject.run(timeout, DockerProject.root(), env, cmd);
    }

    /** A compose command that must succeed. */
    void must(Duration timeout, String... args) {
        DockerProject.Result r = compose(timeout, args);
        assertEquals(0, r.exitCode(), "docker-compose " + String.join(" ", args) + " failed:\n" + tail(r.output(), 6000));
    }

    /** A docker command on this project's engine that must succeed; its output. */
    String docker(Duration timeout, String... args) {
        DockerProject.Result r = engine.run(timeout, args);
        assertEquals(0, r.exitCode(), "docker " + String.join(" ", args) + " failed:\n" + tail(r.output(), 3000));
        return r.output().strip();
    }

    /** The containers of a service (all of them, running or not), in the order of their compose index. */
    List<String> containers(String service) {
        String out = docker(Duration.ofMinutes(1), "ps", "-a", "--filter", "label=" + LABEL + name,
                "--filter", "label=com.docker.compose.service=" + service,
                "--format", "{{.Label \"com.docker.compose.container-number\"}} {{.ID}}");
        return out.lines().filter(l -> !l.isBlank()).map(l -> l.split("\\s+"))
                .sorted((a, b) -> Integer.compare(Integer.parseInt(a[0]), Integer.parseInt(b[0])))
                .map(a -> a[1]).toList();
    }

    String container(String service) {
        List<String> ids = containers(service);
        assertEquals(1, ids.size(), service + " containers: " + ids);
        return ids.get(0);
    }

    /** "running", "exited", ... and the exit code, of one container. */
    String state(String container) {
        return docker(Duration.ofMinutes(1), "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", container);
    }

    String logs(String container) {
        return engine.run(Duration.ofMinutes(1), "logs", container).output();
    }

    /** Everything `docker-compose logs` has, the last lines of each service; for failure messages. */
    String allLogs() {
        return compose(Duration.ofMinutes(2), "logs", "--no-color", "--tail", "200").output();
    }

    /** `down -v --remove-orphans`, then what is left of the project: containers, networks, volumes (none expected). */
    List<String> downAndLeftovers() {
        DockerProject.Result down = compose(Duration.ofMinutes(5), "down", "-v", "--remove-orphans", "--timeout", "20");
        List<String> left = new ArrayList<>();
        if (down.exitCode() != 0) {
            left.add("down failed: " + tail(down.output(), 2000));
        }
        for (String[] kind : List.of(new String[] {"ps", "-a"}, new String[] {"network", "ls"},
                new String[] {"volume", "ls"})) {
            List<String> cmd = new ArrayList<>(List.of(kind));
            cmd.addAll(List.of("-q", "--filter", "label=" + LABEL + name));
            DockerProject.Result r = engine.run(Duration.ofMinutes(1), cmd.toArray(String[]::new));
            r.output().lines().filter(l -> !l.isBlank())
                    .forEach(id -> left.add(String.join(" ", kind) + ": " + id));
        }
        return left;
    }

    static String tail(String text, int chars) {
        return text.length() <= chars ? text : "..." + text.substring(text.length() - chars);
    }
}
