package io.densenetflink.it.docker;

import static io.densenetflink.it.docker.DockerProject.environment;
import static io.densenetflink.it.docker.DockerProject.map;
import static io.densenetflink.it.docker.DockerProject.option;
import static io.densenetflink.it.docker.DockerProject.tokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/docker-compose.yml and docker-compose.gpu.yml, checked without Docker: every service, image, build,
 * path, topic, listener, port, variable and command line they name agrees with the project and with each other.
 */
class ComposeStackTest {

    static final Path COMPOSE = DockerProject.docker().resolve("docker-compose.yml");
    static final Path COMPOSE_GPU = DockerProject.docker().resolve("docker-compose.gpu.yml");
    static final Set<String> SERVICES =
            Set.of("kafka", "kafka-init", "jobmanager", "taskmanager", "producer", "consumer", "prometheus");

    private final Map<String, Object> compose = DockerProject.yaml(COMPOSE);
    private final Map<String, Object> services = map(compose.get("services"), "services");
    private final Map<String, Object> flinkConf =
            DockerProject.flatten(DockerProject.yaml(DockerProject.docker().resolve("flink-conf/config.yaml")));

    private Map<String, Object> service(String name) {
        return map(services.get(name), "service " + name);
    }

    private List<String> jobManagerCommand() {
        return tokens(service("jobmanager").get("command"));
    }

    /** The job's own arguments: what standalone-job passes to DenseNetJob.main. */
    private List<String> jobArguments() {
        List<String> cmd = jobManagerCommand();
        int i = cmd.indexOf("--job-classname");
        assertTrue(i > 0, "jobmanager: standalone-job needs --job-classname: " + cmd);
        return cmd.subList(i + 2, cmd.size());
    }

    @Test
    void composeFilesDeclareTheStack() {
        assertEquals(SERVICES, services.keySet(), "services of " + COMPOSE);
        Map<String, Object> gpu = map(DockerProject.yaml(COMPOSE_GPU).get("services"), "gpu services");
        assertTrue(services.keySet().containsAll(gpu.keySet()),
                "docker-compose.gpu.yml overrides services the base file lacks: " + gpu.keySet());
        Map<String, Object> volumes = map(compose.get("volumes"), "volumes");
        for (String name : SERVICES) {
            for (String v : volumeMounts(service(name))) {
                String source = v.substring(0, v.indexOf(':'));
                if (source.startsWith(".") || source.startsWith("/")) {
                    Path host = DockerProject.docker().resolve(source).normalize();
                    assertTrue(Files.exists(host), name + ": bind mount source " + host + " does not exist");
                } else {
                    assertTrue(volumes.containsKey(source), name + ": volume '" + source + "' is not declared");
                }
            }
        }
    }

    private static List<String> volumeMounts(Map<String, Object> service) {
        List<String> out = new ArrayList<>();
        if (service.get("volumes") instanceof List<?> l) {
            l.forEach(v -> out.add(String.valueOf(v)));
        }
        return out;
    }

    @Test
    void imagesAreBuiltHereOrPinned() {
        for (Path file : List.of(COMPOSE, COMPOSE_GPU)) {
            Map<String, Object> svcs = map(DockerProject.yaml(file).get("services"), "services");
            for (Map.Entry<String, Object> e : svcs.entrySet()) {
                Map<String, Object> svc = map(e.getValue(), e.getKey());
                String image = String.valueOf(svc.get("image"));
                String where = file.getFileName() + " " + e.getKey();
                if (svc.get("build") != null) {
                    Map<String, Object> build = map(svc.get("build"), where + " build");
                    Path context = file.getParent().resolve(String.valueOf(build.get("context"))).normalize();
                    assertEquals(DockerProject.root(), context, where + ": build context must be the repository root");
                    Path dockerfile = context.resolve(String.valueOf(build.get("dockerfile")));
                    assertTrue(Files.isRegularFile(dockerfile), where + ": " + dockerfile + " does not exist");
                    Object target = build.get("target");
                    if (target != null) {
                        Set<String> names = new HashSet<>();
                        DockerProject.stages(dockerfile).forEach(s -> names.add(s.name()));
                        assertTrue(names.contains(String.valueOf(target)),
                                where + ": build target '" + target + "' is no stage of " + dockerfile);
                    }
                    assertTrue(image.startsWith("densenet-flink"), where + ": built image named " + image);
                } else if (svc.get("image") != null) {
                    assertFalse(image.startsWith("densenet-flink"),
                            where + ": " + image + " is built by this project but the service has no build section");
                    assertTrue(image.contains(":") && !image.endsWith(":latest"),
                            where + ": pin the image's tag: " + image);
                } else {
                    assertTrue(file.equals(COMPOSE_GPU), where + ": no image and no build");
                }
            }
        }
    }

    @Test
    void dependenciesStartInAWorkingOrder() {
        Map<String, Map<String, String>> graph = new LinkedHashMap<>();
        for (String name : SERVICES) {
            Map<String, String> deps = new LinkedHashMap<>();
            Object d = service(name).get("depends_on");
            if (d instanceof Map<?, ?> m) {
                m.forEach((k, v) -> deps.put(String.valueOf(k),
                        String.valueOf(map(v, name + " depends_on " + k).get("condition"))));
            } else if (d instanceof List<?> l) {
                l.forEach(k -> deps.put(String.valueOf(k), "service_started"));
            }
            graph.put(name, deps);
        }
        for (Map.Entry<String, Map<String, String>> e : graph.entrySet()) {
            for (Map.Entry<String, String> dep : e.getValue().entrySet()) {
                String target = dep.getKey();
                assertTrue(SERVICES.contains(target), e.getKey() + " depends on unknown service " + target);
                switch (dep.getValue()) {
                    case "service_started" -> { }
                    case "service_healthy" -> assertNotNull(service(target).get("healthcheck"),
                            e.getKey() + " waits for " + target + " to be healthy, which has no healthcheck");
                    case "service_completed_successfully" -> {
                        Object restart = service(target).get("restart");
                        assertTrue(restart == null || "no".equals(String.valueOf(restart)),
                                e.getKey() + " waits for one-shot " + target + " to complete, but it restarts: " + restart);
                    }
                    default -> fail(e.getKey() + ": unknown depends_on condition " + dep.getValue());
                }
            }
        }
        // No cycle (compose would refuse), and the job manager's health (job RUNNING) needs the task managers'
        // slots: a task manager waiting for it to be healthy would wait forever.
        for (String start : SERVICES) {
            List<String> stack = new ArrayList<>(List.of(start));
            Set<String> seen = new HashSet<>();
            while (!stack.isEmpty()) {
                String s = stack.remove(stack.size() - 1);
                for (String next : graph.get(s).keySet()) {
                    assertFalse(next.equals(start), "depends_on cycle through " + start);
                    if (seen.add(next)) {
                        stack.add(next);
                    }
                }
            }
        }
        assertFalse("service_healthy".equals(graph.get("taskmanager").get("jobmanager")),
                "taskmanager must not wait for the job manager's health: that needs the task managers' slots");
        assertEquals("service_completed_successfully", graph.get("jobmanager").get("kafka-init"),
                "the job starts once its topics exist");
        assertEquals("service_healthy", graph.get("kafka-init").get("kafka"), "topics are created once Kafka answers");
    }

    @Test
    void topicsAgreeBetweenTopicCreationJobProducerAndConsumer() {
        String init = String.join(" ", tokens(service("kafka-init").get("command")));
        Set<String> created = new TreeSet<>();
        Matcher m = Pattern.compile("--topic\\s+(\\S+)").matcher(init);
        while (m.find()) {
            created.add(m.group(1).replace("\"", ""));
        }
        List<String> job = jobArguments();
        String input = option(job, "--input-topic").orElseThrow();
        String output = option(job, "--output-topic").orElseThrow();
        String dlq = option(job, "--dlq-topic").orElseThrow();
        assertEquals(new TreeSet<>(Set.of(input, output, dlq)), created,
                "kafka-init must create exactly the job's input, output and dead-letter topics");
        assertEquals(input, option(tokens(service("producer").get("command")), "--topic").orElseThrow(),
                "the producer writes the job's input topic");
        List<String> consumed = List.of(option(tokens(service("consumer").get("command")), "--topic").orElseThrow()
                .split(","));
        assertTrue(consumed.contains(output) && Set.of(output, dlq).containsAll(consumed),
                "the consumer reads the job's output (and dead-letter) topics: " + consumed);
        Matcher rf = Pattern.compile("--replication-factor\\s+(\\d+)").matcher(init);
        while (rf.find()) {
            assertEquals("1", rf.group(1), "one broker: replication factor 1");
        }
    }

    @Test
    void clientsReachKafkaThroughItsListeners() {
        Map<String, String> kafka = environment(service("kafka"));
        Map<String, String> listeners = listenerMap(kafka.get("KAFKA_LISTENERS"));
        Map<String, String> advertised = listenerMap(kafka.get("KAFKA_ADVERTISED_LISTENERS"));
        Set<String> protocols = listenerMap(kafka.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").replace(":", "://")).keySet();
        assertTrue(protocols.containsAll(listeners.keySet()), "every listener needs a security protocol: " + protocols);
        assertTrue(listeners.keySet().containsAll(advertised.keySet()), "advertised listeners must be listeners");
        assertTrue(listeners.containsKey(kafka.get("KAFKA_INTER_BROKER_LISTENER_NAME")), "inter-broker listener");
        String controller = kafka.get("KAFKA_CONTROLLER_LISTENER_NAMES");
        assertTrue(listeners.containsKey(controller), "controller listener " + controller);
        Matcher voter = Pattern.compile("(\\d+)@([^:]+):(\\d+)").matcher(kafka.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));
        assertTrue(voter.matches(), "KAFKA_CONTROLLER_QUORUM_VOTERS: id@host:port");
        assertEquals(kafka.get("KAFKA_NODE_ID"), voter.group(1), "the only voter is this node");
        assertEquals(port(listeners.get(controller)), voter.group(3), "the voter's port is the controller listener's");
        assertTrue(hostnames("kafka").contains(voter.group(2)), "the voter's host is the kafka service");
        byte[] clusterId = Base64.getUrlDecoder().decode(kafka.get("CLUSTER_ID"));
        assertEquals(16, clusterId.length, "CLUSTER_ID must be a base64url UUID (22 characters)");

        // Every container that talks to Kafka uses an advertised host:port of the kafka service.
        Set<String> internal = new HashSet<>();
        advertised.forEach((name, hostPort) -> internal.add(hostPort));
        Map<String, List<String>> bootstraps = new LinkedHashMap<>();
        for (String name : List.of("jobmanager", "producer", "consumer", "kafka-init")) {
            List<String> found = new ArrayList<>();
            Matcher m = Pattern.compile("--bootstrap-servers?\\s+(\\S+)")
                    .matcher(String.join(" ", tokens(service(name).get("command"))));
            while (m.find()) {
                found.add(m.group(1));
            }
            assertFalse(found.isEmpty(), name + " names no Kafka bootstrap server");
            bootstraps.put(name, found);
        }
        for (String b : bootstraps.values().stream().flatMap(List::stream).toList()) {
            assertTrue(internal.contains(b), b + " is not an advertised listener of kafka: " + advertised);
            assertTrue(hostnames("kafka").contains(b.substring(0, b.indexOf(':'))), b + " is not the kafka service");
        }
        // The host's listener: published port -> a listener advertised as localhost:<published port>.
        for (String mapping : ports(service("kafka"))) {
            String[] parts = mapping.split(":");
            String hostPort = parts[parts.length - 2];
            String containerPort = parts[parts.length - 1];
            boolean found = false;
            for (Map.Entry<String, String> l : listeners.entrySet()) {
                if (port(l.getValue()).equals(containerPort)) {
                    assertEquals("localhost:" + hostPort, advertised.get(l.getKey()),
                            "listener " + l.getKey() + " published on " + hostPort + " must advertise it");
                    found = true;
                }
            }
            assertTrue(found, "kafka publishes " + containerPort + ", which no listener uses");
        }
    }

    @Test
    void kafkaAcceptsTheJobsTransactions() {
        Map<String, String> kafka = environment(service("kafka"));
        long maxTimeout = Long.parseLong(kafka.get("KAFKA_TRANSACTION_MAX_TIMEOUT_MS"));
        JobSettings settings = CliArguments.parseJobArguments(jobArguments());
        Duration configured = settings.get(JobOptions.TRANSACTION_TIMEOUT);
        long needed = configured != null ? configured.toMillis() : Duration.ofHours(1).toMillis();
        assertTrue(maxTimeout >= needed, "transaction.max.timeout.ms " + maxTimeout + " < the sinks' " + needed + " ms");
        for (String key : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
            assertEquals("1", kafka.get(key), key + ": one broker");
        }
    }

    @Test
    void jobManagerRunsTheJobInApplicationMode() throws Exception {
        List<String> cmd = jobManagerCommand();
        assertEquals("standalone-job", cmd.get(0), "application mode: the Flink image's standalone-job command");
        String mainClass = option(cmd, "--job-classname").orElseThrow();
        assertEquals(DockerProject.JOB_MAIN_CLASS, mainClass);
        Class.forName(mainClass, false, getClass().getClassLoader());

        List<String> args = jobArguments();
        JobSettings settings = CliArguments.parseJobArguments(args);
        String model = option(args, "--model").orElseThrow();
        Map<String, String> copies = DockerfileTest.finalStage(DockerfileTest.CPU).contextCopies();
        assertTrue(copies.containsKey(model), "--model " + model + " is not where docker/Dockerfile copies a model: "
                + copies.keySet());
        assertTrue(copies.get(model).startsWith("models/"), "the model comes from the repository's models/");

        int parallelism = Integer.parseInt(option(args, "--parallelism").orElse("1"));
        Map<String, String> tm = environment(service("taskmanager"));
        int slots = Integer.parseInt(tm.getOrDefault("TASK_MANAGER_NUMBER_OF_TASK_SLOTS",
                String.valueOf(flinkConf.get("taskmanager.numberOfTaskSlots"))));
        int replicas = replicas(service("taskmanager"));
        assertTrue(parallelism <= slots * replicas, "parallelism " + parallelism + " > " + replicas
                + " task manager(s) x " + slots + " slots: the job would wait for slots forever");
        assertEquals(parallelism, settings.get(JobOptions.PARALLELISM), "--parallelism as the job reads it");
        for (String name : List.of("jobmanager", "taskmanager")) {
            assertEquals("jobmanager", environment(service(name)).get("JOB_MANAGER_RPC_ADDRESS"),
                    name + ": JOB_MANAGER_RPC_ADDRESS must name the job manager service");
        }
        assertEquals(List.of("taskmanager"), tokens(service("taskmanager").get("command")));
        assertEquals(service("jobmanager").get("image"), service("taskmanager").get("image"),
                "job and task managers run the same image (same job jar, same lib/)");
    }

    private static int replicas(Map<String, Object> svc) {
        if (svc.get("deploy") instanceof Map<?, ?> deploy && deploy.get("replicas") != null) {
            return Integer.parseInt(String.valueOf(deploy.get("replicas")));
        }
        return svc.get("scale") == null ? 1 : Integer.parseInt(String.valueOf(svc.get("scale")));
    }

    @Test
    void producerAndConsumerRunRealCliCommands() {
        Map<String, String> cliCopies = DockerfileTest.stage(DockerfileTest.CPU, "cli").contextCopies();
        for (String name : List.of("producer", "consumer")) {
            Map<String, Object> svc = service(name);
            assertEquals("cli", String.valueOf(map(svc.get("build"), name).get("target")), name + " runs the cli image");
            List<String> cmd = tokens(svc.get("command"));
            CliArguments.parseSubcommand(cmd.get(0), cmd.subList(1, cmd.size()));
        }
        List<String> produce = tokens(service("producer").get("command"));
        assertEquals("produce", produce.get(0));
        String sample = option(produce, "--fashion-mnist").orElseThrow();
        assertEquals("models/fashion-mnist-sample", cliCopies.get(sample),
                "the producer's --fashion-mnist folder is the shipped sample, copied into the cli image");
        List<String> consume = tokens(service("consumer").get("command"));
        assertEquals("consume", consume.get(0));
        assertTrue(consume.contains("--evaluate"), "the consumer prints the accuracy");
        assertEquals(option(produce, "--limit"), option(consume, "--limit"),
                "the consumer expects as many results as the producer sends");
    }

    @Test
    void portsAgreeWithFlinkAndPrometheus() {
        String restPort = String.valueOf(flinkConf.get("rest.port"));
        String metricsPort = String.valueOf(flinkConf.get("metrics.reporter.prom.port"));
        assertEquals(List.of(restPort), containerPorts(service("jobmanager")), "jobmanager publishes the web UI/REST port");
        assertTrue(String.join(" ", tokens(map(service("jobmanager").get("healthcheck"), "hc").get("test")))
                .contains("localhost:" + restPort + "/"), "the job manager's health check asks its REST port");
        assertTrue(String.join(" ", tokens(map(service("taskmanager").get("healthcheck"), "hc").get("test")))
                .contains("localhost:" + metricsPort + "/"), "the task manager's health check asks its metrics port");

        Map<String, Object> prometheus = DockerProject.yaml(DockerProject.docker().resolve("prometheus.yml"));
        Set<String> targets = new LinkedHashSet<>();
        for (Object job : (List<?>) prometheus.get("scrape_configs")) {
            Map<String, Object> j = map(job, "scrape config");
            if (j.get("static_configs") instanceof List<?> statics) {
                for (Object sc : statics) {
                    ((List<?>) map(sc, "static").get("targets")).forEach(t -> targets.add(String.valueOf(t)));
                }
            }
            if (j.get("dns_sd_configs") instanceof List<?> dns) {
                for (Object dc : dns) {
                    Map<String, Object> d = map(dc, "dns");
                    ((List<?>) d.get("names")).forEach(n -> targets.add(n + ":" + d.get("port")));
                }
            }
        }
        assertEquals(Set.of("jobmanager:" + metricsPort, "taskmanager:" + metricsPort), targets,
                "Prometheus scrapes Flink's reporter port on the job manager and every task manager");
        String promMount = volumeMounts(service("prometheus")).get(0);
        assertTrue(promMount.startsWith("./prometheus.yml:"), "prometheus mounts docker/prometheus.yml");
        String promConfig = promMount.split(":")[1];
        assertTrue(tokens(service("prometheus").get("command")).contains("--config.file=" + promConfig),
                "prometheus reads the mounted configuration");
        assertEquals(List.of("9090"), containerPorts(service("prometheus")));

        Set<String> hostPorts = new HashSet<>();
        for (String name : SERVICES) {
            for (String mapping : ports(service(name))) {
                String[] parts = mapping.split(":");
                assertTrue(hostPorts.add(parts[parts.length - 2]), "host port " + parts[parts.length - 2] + " used twice");
            }
        }
    }

    private static List<String> ports(Map<String, Object> svc) {
        List<String> out = new ArrayList<>();
        if (svc.get("ports") instanceof List<?> l) {
            l.forEach(p -> out.add(DockerProject.interpolateDefaults(String.valueOf(p))));
        }
        return out;
    }

    private static List<String> containerPorts(Map<String, Object> svc) {
        return ports(svc).stream().map(p -> p.substring(p.lastIndexOf(':') + 1)).toList();
    }

    @Test
    void memoryLimitsHoldFlinksProcessSizes() {
        long tm = DockerProject.bytes(String.valueOf(flinkConf.get("taskmanager.memory.process.size")));
        long jm = DockerProject.bytes(String.valueOf(flinkConf.get("jobmanager.memory.process.size")));
        assertTrue(DockerProject.bytes(String.valueOf(service("taskmanager").get("mem_limit"))) > tm,
                "taskmanager mem_limit must exceed taskmanager.memory.process.size (" + tm + " bytes)");
        assertTrue(DockerProject.bytes(String.valueOf(service("jobmanager").get("mem_limit"))) > jm,
                "jobmanager mem_limit must exceed jobmanager.memory.process.size (" + jm + " bytes)");
    }

    /**
     * Every variable a service is given has a reader: the Flink image's entrypoint, docker/densenet-*.sh,
     * MXNet, or the apache/kafka image (KAFKA_* become broker properties).
     */
    @Test
    void everyEnvironmentVariableHasAReader() {
        Set<String> flinkEntrypoint = Set.of("JOB_MANAGER_RPC_ADDRESS", "TASK_MANAGER_NUMBER_OF_TASK_SLOTS",
                "FLINK_PROPERTIES", "ENABLE_BUILT_IN_PLUGINS", "DISABLE_JEMALLOC");
        Set<String> mxnet = Set.of("OMP_NUM_THREADS", "MXNET_ENGINE_TYPE");
        String scripts = DockerProject.read(DockerProject.docker().resolve("densenet-entrypoint.sh"))
                + DockerProject.read(DockerProject.docker().resolve("densenet-cli.sh"));
        List<String> orphans = new ArrayList<>();
        for (Path file : List.of(COMPOSE, COMPOSE_GPU)) {
            Map<String, Object> svcs = map(DockerProject.yaml(file).get("services"), "services");
            for (Map.Entry<String, Object> e : svcs.entrySet()) {
                for (String var : environment(map(e.getValue(), e.getKey())).keySet()) {
                    boolean kafkaImage = String.valueOf(service(e.getKey()).get("image")).startsWith("apache/kafka:");
                    boolean known = flinkEntrypoint.contains(var) || mxnet.contains(var)
                            || (kafkaImage && (var.startsWith("KAFKA_") || var.equals("CLUSTER_ID")))
                            || scripts.contains("${" + var);
                    if (!known) {
                        orphans.add(file.getFileName() + " " + e.getKey() + ": " + var);
                    }
                }
            }
        }
        assertEquals(List.of(), orphans, "variables nothing reads");
    }

    /** The ${DENSENET_*} knobs of the compose files are documented in README.md's Deploy section. */
    @Test
    void composeVariablesAreDocumented() {
        String readme = DockerProject.read(DockerProject.root().resolve("README.md"));
        int deploy = readme.indexOf("\n## Deploy");
        assertTrue(deploy >= 0, "README.md has no '## Deploy' section");
        String section = readme.substring(deploy);
        int next = section.indexOf("\n## ", 3);
        section = next < 0 ? section : section.substring(0, next);
        Set<String> missing = new TreeSet<>();
        for (Path file : List.of(COMPOSE, COMPOSE_GPU)) {
            for (String var : DockerProject.variables(DockerProject.read(file))) {
                if (!section.contains(var)) {
                    missing.add(var);
                }
            }
        }
        assertEquals(Set.of(), missing, "compose variables missing from README.md's Deploy section");
        // And the other way: every setting README lists for compose reaches the stack (a variable compose does not
        // pass on would be silently ignored).
        int settings = section.indexOf("Settings (environment variables, all optional):");
        assertTrue(settings >= 0, "README.md's Deploy section lists the compose settings");
        String listed = section.substring(settings, section.indexOf("More task managers", settings));
        Set<String> passed = new TreeSet<>(DockerProject.variables(DockerProject.read(COMPOSE)));
        Set<String> ignored = new TreeSet<>();
        Matcher m = Pattern.compile("DENSENET_[A-Z_]+").matcher(listed);
        while (m.find()) {
            if (!passed.contains(m.group())) {
                ignored.add(m.group());
            }
        }
        assertEquals(Set.of(), ignored, "README.md lists compose settings that docker-compose.yml never reads");
        for (String file : List.of("docker/docker-compose.yml", "docker/docker-compose.gpu.yml", "docker/Dockerfile",
                "docker/Dockerfile.gpu", "docker/kubernetes/flinkdeployment.yaml", "docker/prometheus.yml")) {
            assertTrue(section.contains(file), "README.md's Deploy section does not mention " + file);
            assertTrue(Files.exists(DockerProject.root().resolve(file)), file);
        }
    }

    @Test
    void gpuOverrideReservesNvidiaDevicesForTaskManagers() {
        Map<String, Object> gpu = map(DockerProject.yaml(COMPOSE_GPU).get("services"), "services");
        Map<String, Object> tm = map(gpu.get("taskmanager"), "gpu taskmanager");
        assertEquals("docker/Dockerfile.gpu", String.valueOf(map(tm.get("build"), "build").get("dockerfile")));
        assertEquals(map(gpu.get("jobmanager"), "gpu jobmanager").get("image"), tm.get("image"),
                "with GPUs the job manager runs the same image as the task managers");
        assertFalse(String.valueOf(tm.get("image")).equals(String.valueOf(service("taskmanager").get("image"))),
                "the GPU image needs its own name");
        Map<String, Object> reservations =
                map(map(map(tm.get("deploy"), "deploy").get("resources"), "resources").get("reservations"), "reservations");
        List<?> devices = (List<?>) reservations.get("devices");
        assertEquals(1, devices.size());
        Map<String, Object> device = map(devices.get(0), "device");
        assertEquals("nvidia", device.get("driver"));
        assertTrue(((List<?>) device.get("capabilities")).contains("gpu"));
        assertEquals(String.valueOf(device.get("count")), environment(tm).get("DENSENET_GPUS_PER_TASKMANAGER"),
                "Flink's GPU amount (DENSENET_GPUS_PER_TASKMANAGER) must equal the GPUs reserved");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** "NAME://host:port,..." to NAME -> host:port. */
    private static Map<String, String> listenerMap(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int sep = part.indexOf("://");
            out.put(part.substring(0, sep).trim(), part.substring(sep + 3).trim());
        }
        return out;
    }

    private static String port(String hostPort) {
        return hostPort.substring(hostPort.lastIndexOf(':') + 1);
    }

    /** The names a service answers to on the compose network: its name and its hostname. */
    private Set<String> hostnames(String name) {
        Set<String> names = new HashSet<>(Set.of(name));
        Object hostname = service(name).get("hostname");
        if (hostname != null) {
            names.add(String.valueOf(hostname));
        }
        return names;
    }
}
