package io.densenetflink.it.docker;

import static io.densenetflink.it.docker.DockerProject.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker/flink-conf/config.yaml, the Kubernetes example's flinkConfiguration and the GPU properties the entrypoint
 * adds: every key is one Flink 2.2 knows (its ConfigOptions, read from the Flink jars), and the values agree
 * with the images and the compose stack.
 */
class FlinkConfigurationTest {

    static final Path CONFIG = DockerProject.docker().resolve("flink-conf/config.yaml");
    static final Path K8S = DockerProject.docker().resolve("kubernetes/flinkdeployment.yaml");

    /** Reporter options (metrics.reporter.NAME.*): MetricOptions' reporter-scoped keys and the reporters' own. */
    private static final Set<String> REPORTER_KEYS = Set.of("factory.class", "class", "interval", "scope.delimiter",
            "scope.variables.excludes", "scope.variables.additional", "filter.includes", "filter.excludes",
            "port", "filterLabelValueCharacters");
    /** External resource options (external-resource.NAME.*). */
    private static final Pattern EXTERNAL_RESOURCE =
            Pattern.compile("external-resource\\.[^.]+\\.(amount|driver-factory\\.class|param\\..+|kubernetes\\.config-key|yarn\\.config-key)");
    /** Native Kubernetes options (flink-kubernetes is not on this class path). */
    private static final Set<String> KUBERNETES_KEYS = Set.of("kubernetes.entry.path");

    private static final Set<String> KNOWN = new TreeSet<>();

    @BeforeAll
    static void readFlinksOptions() throws IOException, URISyntaxException {
        for (Class<?> anchor : List.of(ConfigOption.class,
                org.apache.flink.runtime.jobgraph.JobGraph.class,
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.class,
                org.apache.flink.client.cli.CliFrontend.class)) {
            Path jar = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (JarFile jf = new JarFile(jar.toFile())) {
                Enumeration<JarEntry> entries = jf.entries();
                while (entries.hasMoreElements()) {
                    String name = entries.nextElement().getName();
                    if (name.endsWith("Options.class") && !name.contains("$")) {
                        collect(name.substring(0, name.length() - 6).replace('/', '.'));
                    }
                }
            }
        }
        assertTrue(KNOWN.contains("taskmanager.numberOfTaskSlots") && KNOWN.size() > 500,
                "Flink's options were not found (" + KNOWN.size() + ")");
    }

    private static void collect(String className) {
        try {
            Class<?> c = Class.forName(className, true, FlinkConfigurationTest.class.getClassLoader());
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                    ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                    KNOWN.add(option.key());
                    for (FallbackKey k : option.fallbackKeys()) {
                        KNOWN.add(k.getKey());
                    }
                }
            }
        } catch (Throwable ignored) {
            // a class that cannot be initialised here defines no option we use
        }
    }

    static boolean known(String key) {
        if (KNOWN.contains(key) || KUBERNETES_KEYS.contains(key) || EXTERNAL_RESOURCE.matcher(key).matches()) {
            return true;
        }
        Matcher reporter = Pattern.compile("metrics\\.reporter\\.[^.]+\\.(.+)").matcher(key);
        return reporter.matches() && REPORTER_KEYS.contains(reporter.group(1));
    }

    private static void assertKnown(Map<String, Object> config, String where) {
        List<String> unknown = new ArrayList<>();
        for (String key : config.keySet()) {
            if (!known(key)) {
                unknown.add(key);
            }
        }
        assertEquals(List.of(), unknown, where + ": keys Flink " + DockerProject.rootProperty("flink.version")
                + " does not know (typo, or a 1.x name renamed in 2.0?)");
    }

    @Test
    void imageConfigurationUsesFlinksKeys() {
        assertKnown(DockerProject.flatten(DockerProject.yaml(CONFIG)), "docker/flink-conf/config.yaml");
    }

    @Test
    void kubernetesExampleUsesFlinksKeys() {
        Map<String, Object> spec = map(DockerProject.yaml(K8S).get("spec"), "spec");
        assertKnown(DockerProject.flatten(map(spec.get("flinkConfiguration"), "flinkConfiguration")), K8S.toString());
    }

    /** The lines densenet-entrypoint.sh adds to FLINK_PROPERTIES when it selects the GPU. */
    @Test
    void gpuPropertiesOfTheEntrypointUseFlinksKeys() {
        String script = DockerProject.read(DockerProject.docker().resolve("densenet-entrypoint.sh"));
        Map<String, Object> props = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^(external-resource[\\w.-]*):\\s*(.+)$").matcher(script);
        while (m.find()) {
            props.put(m.group(1), m.group(2));
        }
        assertEquals(Set.of("external-resources", "external-resource.gpu.driver-factory.class",
                "external-resource.gpu.amount"), props.keySet());
        assertKnown(props, "densenet-entrypoint.sh FLINK_PROPERTIES");
        assertEquals("org.apache.flink.externalresource.gpu.GPUDriverFactory",
                props.get("external-resource.gpu.driver-factory.class"));
    }

    /** Everything in flink-lib/ is loaded parent-first even if a job jar also carried it. */
    @Test
    void parentFirstPatternsCoverFlinkLib() throws IOException {
        Object patterns = DockerProject.flatten(DockerProject.yaml(CONFIG)).get("classloader.parent-first-patterns.additional");
        List<String> list = patterns instanceof List<?> l ? l.stream().map(String::valueOf).toList()
                : List.of(String.valueOf(patterns).split(";"));
        Map<String, String> packageOf = Map.of("api", "ai.djl.", "mxnet-engine", "ai.djl.", "jna", "com.sun.jna.",
                "gson", "com.google.gson.", "zstd-jni", "com.github.luben.zstd.");
        String ids = DockerProject.text(DockerProject.child(DockerProject.execution(
                DockerProject.root().resolve("job/pom.xml"), "maven-dependency-plugin", "flink-lib"), "configuration"),
                "includeArtifactIds");
        for (String id : ids.split(",")) {
            id = id.trim();
            if (id.equals("mxnet-native-mkl")) {
                continue; // natives only, no classes
            }
            assertTrue(packageOf.containsKey(id), "flink-lib has " + id + ": say which package it brings");
            assertTrue(list.contains(packageOf.get(id)), "classloader.parent-first-patterns.additional lacks "
                    + packageOf.get(id) + " (" + id + ")");
        }
        Object k8s = DockerProject.flatten(map(map(DockerProject.yaml(K8S).get("spec"), "spec").get("flinkConfiguration"),
                "flinkConfiguration")).get("classloader.parent-first-patterns.additional");
        assertEquals(Set.copyOf(list), Set.of(String.valueOf(k8s).split(";")),
                "the Kubernetes example repeats the image's parent-first patterns");
        // Where the build ran: the jars' classes really are under those packages.
        Path lib = DockerProject.root().resolve("job/target/flink-lib");
        if (Files.isDirectory(lib)) {
            try (var jars = Files.list(lib)) {
                for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                    try (JarFile jf = new JarFile(jar.toFile())) {
                        jf.stream().map(JarEntry::getName)
                                .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/")
                                        && !n.equals("module-info.class"))
                                .forEach(n -> assertTrue(list.stream().anyMatch(p -> n.replace('/', '.').startsWith(p)),
                                        jar.getFileName() + ": " + n + " is not covered by a parent-first pattern"));
                    }
                }
            }
        }
    }

    @Test
    void checkpointsGoToTheVolumeBothManagersMount() {
        Map<String, Object> conf = DockerProject.flatten(DockerProject.yaml(CONFIG));
        assertEquals("filesystem", conf.get("execution.checkpointing.storage"));
        String dir = String.valueOf(conf.get("execution.checkpointing.dir"));
        assertTrue(dir.startsWith("file:///"), dir);
        String path = dir.substring("file://".length());
        Map<String, Object> services = map(DockerProject.yaml(ComposeStackTest.COMPOSE).get("services"), "services");
        for (String name : List.of("jobmanager", "taskmanager")) {
            List<?> volumes = (List<?>) map(services.get(name), name).get("volumes");
            assertTrue(volumes.stream().map(String::valueOf).anyMatch(v -> v.endsWith(":" + path)),
                    name + " must mount a shared volume at " + path + ": job and task managers both read and write there");
        }
        assertEquals("hashmap", conf.get("state.backend.type"));
        assertTrue(((Number) conf.get("execution.checkpointing.num-retained")).intValue() >= 1);
    }

    @Test
    void memoryBudgetLeavesTheModelItsOffHeapMemory() {
        Map<String, Object> conf = DockerProject.flatten(DockerProject.yaml(CONFIG));
        long process = DockerProject.bytes(String.valueOf(conf.get("taskmanager.memory.process.size")));
        long offHeap = DockerProject.bytes(String.valueOf(conf.get("taskmanager.memory.task.off-heap.size")));
        long managed = DockerProject.bytes(String.valueOf(conf.get("taskmanager.memory.managed.size")));
        int slots = ((Number) conf.get("taskmanager.numberOfTaskSlots")).intValue();
        assertTrue(offHeap >= slots * (512L << 20), "task off-heap memory: at least 512 MB per slot for MXNet");
        assertTrue(offHeap + managed < process / 2, "off-heap + managed must leave the JVM heap and network room");
        assertEquals("9249", String.valueOf(conf.get("metrics.reporter.prom.port")), "the port prometheus.yml scrapes");
        assertEquals("org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                conf.get("metrics.reporter.prom.factory.class"));
    }

    @Test
    void kubernetesExampleDeploysTheImagesJob() {
        Map<String, Object> doc = DockerProject.yaml(K8S);
        assertEquals("flink.apache.org/v1beta1", doc.get("apiVersion"));
        assertEquals("FlinkDeployment", doc.get("kind"));
        Map<String, Object> spec = map(doc.get("spec"), "spec");
        String flink = DockerProject.rootProperty("flink.version");
        String[] v = flink.split("\\.");
        assertEquals("v" + v[0] + "_" + v[1], spec.get("flinkVersion"), "flinkVersion matches flink.version");
        Map<String, Object> job = map(spec.get("job"), "job");
        assertEquals("local://" + DockerfileTest.JOB_JAR_IN_IMAGE, job.get("jarURI"), "the job jar the image carries");
        assertEquals(DockerProject.JOB_MAIN_CLASS, job.get("entryClass"));
        List<String> args = DockerProject.tokens(job.get("args"));
        CliArguments.parseJobArguments(args);
        String model = DockerProject.option(args, "--model").orElseThrow();
        assertTrue(DockerfileTest.finalStage(DockerfileTest.CPU).contextCopies().containsKey(model),
                "--model " + model + " is not in the image");
        Map<String, Object> conf = DockerProject.flatten(map(spec.get("flinkConfiguration"), "flinkConfiguration"));
        assertEquals(DockerfileTest.ENTRYPOINT_IN_IMAGE, conf.get("kubernetes.entry.path"),
                "pods start through the image's entrypoint wrapper");
        int slots = Integer.parseInt(String.valueOf(conf.get("taskmanager.numberOfTaskSlots")));
        int parallelism = ((Number) job.get("parallelism")).intValue();
        assertEquals(String.valueOf(parallelism), DockerProject.option(args, "--parallelism").orElseThrow(),
                "the job's --parallelism matches spec.job.parallelism");
        assertTrue(slots >= 1 && parallelism >= 1);
        Map<String, Object> tm = map(map(spec.get("taskManager"), "taskManager").get("resource"), "resource");
        long tmMemory = DockerProject.bytes(String.valueOf(tm.get("memory")));
        long offHeap = DockerProject.bytes(String.valueOf(conf.get("taskmanager.memory.task.off-heap.size")));
        assertTrue(offHeap < tmMemory / 2, "task manager pods have room for the off-heap model memory");
    }
}
