package io.densenetflink.job.cli;

import io.densenetflink.job.JobAcls;
import io.densenetflink.job.kafka.client.KafkaClients;
import io.densenetflink.job.settings.JobArguments;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSetting;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.job.settings.KafkaPropertiesFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code densenet acls}: the Kafka ACLs the job needs with the given settings ({@link JobAcls}), printed, or created
 * with an administrator's client properties.
 */
@Command(name = "acls", mixinStandardHelpOptions = true,
        header = "Print (or create) the Kafka ACLs the job needs.",
        description = "Print the Kafka ACLs the job needs with these settings (the same options as run: topics, "
                + "job-name, group-id, delivery, ...), least privilege, one per line of a Markdown table. With "
                + "--create, create them for --principal through an administrator's client properties. The job's "
                + "start-up check probes exactly these and names any that is missing.")
final class AclsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--principal", defaultValue = "User:densenet", paramLabel = "User:NAME",
            description = "The job's principal (default User:densenet, the embedded broker's client).")
    String principal;

    @Option(names = "--create", description = "Create the ACLs (needs --admin-properties and --bootstrap-servers).")
    boolean create;

    @Option(names = "--admin-properties", paramLabel = "FILE",
            description = "Kafka client properties of a principal allowed to create ACLs (e.g. the embedded broker's "
                    + "admin.properties).")
    Path adminProperties;

    @Unmatched
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        JobSettings settings = JobArguments.parse(arguments);
        for (JobSetting<String> topic : List.of(JobOptions.INPUT_TOPIC, JobOptions.OUTPUT_TOPIC,
                JobOptions.DLQ_TOPIC)) {
            if (settings.get(topic) == null) {
                throw new IllegalArgumentException("missing setting: --" + topic.key());
            }
        }
        if (!principal.contains(":")) {
            throw new IllegalArgumentException("--principal: expected TYPE:NAME, e.g. User:densenet, got '" + principal
                    + "'");
        }
        List<JobAcls.Acl> acls = JobAcls.of(settings);
        PrintWriter out = spec.commandLine().getOut();
        out.print(JobAcls.markdownTable(acls));
        out.flush();
        if (create) {
            create(settings, acls);
        }
        return 0;
    }

    /**
     * Waits until the broker lists every new ACL: a created ACL reaches the brokers' authorizers through the metadata
     * log, moments after the controller accepted it, and a job started at once must find it there.
     */
    private static void awaitInEffect(Admin admin, List<AclBinding> bindings) throws Exception {
        long deadline = System.nanoTime() + KafkaClients.BROKER_TIMEOUT.toNanos();
        while (true) {
            java.util.Collection<AclBinding> listed = admin.describeAcls(AclBindingFilter.ANY).values()
                    .get(KafkaClients.BROKER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (listed.containsAll(bindings)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker accepted the ACLs but does not list them after "
                        + KafkaClients.BROKER_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private void create(JobSettings settings, List<JobAcls.Acl> acls) throws Exception {
        String bootstrap = settings.get(JobOptions.BOOTSTRAP_SERVERS);
        if (bootstrap == null || adminProperties == null) {
            throw new IllegalArgumentException("--create needs --bootstrap-servers and --admin-properties");
        }
        Properties p = KafkaClients.adminProperties(bootstrap, KafkaPropertiesFile.read(adminProperties));
        KafkaClients.requireReachable(bootstrap, p);
        List<AclBinding> bindings = acls.stream().map(acl -> acl.requirement().binding(principal)).toList();
        try (Admin admin = Admin.create(p)) {
            admin.createAcls(bindings).all().get(2 * KafkaClients.BROKER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            awaitInEffect(admin, bindings);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot create the ACLs: " + e.getCause().getMessage(), e.getCause());
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println("densenet acls: created " + bindings.size() + " ACLs for " + principal);
        err.flush();
    }
}
