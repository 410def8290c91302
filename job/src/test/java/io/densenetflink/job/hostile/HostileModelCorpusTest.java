package io.densenetflink.job.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.inference.DenseNetClassifier;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: the hostile-model corpus ({@code src/test/resources/hostile-models}, written by {@link
 * HostileModelCorpus}) against {@link ModelArtifact} loading in this JVM, and against {@code densenet predict}
 * in a JVM of 256 MB heap: each case refused with one clear line naming what is wrong, exit code 2, no
 * OutOfMemoryError, no JVM crash. The good models the cases were made from load and predict (exit 0), so a
 * refusal is the case's fault, not the set-up's.
 */
class HostileModelCorpusTest {

    @TempDir
    static Path corpus;

    static Path image;

    @BeforeAll
    static void copyTheCorpus() throws Exception {
        Path source = Path.of(HostileModelCorpusTest.class.getResource("/hostile-models").toURI());
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path to = corpus.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        BufferedImage grey = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(3, 4, 0, 200);
        image = corpus.resolve("frame.png");
        ImageIO.write(grey, "png", image.toFile());
    }

    /** The cases: every directory with a case.properties. */
    static List<Path> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(corpus)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("case.properties"))).sorted().toList();
        }
    }

    static Properties about(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(dir.resolve("case.properties"))) {
            p.load(in);
        }
        return p;
    }

    @Test
    void theCorpusHasTheCasesTheIssueNames() throws Exception {
        List<String> names = cases().stream().map(d -> d.getFileName().toString()).toList();
        for (String expected : List.of("growth-320", "growth-wraps", "negative-classes", "wrong-type", "not-json",
                "weights-escape", "digest-mismatch", "truncated", "header-length-huge", "header-garbage",
                "shape-lies", "graph-labels-mismatch")) {
            assertTrue(names.contains(expected), expected + " in " + names);
        }
    }

    @TestFactory
    Stream<DynamicTest> eachCaseIsRefusedWithItsReasonWhenLoaded() throws Exception {
        return cases().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            Properties about = about(dir);
            try {
                DenseNetClassifier loaded = DenseNetClassifier.load(ModelArtifact.read(dir), Device.cpu());
                loaded.close();
                fail("loaded: " + about.getProperty("about"));
            } catch (ModelLoadException e) {
                assertTrue(e.getMessage().contains(about.getProperty("refusal")), about.getProperty("about")
                        + ": expected a refusal containing '" + about.getProperty("refusal") + "', got: " + e.getMessage());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> eachCaseIsOneClearLineFromPredictInASmallHeap() throws Exception {
        return cases().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            Properties about = about(dir);
            Predict run = predict(dir);
            assertEquals(2, run.exit(), about.getProperty("about") + ": " + run.output());
            List<String> refusals = run.output().lines().filter(l -> l.startsWith("densenet predict: ")).toList();
            assertEquals(1, refusals.size(), run.output());
            assertTrue(refusals.get(0).contains(about.getProperty("refusal")), refusals.get(0));
            assertFalse(run.output().contains("OutOfMemoryError"), run.output());
            assertFalse(run.output().contains("internal error"), run.output());
            assertFalse(run.output().contains("\tat "), "no stack trace: " + run.output());
        }));
    }

    @Test
    void theGoodModelsTheCasesWereMadeFromPredict() throws Exception {
        for (String good : List.of("good", "good-graph")) {
            Predict run = predict(corpus.resolve(good));
            assertEquals(0, run.exit(), good + ": " + run.output());
            assertTrue(run.output().contains("frame.png"), run.output());
        }
    }

    private record Predict(int exit, String output) {}

    /** {@code densenet predict --model DIR frame.png} in its own JVM with a 256 MB heap. */
    private static Predict predict(Path model) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:ErrorFile=" + corpus.resolve("hs_err_%p.log"), "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), "io.densenetflink.job.cli.DenseNetCli", "predict",
                "--model", model.toString(), image.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(corpus.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes());
        }
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("predict did not end: " + output);
        }
        try (Stream<Path> crashes = Files.list(corpus).filter(f -> f.getFileName().toString().startsWith("hs_err"))) {
            assertEquals(List.of(), crashes.toList(), "the JVM crashed: " + output);
        }
        return new Predict(p.exitValue(), output);
    }
}
