package io.densenetflink.it.docker;

import io.densenetflink.it.ProjectRoot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The repository's docker/ folder and build files, read for the docker validation tests. */
final class DockerProject {

    static final String JOB_MAIN_CLASS = "io.densenetflink.job.DenseNetJob";
    static final String CLI_MAIN_CLASS = "io.densenetflink.job.cli.DenseNetCli";

    private DockerProject() {}

    /** The repository root: the folder above integration-tests/ with the parent pom and docker/. */
    static Path root() {
        return ProjectRoot.path();
    }

    static Path docker() {
        return root().resolve("docker");
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A YAML document as maps, lists and scalars (safe constructor: no types). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        Object doc = yaml.load(read(file));
        if (!(doc instanceof Map)) {
            throw new IllegalStateException(file + ": not a YAML mapping");
        }
        return (Map<String, Object>) doc;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value, String what) {
        if (!(value instanceof Map)) {
            throw new AssertionError(what + ": expected a mapping, got " + value);
        }
        return (Map<String, Object>) value;
    }

    /** A compose "list or string" field (command, entrypoint, healthcheck test) as tokens. */
    static List<String> tokens(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) {
                out.add(interpolateDefaults(String.valueOf(o)));
            }
        } else if (value != null) {
            for (String t : interpolateDefaults(String.valueOf(value)).trim().split("\\s+")) {
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** A compose environment (mapping or KEY=VALUE list) with ${VAR:-default} resolved to the default. */
    static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> env = new LinkedHashMap<>();
        Object e = service.get("environment");
        if (e instanceof Map<?, ?> m) {
            m.forEach((k, v) -> env.put(String.valueOf(k), v == null ? "" : interpolateDefaults(String.valueOf(v))));
        } else if (e instanceof List<?> l) {
            for (Object o : l) {
                String s = String.valueOf(o);
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : interpolateDefaults(s.substring(eq + 1)));
            }
        }
        return env;
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

    /** Compose variable substitution with every variable unset: ${X:-d} and ${X-d} give d, ${X} gives "". */
    static String interpolateDefaults(String text) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String op = m.group(2);
            String replacement = op != null && op.endsWith("-") ? m.group(3) : "";
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString().replace("$$", "$");
    }

    /** The ${VAR...} names a text interpolates. */
    static List<String> variables(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The value after {@code option} in an argument list, if any. */
    static Optional<String> option(List<String> args, String option) {
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals(option)) {
                return Optional.of(args.get(i + 1));
            }
        }
        return Optional.empty();
    }

    /** One Dockerfile instruction: keyword in upper case, its arguments (continuations joined), its line. */
    record Instruction(String keyword, String args, int line) {
        /** The arguments as words, with --flags kept. */
        List<String> words() {
            List<String> out = new ArrayList<>();
            for (String w : args.trim().split("\\s+")) {
                if (!w.isEmpty()) {
                    out.add(w);
                }
            }
            return out;
        }

        Optional<String> flag(String name) {
            for (String w : words()) {
                if (w.startsWith("--" + name + "=")) {
                    return Optional.of(w.substring(name.length() + 3));
                }
            }
            return Optional.empty();
        }

        /** The non-flag words: for COPY, the sources and (last) the destination. */
        List<String> operands() {
            return words().stream().filter(w -> !w.startsWith("--")).toList();
        }
    }

    static List<Instruction> dockerfile(Path file) {
        List<Instruction> out = new ArrayList<>();
        String[] lines = read(file).split("\n", -1);
        StringBuilder current = null;
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.trim();
            if (current == null) {
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                current = new StringBuilder();
                start = i + 1;
            } else if (trimmed.startsWith("#")) {
                continue; // comment lines inside a continued instruction
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String text = current.toString().trim();
            int sp = text.indexOf(' ');
            out.add(new Instruction((sp < 0 ? text : text.substring(0, sp)).toUpperCase(),
                    sp < 0 ? "" : text.substring(sp + 1).trim(), start));
            current = null;
        }
        return out;
    }

    /** One build stage of a Dockerfile: its base image, its name (AS ...) or null, its instructions. */
    record Stage(String image, String name, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        /** Image destinations of COPY from the build context (no --from), to their source. */
        Map<String, String> contextCopies() {
            Map<String, String> out = new LinkedHashMap<>();
            for (Instruction copy : all("COPY")) {
                if (copy.flag("from").isEmpty()) {
                    List<String> ops = copy.operands();
                    for (String src : ops.subList(0, ops.size() - 1)) {
                        out.put(stripSlash(ops.get(ops.size() - 1)), stripSlash(src));
                    }
                }
            }
            return out;
        }
    }

    static String stripSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    static List<Stage> stages(Path dockerfile) {
        List<Stage> stages = new ArrayList<>();
        List<Instruction> current = null;
        String image = null;
        String name = null;
        for (Instruction i : dockerfile(dockerfile)) {
            if (i.keyword().equals("FROM")) {
                if (current != null) {
                    stages.add(new Stage(image, name, current));
                }
                List<String> ops = i.operands();
                image = ops.get(0);
                name = ops.size() >= 3 && ops.get(1).equalsIgnoreCase("AS") ? ops.get(2) : null;
                current = new ArrayList<>();
            } else if (current != null) {
                current.add(i);
            }
        }
        if (current != null) {
            stages.add(new Stage(image, name, current));
        }
        return stages;
    }

    /** A YAML config (Flink's config.yaml, flinkConfiguration) flattened to dotted keys. */
    static Map<String, Object> flatten(Map<String, Object> yaml) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("", yaml, out);
        return out;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey();
            if (e.getValue() instanceof Map<?, ?> nested) {
                flatten(key, nested, out);
            } else {
                out.put(key, e.getValue());
            }
        }
    }

    /** Flink memory sizes (1600m, 4g, 2048mb, 4096) in bytes. */
    static long bytes(String size) {
        Matcher m = Pattern.compile("(?i)\\s*(\\d+)\\s*([kmgt]?)(b|i?b)?\\s*").matcher(size);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a memory size: " + size);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase()) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            case "t" -> n << 40;
            default -> n;
        };
    }

    // ---- Maven poms ------------------------------------------------------------------------------------

    static Document pom(Path file) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            return f.newDocumentBuilder().parse(file.toFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot parse " + file, e);
        }
    }

    /** A property of the root pom (versions pinned there). */
    static String rootProperty(String name) {
        Element props = child(pom(root().resolve("pom.xml")).getDocumentElement(), "properties");
        Element p = child(props, name);
        if (p == null) {
            throw new AssertionError("root pom.xml has no property " + name);
        }
        return p.getTextContent().trim();
    }

    static String projectVersion() {
        return child(pom(root().resolve("pom.xml")).getDocumentElement(), "version").getTextContent().trim();
    }

    static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent != null) {
            NodeList nodes = parent.getChildNodes();
            for (int i = 0; i < nodes.getLength(); i++) {
                if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    /** The execution {@code id} of the build plugin {@code artifactId} in a pom. */
    static Element execution(Path pomFile, String artifactId, String id) {
        Element build = child(pom(pomFile).getDocumentElement(), "build");
        for (Element plugin : children(child(build, "plugins"), "plugin")) {
            if (artifactId.equals(text(plugin, "artifactId"))) {
                for (Element exec : children(child(plugin, "executions"), "execution")) {
                    if (id.equals(text(exec, "id"))) {
                        return exec;
                    }
                }
            }
        }
        throw new AssertionError(pomFile + ": no " + artifactId + " execution '" + id + "'");
    }

    // ---- processes -------------------------------------------------------------------------------------

    record Result(int exitCode, String output) {}

    /** Runs a command (stdout and stderr together); exit code -1 when it timed out. */
    static Result run(Duration timeout, Path dir, Map<String, String> env, List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            Thread pump = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(buffer);
                } catch (IOException ignored) {
                    // the process went away
                }
            });
            pump.setDaemon(true);
            pump.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                pump.join(2000);
                return new Result(-1, buffer.toString(StandardCharsets.UTF_8) + "\n[timed out after " + timeout + "]");
            }
            pump.join(5000);
            return new Result(p.exitValue(), buffer.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-2, "cannot run " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-3, "interrupted");
        }
    }

    /** An executable on PATH. */
    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
