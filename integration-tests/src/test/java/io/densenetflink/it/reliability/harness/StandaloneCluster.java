package io.densenetflink.it.reliability.harness;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.densenetflink.it.ProjectRoot;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Flink standalone session cluster of separate JVM processes, run from the jars Maven resolved: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}) started the way
 * Flink's scripts start them, and jobs submitted with Flink's own CLI frontend ({@code CliFrontend run}).
 *
 * <p>{@code flink-dist} is not on Maven Central, so its {@code lib/} is assembled from the class path files the
 * build writes: Flink itself ({@code job/target/densenet-provided.classpath}), what flink-dist bundles on top
 * ({@code target/flink-dist-extras.classpath}: commons-*, snappy, lz4, log4j) and what the docker images add to
 * {@code lib/} ({@code job/target/flink-lib/}: DJL, JNA, the MXNet natives). Every process of a real cluster
 * has that same {@code lib/}, JobManager and client included (the job graph refers to DJL types). Each process
 * logs to its own file under the cluster's directory; {@link #logs()} returns their tails for failure messages.
 */
public final class StandaloneCluster implements AutoCloseable {

    /** The {@code --add-opens}/{@code --add-exports} of Flink's config.yaml ({@code env.java.default-opts.all}). */
    private static final List<String> JAVA_17_FLAGS = List.of(
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final Pattern SUBMITTED = Pattern.compile("JobID ([0-9a-f]{32})");

    private final Path dir;
    private final Path conf;
    private final String classPath;
    private final int restPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logFiles = new ArrayList<>();
    private final List<Process> taskManagers = new ArrayList<>();

    private StandaloneCluster(Path dir, String classPath, int restPort) {
        this.dir = dir;
        this.conf = dir.resolve("conf");
        this.classPath = classPath;
        this.restPort = restPort;
    }

    /** Writes the configuration (one slot per TaskManager, logs at INFO) and starts the JobManager. */
    public static StandaloneCluster start(Path dir) throws IOException {
        return start(dir, "INFO");
    }

    /** {@link #start(Path)} with every process logging at {@code logLevel} (e.g. DEBUG). */
    public static StandaloneCluster start(Path dir, String logLevel) throws IOException {
        Path root = ProjectRoot.path();
        StandaloneCluster cluster = new StandaloneCluster(dir, flinkLib(root), freePort());
        cluster.writeConfiguration(freePort(), logLevel);
        cluster.launch("jobmanager",
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", "768m");
        return cluster;
    }

    /** Starts one more TaskManager process. */
    public Process startTaskManager() throws IOException {
        Process tm = launch("taskmanager-" + taskManagers.size(),
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "320m");
        taskManagers.add(tm);
        return tm;
    }

    /** Kills a TaskManager with SIGKILL: no shutdown hook, no deregistration, its tasks just vanish. */
    public void kill(Process taskManager) throws InterruptedException {
        taskManager.destroyForcibly();
        if (!taskManager.waitFor(1, TimeUnit.MINUTES)) {
            throw new AssertionError("the killed TaskManager did not exit");
        }
    }

    /** Waits until {@code count} TaskManagers have registered their slots with the JobManager. */
    public void awaitTaskManagers(int count, Duration timeout) throws Exception {
        await(() -> {
            JsonObject overview = get("/overview");
            return overview != null && overview.get("taskmanagers").getAsInt() >= count;
        }, timeout, count + " TaskManagers registered");
    }

    /** Submits {@code jar} with {@code args} through {@code CliFrontend run -d}; returns the job id. */
    public String submit(Path jar, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(javaCommand("client", "256m"));
        command.addAll(List.of("org.apache.flink.client.cli.CliFrontend", "run", "-d", "-m", "localhost:" + restPort,
                jar.toString()));
        command.addAll(args);
        Path log = dir.resolve("client.out");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("FLINK_CONF_DIR", conf.toString());
        Process client = pb.start();
        if (!client.waitFor(3, TimeUnit.MINUTES)) {
            client.destroyForcibly();
            throw new AssertionError("flink run did not return within 3 minutes:\n" + Pipeline.tail(log, 30));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Matcher id = SUBMITTED.matcher(output);
        if (client.exitValue() != 0 || !id.find()) {
            throw new AssertionError("flink run exited with " + client.exitValue() + ":\n" + Pipeline.tail(log, 30) + logs());
        }
        return id.group(1);
    }

    /** Checkpoints of job {@code jobId} completed so far. */
    public int completedCheckpoints(String jobId) throws Exception {
        JsonObject checkpoints = get("/jobs/" + jobId + "/checkpoints");
        return checkpoints == null ? 0 : checkpoints.getAsJsonObject("counts").get("completed").getAsInt();
    }

    /** The job's state, e.g. RUNNING. */
    public String state(String jobId) throws Exception {
        JsonObject job = get("/jobs/" + jobId);
        return job == null ? "UNKNOWN" : job.get("state").getAsString();
    }

    /** The failures the job recovered from, as the JobManager's exception history lists them. */
    public List<String> failures(String jobId) throws Exception {
        JsonObject exceptions = get("/jobs/" + jobId + "/exceptions");
        List<String> failures = new ArrayList<>();
        if (exceptions != null && exceptions.has("exceptionHistory")) {
            JsonArray entries = exceptions.getAsJsonObject("exceptionHistory").getAsJsonArray("entries");
            entries.forEach(e -> failures.add(e.getAsJsonObject().get("exceptionName").getAsString()));
        }
        return failures;
    }

    public void cancel(String jobId) throws Exception {
        http.send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    /** Every file a process of the cluster wrote its output or log to (the client's included). */
    public List<Path> logFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".out")).sorted().toList();
        }
    }

    /** The body of a GET on the REST API, e.g. {@code /jobs/ID/config}; null when it did not answer 200. */
    public String rest(String path) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The last lines of every process's log, for a failure message. */
    public String logs() {
        StringBuilder text = new StringBuilder();
        for (Path log : logFiles) {
            text.append("\n--- ").append(log.getFileName()).append(" ---\n").append(Pipeline.tail(log, 30));
        }
        return text.toString();
    }

    /** Stops every process (SIGTERM, then SIGKILL after 30 s). */
    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    public static void await(BooleanSupplierWithException condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(250);
        }
    }

    /** A condition to wait for that may throw. */
    @FunctionalInterface
    public interface BooleanSupplierWithException {
        boolean getAsBoolean() throws Exception;
    }

    private Process launch(String name, String mainClass, String heap) throws IOException {
        List<String> command = new ArrayList<>(javaCommand(name, heap));
        command.addAll(List.of(mainClass, "--configDir", conf.toString()));
        Path out = dir.resolve(name + ".out");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        // One OpenMP thread per slot: the machine running the suite may have two cores for everything.
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        processes.add(p);
        logFiles.add(dir.resolve(name + ".log"));
        logFiles.add(out);
        return p;
    }

    private List<String> javaCommand(String name, String heap) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JAVA_17_FLAGS);
        command.addAll(List.of("-Xmx" + heap, "-Dlog.file=" + dir.resolve(name + ".log"),
                "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri(), "-Dai.djl.offline=true",
                "-cp", classPath));
        return command;
    }

    private void writeConfiguration(int rpcPort, String logLevel) throws IOException {
        Files.createDirectories(conf);
        Path checkpoints = dir.resolve("checkpoints");
        // A TaskManagerRunner started by hand gets no memory sizes derived by Flink's scripts: every component
        // is spelled out, adding up to 1 GiB per TaskManager. Heartbeats are short so that the JobManager
        // notices the killed TaskManager within seconds (Flink's default timeout is 50 s).
        String yaml = String.join("\n",
                "jobmanager.rpc.address: localhost",
                "jobmanager.rpc.port: " + rpcPort,
                "jobmanager.bind-host: localhost",
                "jobmanager.memory.process.size: 1024m",
                "rest.address: localhost",
                "rest.bind-address: localhost",
                "rest.port: " + restPort,
                "taskmanager.host: localhost",
                "taskmanager.bind-host: localhost",
                "taskmanager.numberOfTaskSlots: 1",
                "taskmanager.cpu.cores: 1",
                "taskmanager.memory.framework.heap.size: 64m",
                "taskmanager.memory.task.heap.size: 256m",
                "taskmanager.memory.managed.size: 32m",
                "taskmanager.memory.framework.off-heap.size: 64m",
                "taskmanager.memory.task.off-heap.size: 384m",
                "taskmanager.memory.network.min: 32m",
                "taskmanager.memory.network.max: 32m",
                "taskmanager.memory.jvm-metaspace.size: 160m",
                "taskmanager.memory.jvm-overhead.min: 32m",
                "taskmanager.memory.jvm-overhead.max: 32m",
                "parallelism.default: 2",
                "heartbeat.interval: 1000",
                "heartbeat.timeout: 5000",
                "restart-strategy.type: fixed-delay",
                "restart-strategy.fixed-delay.attempts: 20",
                "restart-strategy.fixed-delay.delay: 1 s",
                "state.backend.type: hashmap",
                "execution.checkpointing.dir: " + checkpoints.toUri(),
                "classloader.parent-first-patterns.additional: [ai.djl., com.sun.jna., com.google.gson.,"
                        + " com.github.luben.zstd.]",
                "");
        Files.writeString(conf.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
        Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = " + logLevel,
                "rootLogger.appenderRef.file.ref = FileAppender",
                "appender.file.name = FileAppender",
                "appender.file.type = File",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                ""), StandardCharsets.UTF_8);
    }

    private JsonObject get(String path) throws InterruptedException {
        String body = rest(path); // null: not up yet, or restarting
        return body == null ? null : JsonParser.parseString(body).getAsJsonObject();
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + restPort + path);
    }

    /** The deployable job jar, job/target/densenet-job-VERSION-flink.jar (job/pom.xml's shade execution). */
    public static Path jobJar() throws IOException {
        Path target = ProjectRoot.path().resolve("job/target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("densenet-job-.*-flink\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no job jar in " + target
                            + ": build the job module first (mvn verify)"));
        }
    }

    /** Flink's lib/ as a class path: Flink, what flink-dist adds, and the docker images' additions. */
    private static String flinkLib(Path root) throws IOException {
        Path flink = root.resolve("job/target/densenet-provided.classpath");
        Path extras = root.resolve("integration-tests/target/flink-dist-extras.classpath");
        Path images = root.resolve("job/target/flink-lib");
        for (Path p : List.of(flink, extras, images)) {
            if (!Files.exists(p)) {
                throw new IllegalStateException(p + " is missing: build with mvn verify (job/ then integration-tests/)");
            }
        }
        try (Stream<Path> jars = Files.list(images)) {
            return Stream.of(Files.readString(flink).strip(), Files.readString(extras).strip(),
                    jars.filter(j -> j.toString().endsWith(".jar")).map(Path::toString).sorted()
                            .collect(Collectors.joining(":")))
                    .collect(Collectors.joining(":"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
