package io.densenetflink.job.cli;

import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.local.SecuredListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densenet broker}: a local single-node Kafka broker in this process, until Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        header = "Run a single-node Kafka broker in this process, for local work.",
        description = "Run a real single-node Kafka broker (KRaft, in this process, 127.0.0.1 only) for local work "
                + "without Docker. Transactions work (exactly-once sinks, read_committed consumers); records up to 32 "
                + "MB. Prints 'bootstrap.servers=127.0.0.1:PORT' on stdout once it accepts clients; Ctrl-C stops it "
                + "cleanly.")
final class BrokerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "9092", paramLabel = "P",
            description = "Client port on 127.0.0.1 (default 9092; 0 = any free port).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the broker's data here, across restarts (default: a temporary directory, deleted on exit).")
    Path dataDir;

    @Option(names = "--sasl-ssl", paramLabel = "DIR",
            description = "Secure the client listener: SASL_SSL (SCRAM-SHA-512 over TLS) with ACLs enforced. The "
                    + "certificate, passwords and client properties are made in DIR (kept, owner-only) and reused on "
                    + "restart: DIR/client.properties for the principal User:densenet (no rights until granted, "
                    + "e.g. with densenet acls --create), DIR/admin.properties for the super user.")
    Path saslSslDir;

    @Option(names = "--topics", split = ",", paramLabel = "T[,T...]",
            description = "Topics to create at start (existing ones are left alone).")
    List<String> topics = new ArrayList<>();

    @Option(names = "--partitions", defaultValue = "1", paramLabel = "N",
            description = "Partitions of each topic created by --topics (default 1).")
    int partitions;

    /** Runs {@code action} on SIGINT and SIGTERM instead of shutting the JVM down; false where that is not possible. */
    @SuppressWarnings("restriction")
    private static boolean onSignals(Runnable action) {
        try {
            for (String name : new String[] {"INT", "TERM"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> action.run());
            }
            return true;
        } catch (IllegalArgumentException | LinkageError e) {
            return false; // e.g. -Xrs, or a signal the JVM reserves: the shutdown hook stops the broker
        }
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        }
        if (partitions <= 0) {
            throw new IllegalArgumentException("--partitions must be > 0, got " + partitions);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.println("densenet broker: starting Kafka (KRaft) on 127.0.0.1:" + (port == 0 ? "<any free port>" : port)
                + " ...");
        err.flush();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(port).dataDir(dataDir).saslSsl(saslSslDir)
                .start();
        // Stop on Ctrl-C / SIGTERM in the main thread, outside the JVM's shutdown (logging still works, exit code
        // 0); a shutdown hook covers every other way the JVM may end. A second Ctrl-C while stopping halts at once.
        CountDownLatch stop = new CountDownLatch(1);
        boolean signalsHandled = onSignals(() -> {
            if (stop.getCount() == 0) {
                err.println("densenet broker: stopping now");
                err.flush();
                Runtime.getRuntime().halt(130);
            }
            stop.countDown();
        });
        Thread hook = new Thread(broker::close, "densenet-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (!topics.isEmpty()) {
                broker.createTopics(partitions, topics.toArray(String[]::new));
            }
            out.println("bootstrap.servers=" + broker.bootstrapServers());
            broker.security().ifPresent(security -> {
                out.println("client.properties=" + security.dir().resolve(SecuredListener.CLIENT_PROPERTIES));
                out.println("admin.properties=" + security.dir().resolve(SecuredListener.ADMIN_PROPERTIES));
            });
            out.flush();
            err.println("densenet broker: ready; data in " + broker.dataDir()
                    + (dataDir == null ? " (temporary, deleted on exit)" : "")
                    + (topics.isEmpty() ? "" : "; topics " + String.join(", ", topics) + " (" + partitions
                            + " partition" + (partitions == 1 ? "" : "s") + " each)")
                    + broker.security().map(security -> "; SASL_SSL: clients pass --kafka-properties "
                            + security.dir().resolve(SecuredListener.CLIENT_PROPERTIES) + " (User:"
                            + SecuredListener.CLIENT_USER + ", allowed only what ACLs grant)").orElse("")
                    + (signalsHandled ? ". Ctrl-C to stop." : "."));
            err.flush();
            stop.await();
            err.println("densenet broker: stopping ...");
            err.flush();
        } finally {
            broker.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
        err.println("densenet broker: stopped");
        err.flush();
        return 0;
    }
}
