package io.densenetflink.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.it.ProjectRoot;
import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SecuredKafka;
import io.densenetflink.it.reliability.harness.SourceFrames;
import io.densenetflink.it.reliability.harness.TinyModel;
import io.densenetflink.job.JobAcls;
import io.densenetflink.job.Preflight;
import io.densenetflink.job.cli.DenseNetCli;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.local.SecuredListener;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22: the job on a broker whose only client listener is SASL_SSL (SCRAM-SHA-512 over TLS) with {@code
 * StandardAuthorizer} and {@code allow.everyone.if.no.acl.found=false}, under a principal given exactly the ACLs
 * {@code densenet acls} prints (created by {@code densenet acls --create}): it delivers every frame exactly once.
 * With each of those ACLs removed in turn, the start-up check refuses to start, in one line naming the operation
 * and the resource.
 */
@ExtendWith({SecuredKafka.Shared.class, TinyModel.Shared.class})
class SecuredKafkaTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(Pipeline.noRestarts()).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final int FRAMES = 300;


    @Test
    void underExactlyTheListedAclsEveryFrameArrivesOnce(SecuredKafka kafka, TinyModel model, @TempDir Path dir)
            throws Exception {
        JobSettings s = kafka.settings("secured", model.dir(), 2);
        kafka.grant(s);
        Map<String, List<FrameInput>> frames = SourceFrames.spread("secured", 2, 2, FRAMES);
        JobClient job = Pipeline.start(s);
        Deliveries delivered;
        try {
            Map<String, String> admin = kafka.admin();
            Pipeline.send(s.get(JobOptions.BOOTSTRAP_SERVERS), admin, s.get(JobOptions.INPUT_TOPIC), frames);
            delivered = Deliveries.read(s, admin, FRAMES, Duration.ofMinutes(3));
            Pipeline.assertStillRunning(job);
        } finally {
            Pipeline.cancel(job);
        }
        delivered.assertEachExactlyOnce(SourceFrames.ids(frames));
        assertEquals(delivered.results().size(), consumeWithThePasswordFromTheEnvironment(kafka, s, dir),
                "results read back");
    }

    /**
     * {@code bin/densenet consume} as the job's principal, in its own process, the password coming from the
     * environment through Kafka's EnvVarConfigProvider ({@code ${env:NAME}}): the results it reads.
     */
    private static long consumeWithThePasswordFromTheEnvironment(SecuredKafka kafka, JobSettings s, Path dir)
            throws Exception {
        Path properties = dir.resolve("env-client.properties");
        String client = Files.readString(kafka.clientProperties());
        String password = kafka.security().clientPassword();
        Files.writeString(properties, client.replace(password, "${env:DENSENET_KAFKA_PASSWORD}")
                + "config.providers=env\nconfig.providers.env.class="
                + "org.apache.kafka.common.config.provider.EnvVarConfigProvider\n");
        ProcessBuilder pb = new ProcessBuilder(ProjectRoot.path().resolve("bin/densenet").toString(), "consume",
                "--bootstrap-servers", s.get(JobOptions.BOOTSTRAP_SERVERS), "--topic", s.get(JobOptions.OUTPUT_TOPIC),
                "--kafka-properties", properties.toString(), "--json", "--idle-timeout", "2s");
        pb.environment().put("DENSENET_SKIP_BUILD", "1");
        pb.environment().put("DENSENET_KAFKA_PASSWORD", password);
        Path out = dir.resolve("consume.out");
        Path err = dir.resolve("consume.err");
        Process consume = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(consume.waitFor(2, TimeUnit.MINUTES), "consume did not end");
        assertEquals(0, consume.exitValue(), Pipeline.tail(err, 20));
        return Files.readAllLines(out).stream().filter(l -> l.contains("\"kind\":\"result\"")).count();
    }

    @Test
    void withAnyOneAclMissingTheJobStopsAtStartNamingIt(SecuredKafka kafka, TinyModel model) throws Exception {
        JobSettings s = kafka.settings("unsecured", model.dir(), 2);
        List<JobAcls.Acl> acls = JobAcls.of(s);
        assertEquals(11, acls.size(), "exactly-once without transaction-timeout or record limits: " + acls);
        kafka.grant(s);
        Preflight.check(s); // all granted: passes
        List<String> failures = new ArrayList<>();
        for (JobAcls.Acl acl : acls) {
            AclBinding binding = acl.requirement().binding("User:" + SecuredListener.CLIENT_USER);
            Admin admin = kafka.broker().admin();
            admin.deleteAcls(List.of(binding.toFilter())).all().get(30, TimeUnit.SECONDS);
            try {
                IllegalArgumentException refused = awaitRefusal(s);
                String message = refused.getMessage();
                System.out.println("[secured] without " + acl.requirement().describe() + ": " + message);
                if (!message.contains(acl.requirement().describe()) || message.contains("\n")) {
                    failures.add(acl.requirement().describe() + " -> " + message);
                }
            } finally {
                admin.createAcls(List.of(binding)).all().get(30, TimeUnit.SECONDS);
            }
        }
        assertTrue(failures.isEmpty(), "not named in one line: " + failures);
    }

    @Test
    void theCommandLineSaysWhatIsMissingInOneLine(SecuredKafka kafka, TinyModel model) throws Exception {
        JobSettings s = kafka.settings("cli-refused", model.dir(), 2);
        // no ACLs at all
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        int code;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            code = DenseNetCli.run(SecuredKafka.command("run", s, "--kafka-properties",
                    kafka.clientProperties().toString(),
                    "--model", s.get(JobOptions.MODEL), "--device", "cpu"));
        } finally {
            System.setErr(stderr);
        }
        String text = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(code != 0, text);
        List<String> ours = text.lines().filter(l -> l.startsWith("densenet run:")).toList();
        assertEquals(1, ours.size(), text);
        assertTrue(ours.get(0).contains("Read on topic '" + s.get(JobOptions.INPUT_TOPIC) + "'"), text);
        assertFalse(text.contains("internal error"), text);
    }

    /** The check's refusal, once the broker's authorizer has seen the deleted ACL (within moments). */
    private static IllegalArgumentException awaitRefusal(JobSettings s) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                Preflight.check(s);
            } catch (IllegalArgumentException refused) {
                return refused;
            }
            if (System.nanoTime() > deadline) {
                return assertThrows(IllegalArgumentException.class, () -> Preflight.check(s));
            }
            Thread.sleep(300);
        }
    }
}
