package io.densenetflink.it.reliability.harness;

import io.densenetflink.job.cli.DenseNetCli;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.local.SecuredListener;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.job.settings.KafkaPropertiesFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An embedded broker whose only client listener is SASL_SSL with ACLs enforced ({@code broker --sasl-ssl}), and the
 * job's settings on it: the job runs as the broker's client principal, with its {@code client.properties}.
 */
public record SecuredKafka(EmbeddedKafkaBroker broker) implements AutoCloseable {

    /** Starts the broker with its certificate and passwords in {@code dir}. */
    public static SecuredKafka start(Path dir) {
        return new SecuredKafka(EmbeddedKafkaBroker.builder().saslSsl(dir).start());
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

    @Override
    public void close() {
        broker.close();
    }
}
