package io.densenetflink.it.reliability.harness;

import io.densenetflink.job.cli.DenseNetCli;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.local.SecuredListener;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.job.settings.KafkaPropertiesFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An embedded broker whose only client listener is SASL_SSL with ACLs enforced ({@code broker --sasl-ssl}), and the
 * job's settings on it: the job runs as the broker's client principal, with its {@code client.properties}.
 */
public record SecuredKafka(EmbeddedKafkaBroker broker, Path dir) implements AutoCloseable {

    /**
     * Injects one secured broker shared by the test classes of the run that use this extension (its material in a
     * temporary directory); closed when the run ends. Tests use their own topic names.
     */
    public static final class Shared implements ParameterResolver {

        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Shared.class);

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == SecuredKafka.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(SecuredKafka.class, k -> {
                try {
                    return start(Files.createTempDirectory("densenet-secured-kafka-"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, SecuredKafka.class);
        }
    }

    /** Starts the broker with its certificate, passwords and client properties in {@code dir}. */
    public static SecuredKafka start(Path dir) {
        return new SecuredKafka(EmbeddedKafkaBroker.builder().saslSsl(dir.resolve("security")).start(), dir);
    }

    public SecuredListener security() {
        return broker.security().orElseThrow();
    }

    /** The job principal's client properties file (what {@code --kafka-properties} names). */
    public Path clientProperties() {
        return security().dir().resolve(SecuredListener.CLIENT_PROPERTIES);
    }

    /** The super user's client properties file. */
    public Path adminProperties() {
        return security().dir().resolve(SecuredListener.ADMIN_PROPERTIES);
    }

    /** The super user's client properties, for the test's own producers and readers. */
    public Map<String, String> admin() {
        return KafkaPropertiesFile.read(adminProperties());
    }

    /** Job settings with their own topics (created), running as the client principal through its properties file. */
    public JobSettings settings(String name, Path model, int partitions) {
        JobSettings s = Pipeline.settings(broker, name, model, partitions);
        s.set(JobOptions.KAFKA_PROPERTIES, clientProperties().toString());
        return s;
    }

    /** Grants the job's principal exactly what {@code densenet acls} lists for {@code s}, as README shows. */
    public void grant(JobSettings s) {
        int code = DenseNetCli.run(command("acls", s, "--create", "--admin-properties", adminProperties().toString()));
        if (code != 0) {
            throw new AssertionError("densenet acls --create exited with " + code);
        }
    }

    /** The job's options that name its broker, topics and transactional ids, then {@code more}. */
    public static List<String> jobArguments(JobSettings s, String... more) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", s.get(JobOptions.BOOTSTRAP_SERVERS),
                "--input-topic", s.get(JobOptions.INPUT_TOPIC), "--output-topic", s.get(JobOptions.OUTPUT_TOPIC),
                "--dlq-topic", s.get(JobOptions.DLQ_TOPIC), "--job-name", s.get(JobOptions.JOB_NAME)));
        args.addAll(List.of(more));
        return args;
    }

    /** A {@code densenet} command line: {@code command}, then {@link #jobArguments}. */
    public static String[] command(String command, JobSettings s, String... more) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(jobArguments(s, more));
        return args.toArray(String[]::new);
    }

    /** Stops the broker and deletes its directory. */
    @Override
    public void close() throws IOException {
        broker.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
