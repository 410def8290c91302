package io.densenetflink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cluster entry point ({@link DenseNetJob#main}) reads its arguments without the command-line classes: here it
 * runs in a class loader that has neither picocli nor {@code io.densenetflink.job.cli}.
 */
class ClusterEntryPointTest {

    /** The test's own class path without picocli, and a parent that cannot see the application's classes. */
    private static final class WithoutCli extends URLClassLoader {
        WithoutCli() throws MalformedURLException {
            super(classPathWithoutPicocli(), ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.densenetflink.job.cli.")) {
                throw new ClassNotFoundException(name + " (the command-line classes are kept out of this test)");
            }
            return super.loadClass(name, resolve);
        }

        private static URL[] classPathWithoutPicocli() throws MalformedURLException {
            List<URL> urls = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                if (!Path.of(entry).getFileName().toString().startsWith("picocli")) {
                    urls.add(Path.of(entry).toUri().toURL());
                }
            }
            return urls.toArray(URL[]::new);
        }
    }

    @Test
    void mainReadsItsArgumentsWithoutTheCommandLineClasses() throws Exception {
        try (WithoutCli loader = new WithoutCli()) {
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("picocli.CommandLine"));
            Class<?> job = loader.loadClass(DenseNetJob.class.getName());
            PrintStream stdout = System.out;
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            try {
                job.getMethod("main", String[].class).invoke(null, (Object) new String[] {"--help"});
            } finally {
                System.setOut(stdout);
            }
            assertTrue(printed.toString(StandardCharsets.UTF_8).contains("--bootstrap-servers"), printed.toString());

            Class<?> arguments = loader.loadClass("io.densenetflink.job.settings.JobArguments");
            Object settings = arguments.getMethod("parse", List.class).invoke(null, List.of("--bootstrap-servers",
                    "k:9092", "--input-topic", "in", "--output-topic", "out", "--dlq-topic", "dlq", "--model", "m",
                    "--batch-size", "4"));
            Method validate = settings.getClass().getMethod("validate");
            validate.invoke(settings);
            assertEquals(settings.getClass().getClassLoader(), loader, "read by the isolated loader's classes");
        }
    }
}
