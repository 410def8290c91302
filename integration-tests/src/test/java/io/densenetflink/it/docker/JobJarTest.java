package io.densenetflink.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * The deployable job jar (job/pom.xml's shade execution, classifier "flink") and target/flink-lib/ (the jars for
 * Flink's lib/): configured as the images expect and, where `mvn package` has run, built that way: the job's
 * classes and the Kafka connector inside; Flink, logging, DJL, JNA and the MXNet natives outside; every class
 * the job's code refers to found in the jar, in flink-lib/, in Flink or in the JDK.
 */
class JobJarTest {

    static final Path JOB_POM = DockerProject.root().resolve("job/pom.xml");
    static final Path TARGET = DockerProject.root().resolve("job/target");
    static final Set<String> FLINK_LIB = Set.of("api", "mxnet-engine", "mxnet-native-mkl", "jna", "gson", "zstd-jni");
    /** What must stay out of the job jar: Flink's own classes, logging, DJL/JNA/natives, the local broker. */
    static final List<String> FORBIDDEN = List.of("ai/djl/", "com/sun/jna/", "native/lib/", "com/google/gson/",
            "com/github/luben/", "org/slf4j/", "org/apache/logging/", "org/apache/log4j/",
            "org/apache/flink/api/", "org/apache/flink/streaming/api/", "org/apache/flink/streaming/runtime/",
            "org/apache/flink/runtime/",
            "org/apache/flink/configuration/", "kafka/server/", "scala/", "org/apache/kafka/common/test/");

    /** The package of what only bin/densenet runs (the in-process broker, the demo): never in the job jar. */
    static final String LOCAL_TOOLS = "io/densenetflink/job/local/";

    private static String classifier() {
        return DockerProject.text(shadeConfiguration(), "shadedClassifierName");
    }

    private static Element shadeConfiguration() {
        return DockerProject.child(DockerProject.execution(JOB_POM, "maven-shade-plugin", "flink-job-jar"), "configuration");
    }

    private static Path jobJar() {
        return TARGET.resolve("densenet-job-" + DockerProject.projectVersion() + "-" + classifier() + ".jar");
    }

    @Test
    void pomBuildsTheJobJarWithoutFlinkOrNatives() {
        Element conf = shadeConfiguration();
        assertEquals("flink", classifier());
        assertEquals("true", DockerProject.text(conf, "shadedArtifactAttached"),
                "attached: the plain jar (bin/densenet's) stays as it is");
        String mainClass = null;
        for (Element t : DockerProject.children(DockerProject.child(conf, "transformers"), "transformer")) {
            if (t.getAttribute("implementation").endsWith("ManifestResourceTransformer")) {
                mainClass = DockerProject.text(t, "mainClass");
            }
        }
        assertEquals(DockerProject.JOB_MAIN_CLASS, mainClass, "Main-Class of the job jar");
        List<String> includes = DockerProject.children(DockerProject.child(DockerProject.child(conf, "artifactSet"),
                "includes"), "include").stream().map(e -> e.getTextContent().trim()).toList();
        assertTrue(includes.containsAll(List.of("io.densenetflink:densenet-job", "io.densenetflink:densenet-operators",
                "io.densenetflink:densenet-model", "org.apache.flink:flink-connector-kafka", "org.apache.kafka:kafka-clients",
                "info.picocli:picocli")), "the job jar carries the project and the Kafka connector: " + includes);
        for (String include : includes) {
            assertFalse(include.startsWith("ai.djl") || include.startsWith("net.java.dev.jna")
                    || include.startsWith("com.google.code.gson") || include.startsWith("org.apache.logging")
                    || include.startsWith("org.slf4j") || include.equals("org.apache.flink:*")
                    || include.equals("org.apache.kafka:kafka-test-common-runtime"), "must not be in the job jar: " + include);
        }
        // The existing class path machinery of bin/densenet is still there.
        DockerProject.execution(JOB_POM, "maven-dependency-plugin", "cli-classpath");
        DockerProject.execution(JOB_POM, "maven-dependency-plugin", "cli-classpath-flink");
    }

    @Test
    void pomCopiesFlinksLibJars() {
        Element conf = DockerProject.child(DockerProject.execution(JOB_POM, "maven-dependency-plugin", "flink-lib"), "configuration");
        assertEquals("${project.build.directory}/flink-lib", DockerProject.text(conf, "outputDirectory"));
        Set<String> ids = new TreeSet<>();
        for (String id : DockerProject.text(conf, "includeArtifactIds").split(",")) {
            ids.add(id.trim());
        }
        assertEquals(new TreeSet<>(FLINK_LIB), ids, "flink-lib: DJL, its MXNet engine and natives, JNA, Gson, zstd-jni");
        assertEquals("runtime", DockerProject.text(conf, "includeScope"));
    }

    @Test
    void builtJobJarHasTheJobAndNothingTheClusterProvides() throws IOException {
        Path jar = jobJar();
        Assumptions.assumeTrue(Files.isRegularFile(jar), jar + " is not built (run `mvn package`; `mvn verify` does)");
        Set<String> entries = new HashSet<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            assertEquals(DockerProject.JOB_MAIN_CLASS, jf.getManifest().getMainAttributes().getValue("Main-Class"));
            jf.stream().map(JarEntry::getName).forEach(entries::add);
        }
        for (String required : List.of("io/densenetflink/job/DenseNetJob.class", "io/densenetflink/job/cli/RunCommand.class",
                "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                "org/apache/flink/connector/kafka/source/KafkaSource.class",
                "org/apache/kafka/clients/producer/KafkaProducer.class", "picocli/CommandLine.class")) {
            assertTrue(entries.contains(required), jar.getFileName() + " lacks " + required);
        }
        assertTrue(entries.stream().anyMatch(e -> e.startsWith("io/densenetflink/operators/")), "the operator");
        assertTrue(entries.stream().anyMatch(e -> e.startsWith("io/densenetflink/model/")), "the model library");
        List<String> found = new ArrayList<>();
        for (String prefix : FORBIDDEN) {
            entries.stream().filter(e -> e.startsWith(prefix)).findFirst().ifPresent(found::add);
        }
        assertEquals(List.of(), found, "the job jar carries what Flink's lib/ provides (parent-first, loaded once)");
        assertFalse(entries.contains("log4j2.xml"), "Flink's logging configuration applies on a cluster");
        assertEquals(List.of(), entries.stream().filter(e -> e.startsWith(LOCAL_TOOLS)
                || e.endsWith("/EmbeddedKafkaBroker.class") || e.endsWith("/Demo.class")).toList(),
                "the local tools (in-process broker, demo) are for bin/densenet, not a cluster");
    }

    @Test
    void builtFlinkLibHasExactlyTheLibJars() throws IOException {
        Path lib = TARGET.resolve("flink-lib");
        Assumptions.assumeTrue(Files.isDirectory(lib), lib + " is not built (run `mvn package`; `mvn verify` does)");
        Set<String> artifacts = new TreeSet<>();
        try (Stream<Path> files = Files.list(lib)) {
            for (Path f : files.toList()) {
                Matcher m = Pattern.compile("(.+?)-\\d[^-]*(-[a-z0-9_-]+)?\\.jar").matcher(f.getFileName().toString());
                assertTrue(m.matches(), "unexpected file in flink-lib: " + f.getFileName());
                artifacts.add(m.group(1));
            }
        }
        assertEquals(new TreeSet<>(FLINK_LIB), artifacts);
        String mxnet = DockerProject.rootProperty("mxnet.native.version");
        assertTrue(Files.isRegularFile(lib.resolve("mxnet-native-mkl-" + mxnet + "-linux-x86_64.jar")),
                "the MXNet natives jar of mxnet.native.version");
    }

    /**
     * Every class the job's own code (reachable from DenseNetJob) refers to resolves on a cluster: in the job
     * jar, in flink-lib/, in Flink (the provided class path bin/densenet uses) or in the JDK.
     */
    @Test
    void everyClassTheJobReferencesIsDeployed() throws IOException {
        Path jar = jobJar();
        Path provided = TARGET.resolve("densenet-provided.classpath");
        Path lib = TARGET.resolve("flink-lib");
        Assumptions.assumeTrue(Files.isRegularFile(jar) && Files.isRegularFile(provided) && Files.isDirectory(lib),
                "job jar, flink-lib/ or densenet-provided.classpath not built (run `mvn package`; `mvn verify` does)");
        Map<String, byte[]> ours = new HashMap<>();
        Set<String> available = new HashSet<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (JarEntry e : jf.stream().toList()) {
                if (e.getName().endsWith(".class")) {
                    String name = e.getName().substring(0, e.getName().length() - 6);
                    available.add(name);
                    if (name.startsWith("io/densenetflink/")) {
                        try (InputStream in = jf.getInputStream(e)) {
                            ours.put(name, in.readAllBytes());
                        }
                    }
                }
            }
        }
        List<Path> cluster = new ArrayList<>();
        try (Stream<Path> files = Files.list(lib)) {
            files.filter(p -> p.toString().endsWith(".jar")).forEach(cluster::add);
        }
        for (String entry : DockerProject.read(provided).trim().split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                cluster.add(Path.of(entry.trim()));
            }
        }
        for (Path p : cluster) {
            try (JarFile jf = new JarFile(p.toFile())) {
                jf.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class"))
                        .forEach(n -> available.add(n.substring(0, n.length() - 6)));
            }
        }
        Deque<String> queue = new ArrayDeque<>(List.of(DockerProject.JOB_MAIN_CLASS.replace('.', '/')));
        Set<String> visited = new HashSet<>();
        Set<String> missing = new TreeSet<>();
        while (!queue.isEmpty()) {
            String name = queue.poll();
            if (!visited.add(name)) {
                continue;
            }
            byte[] bytes = ours.get(name);
            assertNotNull(bytes, name + " is not in the job jar");
            for (String ref : referencedClasses(bytes)) {
                if (ours.containsKey(ref)) {
                    queue.add(ref);
                } else if (!available.contains(ref) && !inJdk(ref) && !inFlinkDist(ref)) {
                    missing.add(ref + " (from " + name + ")");
                }
            }
        }
        assertTrue(visited.size() > 5, "the job's classes were not followed: " + visited);
        assertEquals(Set.of(), missing, "classes the job refers to that a cluster with flink-lib/ would not have");
    }

    /** What flink-dist bundles beyond the modules on the provided class path: SLF4J's API (Flink logs with it). */
    private static boolean inFlinkDist(String internalName) {
        return internalName.startsWith("org/slf4j/");
    }

    private static boolean inJdk(String internalName) {
        try {
            Class.forName(internalName.replace('/', '.'), false, ClassLoader.getPlatformClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static final Pattern DESCRIPTOR_CLASS = Pattern.compile("L([A-Za-z_$][\\w$]*(?:/[\\w$]+)+);");

    /** Classes a class file names: CONSTANT_Class entries and the types in its descriptors. */
    static Set<String> referencedClasses(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classIndexes = new ArrayList<>();
        List<Integer> descriptorIndexes = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++;
                }
                case 7 -> classIndexes.add(in.readUnsignedShort());
                case 8, 19, 20 -> in.readUnsignedShort();
                case 16 -> descriptorIndexes.add(in.readUnsignedShort());
                case 9, 10, 11, 17, 18 -> in.readInt();
                case 12 -> {
                    in.readUnsignedShort();
                    descriptorIndexes.add(in.readUnsignedShort());
                }
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        Set<String> out = new LinkedHashSet<>();
        for (int idx : classIndexes) {
            String name = utf8[idx];
            if (name.startsWith("[")) {
                Matcher m = DESCRIPTOR_CLASS.matcher(name);
                while (m.find()) {
                    out.add(m.group(1));
                }
            } else {
                out.add(name);
            }
        }
        for (int idx : descriptorIndexes) {
            Matcher m = DESCRIPTOR_CLASS.matcher(utf8[idx]);
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }
}
