package io.densenetflink.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.it.docker.DockerProject.Instruction;
import io.densenetflink.it.docker.DockerProject.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * docker/Dockerfile and docker/Dockerfile.gpu, checked without Docker: base images agree with the versions the
 * pom pins, every file they copy exists in the repository or is produced by the Maven build (job/pom.xml's
 * shade and flink-lib executions), the .dockerignore files let those through, the entrypoints exist.
 */
class DockerfileTest {

    static final Path CPU = DockerProject.docker().resolve("Dockerfile");
    static final Path GPU = DockerProject.docker().resolve("Dockerfile.gpu");
    static final Path PREBUILT = DockerProject.docker().resolve("prebuilt.sh");
    /** The build stage's base: the stage DENSENET_BUILD names. */
    static final String BUILD_CHOICE = "build-${DENSENET_BUILD}";
    static final String JOB_JAR_IN_IMAGE = "/opt/flink/usrlib/densenet-job.jar";
    static final String ENTRYPOINT_IN_IMAGE = "/opt/densenet/bin/densenet-entrypoint.sh";

    static Stage finalStage(Path dockerfile) {
        List<Stage> stages = DockerProject.stages(dockerfile);
        return stages.get(stages.size() - 1);
    }

    static Stage stage(Path dockerfile, String name) {
        return DockerProject.stages(dockerfile).stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError(dockerfile + " has no stage " + name));
    }

    @Test
    void baseImagesMatchThePinnedVersions() {
        String java = DockerProject.rootProperty("maven.compiler.release");
        String flink = DockerProject.rootProperty("flink.version");
        String flinkMinor = flink.substring(0, flink.lastIndexOf('.'));
        for (Path file : List.of(CPU, GPU)) {
            for (Stage s : DockerProject.stages(file)) {
                String image = s.image();
                if (image.equals(BUILD_CHOICE) || (image.equals("scratch") && "build-prebuilt".equals(s.name()))) {
                    continue; // an earlier stage (buildStageIsChosenByDensenetBuild), and the empty image
                }
                assertTrue(image.contains(":") && !image.endsWith(":latest"), file + ": pin a tag: " + image);
                if (image.startsWith("maven:")) {
                    assertEquals("maven:3-eclipse-temurin-" + java, image, file + ": build JDK = maven.compiler.release");
                } else if (image.startsWith("flink:")) {
                    assertEquals("flink:" + flinkMinor + "-java" + java, image, file + ": Flink image = flink.version's");
                } else if (image.startsWith("nvidia/cuda:")) {
                    Matcher m = Pattern.compile("nvidia/cuda:11\\.(\\d+)\\.\\d+-cudnn8-runtime-ubuntu\\d+\\.\\d+").matcher(image);
                    assertTrue(m.matches() && Integer.parseInt(m.group(1)) >= 2,
                            file + ": MXNet's cu112 build needs a CUDA 11.2+ (11.x) runtime with cuDNN 8: " + image);
                } else {
                    throw new AssertionError(file + ": unexpected base image " + image);
                }
            }
        }
        assertEquals("maven:3-eclipse-temurin-" + java, DockerProject.stages(CPU).get(0).image(),
                "the first stage builds with Maven");
        assertEquals("flink:" + flinkMinor + "-java" + java, finalStage(CPU).image());
        String kafka = DockerProject.rootProperty("kafka.version");
        String compose = DockerProject.read(ComposeStackTest.COMPOSE);
        assertTrue(compose.contains("image: apache/kafka:" + kafka),
                "the compose broker runs the Kafka version the client is pinned to (" + kafka + ")");
    }

    @Test
    void buildStageBuildsTheWholeProjectWithMaven() {
        List<String> modules = DockerProject.children(DockerProject.child(
                DockerProject.pom(DockerProject.root().resolve("pom.xml")).getDocumentElement(), "modules"), "module")
                .stream().map(e -> e.getTextContent().trim()).toList();
        for (Path file : List.of(CPU, GPU)) {
            Stage build = stage(file, "build-source");
            assertTrue(build.all("RUN").stream().anyMatch(r -> r.args().equals("mvn -B -DskipTests package")),
                    file + ": the build stage runs `mvn -B -DskipTests package`");
            Map<String, String> copies = new LinkedHashMap<>();
            String workdir = build.all("WORKDIR").get(0).args();
            for (Instruction copy : build.all("COPY")) {
                List<String> ops = copy.operands();
                String dest = ops.get(ops.size() - 1);
                String abs = dest.startsWith("/") ? dest : workdir + "/" + (dest.equals("./") ? "" : dest);
                copies.put(ops.get(0), DockerProject.stripSlash(abs.replace("//", "/")));
            }
            assertEquals(workdir, copies.get("pom.xml"), file + ": the root pom goes to the build's WORKDIR");
            for (String module : modules) {
                for (String part : List.of(module + "/pom.xml", module + "/src")) {
                    assertTrue(copies.containsKey(part), file + ": the build stage does not copy " + part);
                }
            }
        }
    }

    @Test
    void everyCopiedFileIsInTheRepository() {
        List<String> missing = new ArrayList<>();
        for (Path file : List.of(CPU, GPU)) {
            for (Stage s : DockerProject.stages(file)) {
                for (Instruction copy : s.all("COPY")) {
                    if (copy.flag("from").isPresent()) {
                        continue;
                    }
                    List<String> ops = copy.operands();
                    for (String src : ops.subList(0, ops.size() - 1)) {
                        if (src.startsWith("models/")) {
                            continue; // shippedModelAndSampleAreInTheRepository
                        }
                        if (DockerProject.stripSlash(src).equals("job/target/docker")) {
                            continue; // docker/prebuilt.sh's output: buildStageIsChosenByDensenetBuild
                        }
                        if (!Files.exists(DockerProject.root().resolve(src))) {
                            missing.add(file.getFileName() + ":" + copy.line() + " " + src);
                        }
                    }
                }
                assertTrue(s.all("ADD").isEmpty(), file + ": use COPY (ADD would fetch URLs or unpack archives)");
            }
        }
        assertEquals(List.of(), missing, "COPY sources missing from the repository");
    }

    /** The images ship the model and the Fashion-MNIST sample from models/ (the training issue commits them). */
    @Test
    void shippedModelAndSampleAreInTheRepository() {
        Path model = DockerProject.root().resolve("models/fashion-mnist-densenet");
        Path sample = DockerProject.root().resolve("models/fashion-mnist-sample");
        assertEquals("models/fashion-mnist-densenet", finalStage(CPU).contextCopies().get("/opt/densenet/models/fashion-mnist-densenet"));
        assertEquals("models/fashion-mnist-sample", stage(CPU, "cli").contextCopies().get("/opt/densenet/models/fashion-mnist-sample"));
        for (String f : List.of("model.json", "weights.safetensors")) {
            assertTrue(Files.isRegularFile(model.resolve(f)), "the shipped model lacks " + f);
        }
        for (String f : List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            assertTrue(Files.isRegularFile(sample.resolve(f)), "the shipped sample lacks " + f);
        }
    }

    /**
     * DENSENET_BUILD picks the stage the images take the project's jars from: build-source (Maven in the image,
     * the default, so `docker compose up --build` works from a fresh clone) or build-prebuilt (the host's
     * `mvn package` output, gathered by docker/prebuilt.sh into job/target/docker). Both fill the same /out.
     */
    @Test
    void buildStageIsChosenByDensenetBuild() {
        for (Path file : List.of(CPU, GPU)) {
            List<Instruction> global = new ArrayList<>();
            for (Instruction i : DockerProject.dockerfile(file)) {
                if (i.keyword().equals("FROM")) {
                    break;
                }
                global.add(i);
            }
            assertTrue(global.stream().anyMatch(i -> i.keyword().equals("ARG") && i.args().equals("DENSENET_BUILD=source")),
                    file + ": ARG DENSENET_BUILD=source before the first FROM (a user's plain build compiles)");
            assertEquals(BUILD_CHOICE, stage(file, "build").image(), file + ": FROM " + BUILD_CHOICE + " AS build");
            assertTrue(stage(file, "build-source").all("RUN").stream().anyMatch(r -> r.args().equals("prebuilt.sh /src /out")),
                    file + ": build-source gathers its Maven output with docker/prebuilt.sh, as a host does");
            assertEquals("docker/prebuilt.sh", stage(file, "build-source").contextCopies().get("/usr/local/bin"));
            assertEquals("job/target/docker", stage(file, "build-prebuilt").contextCopies().get("/out"),
                    file + ": build-prebuilt is job/target/docker, docker/prebuilt.sh's default output");
            assertEquals(1, stage(file, "build-prebuilt").instructions().size(), file + ": build-prebuilt only copies");
        }
        assertTrue(DockerProject.read(PREBUILT).contains("out=\"${2:-$root/job/target/docker}\""),
                "docker/prebuilt.sh writes job/target/docker by default");
    }

    /**
     * COPY --from=build takes what docker/prebuilt.sh writes to /out, and prebuilt.sh takes it from what
     * job/pom.xml makes (the shaded job jar, the flink-lib folder) and what assemble-cli.sh writes.
     */
    @Test
    void copiesFromTheBuildStageAreBuildOutputs() throws IOException {
        Path jobPom = DockerProject.root().resolve("job/pom.xml");
        Element shade = DockerProject.child(DockerProject.execution(jobPom, "maven-shade-plugin", "flink-job-jar"), "configuration");
        String classifier = DockerProject.text(shade, "shadedClassifierName");
        Element lib = DockerProject.child(DockerProject.execution(jobPom, "maven-dependency-plugin", "flink-lib"), "configuration");
        String libDir = DockerProject.text(lib, "outputDirectory").replace("${project.build.directory}", "$target");
        String prebuilt = DockerProject.read(PREBUILT);
        assertTrue(prebuilt.contains("target=\"$root/job/target\""), "prebuilt.sh reads job/target");
        assertTrue(prebuilt.contains("\"$target\"/densenet-job-*-" + classifier + ".jar"),
                "prebuilt.sh takes the shaded job jar (classifier " + classifier + ")");
        assertTrue(prebuilt.contains("cp -r \"" + libDir + "/.\" \"$out/flink-lib/\""), "prebuilt.sh copies " + libDir);
        assertTrue(prebuilt.contains("cp \"${job_jars[0]}\" \"$out/densenet-job.jar\""), "prebuilt.sh copies the job jar");
        Map<String, String> written = Map.of("/out/flink-lib", "/opt/flink/lib/", "/out/densenet-job.jar", JOB_JAR_IN_IMAGE,
                "/out/cli", "/opt/densenet/cli");
        for (Path file : List.of(CPU, GPU)) {
            Map<String, String> fromBuild = new LinkedHashMap<>();
            for (Stage s : DockerProject.stages(file)) {
                for (Instruction copy : s.all("COPY")) {
                    if (copy.flag("from").filter("build"::equals).isPresent()) {
                        List<String> ops = copy.operands();
                        fromBuild.put(DockerProject.stripSlash(ops.get(0)), ops.get(ops.size() - 1));
                    }
                }
            }
            for (Map.Entry<String, String> e : fromBuild.entrySet()) {
                assertEquals(written.get(e.getKey()), e.getValue(),
                        file + ": COPY --from=build " + e.getKey() + " is not one of prebuilt.sh's outputs " + written.keySet());
            }
            assertEquals("/opt/flink/lib/", fromBuild.get("/out/flink-lib"), file + ": flink-lib goes to Flink's lib/");
            assertEquals(JOB_JAR_IN_IMAGE, fromBuild.get("/out/densenet-job.jar"), file + ": the job jar goes to usrlib/");
        }
        // Where the build has run here, the glob matches exactly one jar.
        String jarGlob = "job/target/densenet-job-*-" + classifier + ".jar";
        Path target = DockerProject.root().resolve("job/target");
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                List<Path> jars = files.filter(p -> p.getFileName().toString().matches("densenet-job-.*-" + classifier + "\\.jar"))
                        .toList();
                assertTrue(jars.size() <= 1, "several job jars would match " + jarGlob + ": " + jars);
                if (jars.size() == 1) {
                    assertEquals("densenet-job-" + DockerProject.projectVersion() + "-" + classifier + ".jar",
                            jars.get(0).getFileName().toString());
                }
            }
        }
    }

    @Test
    void flinkImagesHaveTheJobTheConfigurationAndTheEntrypoint() {
        for (Path file : List.of(CPU, GPU)) {
            Stage last = finalStage(file);
            Map<String, String> copies = last.contextCopies();
            assertEquals("docker/flink-conf/config.yaml", copies.get("/opt/flink/conf/config.yaml"), file + ": config");
            assertEquals("docker/densenet-entrypoint.sh", copies.get(ENTRYPOINT_IN_IMAGE), file + ": entrypoint script");
            assertEquals("[\"" + ENTRYPOINT_IN_IMAGE + "\"]", last.all("ENTRYPOINT").get(0).args(), file + ": ENTRYPOINT");
            String env = String.join(" ", last.all("ENV").stream().map(Instruction::args).toList());
            assertTrue(env.contains("MXNET_ENGINE_TYPE=NaiveEngine"), file + ": MXNET_ENGINE_TYPE=NaiveEngine");
            String checkpoints = String.valueOf(DockerProject.flatten(DockerProject.yaml(
                    DockerProject.docker().resolve("flink-conf/config.yaml"))).get("execution.checkpointing.dir"));
            String dir = checkpoints.replace("file://", "");
            assertTrue(last.all("RUN").stream().anyMatch(r -> r.args().contains("mkdir -p " + dir)),
                    file + ": the image creates the checkpoint folder " + dir + " (owned by flink, for the volume)");
            List<String> exposed = last.all("EXPOSE").stream().flatMap(i -> i.words().stream()).toList();
            assertTrue(exposed.containsAll(List.of("6123", "8081", "9249")), file + ": EXPOSE " + exposed);
        }
        String entrypoint = DockerProject.read(DockerProject.docker().resolve("densenet-entrypoint.sh"));
        assertTrue(entrypoint.contains("exec /docker-entrypoint.sh \"$@\""),
                "densenet-entrypoint.sh hands over to the Flink image's /docker-entrypoint.sh");
    }

    @Test
    void cliStageRunsBinDensenetFromTheAssembledClassPath() throws Exception {
        Stage cli = stage(CPU, "cli");
        assertEquals("docker/densenet-cli.sh", cli.contextCopies().get("/opt/densenet/bin/densenet"));
        assertEquals("[\"/opt/densenet/bin/densenet\"]", cli.all("ENTRYPOINT").get(0).args());
        Instruction fromBuild = cli.all("COPY").stream().filter(c -> c.flag("from").isPresent()).findFirst().orElseThrow();
        assertEquals(List.of("/out/cli", "/opt/densenet/cli"), fromBuild.operands());
        assertTrue(DockerProject.read(PREBUILT).contains("\"$assemble\" \"$root\" \"$out/cli\" /opt/densenet/cli"),
                "docker/prebuilt.sh assembles the CLI into /out/cli for /opt/densenet/cli");
        String script = DockerProject.read(DockerProject.docker().resolve("densenet-cli.sh"));
        assertTrue(script.contains(DockerProject.CLI_MAIN_CLASS), "densenet-cli.sh runs " + DockerProject.CLI_MAIN_CLASS);
        assertTrue(script.contains("DENSENET_HOME:-/opt/densenet") && script.contains("$home/cli/densenet.classpath"),
                "densenet-cli.sh reads /opt/densenet/cli/densenet.classpath");
        Class.forName(DockerProject.CLI_MAIN_CLASS, false, getClass().getClassLoader());
        String assemble = DockerProject.read(DockerProject.docker().resolve("assemble-cli.sh"));
        assertTrue(assemble.contains("job/target/densenet.classpath") || assemble.contains("$target/densenet.classpath"));
        assertTrue(assemble.contains("densenet-provided.classpath"), "the CLI needs Flink too (bin/densenet does)");
    }

    @Test
    void gpuImageFetchesDjlsCudaBuildOfTheMxnetVersionThePomPins() {
        Stage cuda = stage(GPU, "mxnet-cuda");
        Map<String, String> args = new LinkedHashMap<>();
        for (Instruction a : cuda.all("ARG")) {
            String[] kv = a.args().split("=", 2);
            args.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        assertEquals(DockerProject.rootProperty("mxnet.native.version"), args.get("MXNET_VERSION"),
                "the CUDA natives must be the MXNet version the engine is pinned to (mxnet.native.version)");
        assertTrue(args.getOrDefault("MXNET_FLAVOR", "").matches("cu11\\dmkl"), "a CUDA 11 + MKL flavor of DJL's builds");
        String run = String.join("\n", cuda.all("RUN").stream().map(Instruction::args).toList());
        assertTrue(run.contains("https://publish.djl.ai/mxnet-${MXNET_VERSION}"), "DJL's URL pattern");
        assertTrue(run.contains("files.txt") && run.contains("linux/${MXNET_FLAVOR}/"), "files listed under linux/<flavor>/");
        assertTrue(run.contains("test -s libmxnet.so"), "the build fails without libmxnet.so");
        assertEquals("[\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]", cuda.all("SHELL").get(0).args(),
                "pipefail: a failed download must fail the build");

        Stage last = finalStage(GPU);
        String env = String.join(" ", last.all("ENV").stream().map(Instruction::args).toList());
        Matcher lib = Pattern.compile("MXNET_CUDA_LIBRARY_PATH=(\\S+)").matcher(env);
        assertTrue(lib.find(), "the GPU image sets MXNET_CUDA_LIBRARY_PATH");
        Optional<Instruction> natives = last.all("COPY").stream()
                .filter(c -> c.flag("from").filter("mxnet-cuda"::equals).isPresent()).findFirst();
        assertTrue(natives.isPresent(), "the GPU image copies the natives from the mxnet-cuda stage");
        assertEquals(lib.group(1), natives.get().operands().get(1), "MXNET_CUDA_LIBRARY_PATH is where they are copied");
        assertTrue(DockerProject.read(DockerProject.docker().resolve("densenet-entrypoint.sh"))
                .contains("MXNET_LIBRARY_PATH=\"$MXNET_CUDA_LIBRARY_PATH\""), "the entrypoint selects them for DJL");
        List<String> fromFlink = last.all("COPY").stream().filter(c -> c.flag("from").filter("flink"::equals).isPresent())
                .map(c -> c.operands().get(0)).toList();
        assertTrue(fromFlink.containsAll(List.of("/opt/flink", "/opt/java/openjdk", "/docker-entrypoint.sh")),
                "Flink, its Java and its entrypoint come from the official Flink image: " + fromFlink);
        assertTrue(env.contains("JAVA_HOME=/opt/java/openjdk") && env.contains("FLINK_HOME=/opt/flink"));
        assertEquals("flink", last.all("USER").get(last.all("USER").size() - 1).args(), "runs as flink, not root");
    }

    /** BuildKit's per-Dockerfile ignore files let through everything the Dockerfiles copy. */
    @Test
    void dockerignoreFilesKeepWhatTheBuildCopies() {
        for (Path file : List.of(CPU, GPU)) {
            Path ignore = file.resolveSibling(file.getFileName() + ".dockerignore");
            assertTrue(Files.isRegularFile(ignore), ignore + " is missing");
            List<String> patterns = DockerProject.read(ignore).lines().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            for (Stage s : DockerProject.stages(file)) {
                for (Map.Entry<String, String> copy : s.contextCopies().entrySet()) {
                    String src = copy.getValue();
                    assertFalse(ignored(patterns, src), ignore + " excludes " + src + ", which the Dockerfile copies");
                    assertFalse(ignored(patterns, src + "/x/y"), ignore + " excludes files under " + src);
                }
            }
            assertTrue(ignored(patterns, "job/target/densenet-job.jar"), ignore + " must keep target/ folders out");
            assertTrue(ignored(patterns, ".git/config"), ignore + " must keep .git out");
        }
    }

    /** Docker's rule: the last pattern matching the path or one of its parents decides (! = keep). */
    static boolean ignored(List<String> patterns, String path) {
        boolean excluded = false;
        for (String p : patterns) {
            boolean keep = p.startsWith("!");
            Pattern regex = glob(keep ? p.substring(1) : p);
            String prefix = path;
            boolean matches = false;
            while (true) {
                if (regex.matcher(prefix).matches()) {
                    matches = true;
                    break;
                }
                int slash = prefix.lastIndexOf('/');
                if (slash < 0) {
                    break;
                }
                prefix = prefix.substring(0, slash);
            }
            if (matches) {
                excluded = !keep;
            }
        }
        return excluded;
    }

    private static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                    re.append("/?");
                    i++;
                }
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    @Test
    void scriptsAreExecutableShellThatParses() {
        Path d = DockerProject.docker();
        List<Path> scripts = List.of(d.resolve("densenet-entrypoint.sh"), d.resolve("densenet-cli.sh"),
                d.resolve("assemble-cli.sh"), PREBUILT, d.resolve("engine.sh"), d.resolve("bases/build.sh"),
                d.resolve("bases/flink/docker-entrypoint.sh"), d.resolve("bases/kafka/docker/run"));
        Optional<Path> bash = DockerProject.onPath("bash");
        for (Path script : scripts) {
            assertTrue(Files.isExecutable(script), script + " must be executable (the images run it as is)");
            assertTrue(DockerProject.read(script).startsWith("#!/usr/bin/env bash\n"), script + ": bash shebang");
            if (bash.isPresent()) {
                DockerProject.Result r = DockerProject.run(Duration.ofSeconds(30), DockerProject.root(), Map.of(),
                        List.of(bash.get().toString(), "-n", script.toString()));
                assertEquals(0, r.exitCode(), script + " does not parse: " + r.output());
            }
        }
    }
}
