package io.densenetflink.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SourceFrames;
import io.densenetflink.it.reliability.harness.TinyModel;
import io.densenetflink.job.JobAcls;
import io.densenetflink.job.Preflight;
import io.densenetflink.job.cli.DenseNetCli;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.local.SecuredListener;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.job.settings.KafkaPropertiesFile;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
@ExtendWith(TinyModel.Shared.class)
class SecuredKafkaTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(Pipeline.noRestarts()).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final int FRAMES = 300;

    @TempDir
    static Path dir;

    private static EmbeddedKafkaBroker broker;
    private static Path adminProperties;
    private static Path clientProperties;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.builder().saslSsl(dir.resolve("security")).start();
        adminProperties = dir.resolve("security").resolve(SecuredListener.ADMIN_PROPERTIES);
        clientProperties = dir.resolve("security").resolve(SecuredListener.CLIENT_PROPERTIES);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void underExactlyTheListedAclsEveryFrameArrivesOnce(TinyModel model) throws Exception {
        JobSettings s = securedSettings("secured", model);
        grant(s);
        Map<String, List<FrameInput>> frames = SourceFrames.spread("secured", 2, 2, FRAMES);
        JobClient job = Pipeline.start(s);
        Deliveries delivered;
        try {
            Map<String, String> admin = KafkaPropertiesFile.read(adminProperties);
            Pipeline.send(s.get(JobOptions.BOOTSTRAP_SERVERS), admin, s.get(JobOptions.INPUT_TOPIC), frames);
            delivered = Deliveries.read(s, admin, FRAMES, Duration.ofMinutes(3));
            Pipeline.assertStillRunning(job);
        } finally {
            Pipeline.cancel(job);
        }
        delivered.assertEachExactlyOnce(SourceFrames.ids(frames));
    }

    @Test
    void withAnyOneAclMissingTheJobStopsAtStartNamingIt(TinyModel model) throws Exception {
        JobSettings s = securedSettings("unsecured", model);
        List<JobAcls.Acl> acls = JobAcls.of(s);
        assertEquals(11, acls.size(), "exactly-once without transaction-timeout or record limits: " + acls);
        grant(s);
        Preflight.check(s); // all granted: passes
        List<String> failures = new ArrayList<>();
        for (JobAcls.Acl acl : acls) {
            AclBinding binding = acl.requirement().binding("User:" + SecuredListener.CLIENT_USER);
            Admin admin = broker.admin();
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
    void theCommandLineSaysWhatIsMissingInOneLine(TinyModel model) throws Exception {
        JobSettings s = securedSettings("cli-refused", model);
        // no ACLs at all
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        int code;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            code = DenseNetCli.run(jobArguments(s, "run", "--kafka-properties", clientProperties.toString(),
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

    private static JobSettings securedSettings(String name, TinyModel model) {
        JobSettings s = Pipeline.settings(broker, name, model.dir(), 2);
        s.set(JobOptions.KAFKA_PROPERTIES, clientProperties.toString());
        return s;
    }

    /** {@code densenet acls --create} for the job's settings, as README shows. */
    private static void grant(JobSettings s) throws InterruptedException {
        int code = DenseNetCli.run(jobArguments(s, "acls", "--create", "--admin-properties",
                adminProperties.toString()));
        assertEquals(0, code, "densenet acls --create");
    }

    private static String[] jobArguments(JobSettings s, String command, String... more) {
        List<String> args = new ArrayList<>(List.of(command, "--bootstrap-servers",
                s.get(JobOptions.BOOTSTRAP_SERVERS), "--input-topic", s.get(JobOptions.INPUT_TOPIC), "--output-topic",
                s.get(JobOptions.OUTPUT_TOPIC), "--dlq-topic", s.get(JobOptions.DLQ_TOPIC), "--job-name",
                s.get(JobOptions.JOB_NAME)));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
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
