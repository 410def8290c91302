package io.densenetflink.it.reliability.harness;

import io.densenetflink.job.JobTestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The small random-weight 28x28 grey model ({@link JobTestSupport#tinyModel}) most reliability tests run: what they
 * check is delivery, not accuracy. Written once per test run and shared; injected into test methods that declare a
 * {@code TinyModel} parameter when the class is extended with {@link TinyModel.Shared}.
 */
public record TinyModel(Path dir) {

    /** Resolves {@code TinyModel} parameters to the run's one instance, deleted when the run ends. */
    public static final class Shared implements ParameterResolver {

        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Shared.class);

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == TinyModel.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot().getStore(NAMESPACE)
                    .getOrComputeIfAbsent(Written.class, k -> Written.create(), Written.class).model;
        }

        /** The written model and the clean-up JUnit runs when the root context closes. */
        private record Written(TinyModel model) implements AutoCloseable {
            static Written create() {
                try {
                    Path dir = Files.createTempDirectory("densenet-tiny-model");
                    return new Written(new TinyModel(JobTestSupport.tinyModel(dir.resolve("model"))));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void close() throws IOException {
                try (Stream<Path> files = Files.walk(model.dir().getParent())) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }
}
