package io.densenetflink.it.reliability.harness;

import io.densenetflink.it.ProjectRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/densenet broker --data-dir DIR} in its own JVM, as users start it: killed with SIGKILL and started
 * again on the same directory and port, it comes back with what it acknowledged.
 */
public final class BrokerProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("bootstrap\\.servers=127\\.0\\.0\\.1:(\\d+)");

    private final Path data;
    private final List<String> topics;
    private final int partitions;
    private final Path logDir;
    private Process process;
    private int port;
    private int starts;

    private BrokerProcess(Path data, List<String> topics, int partitions, Path logDir) {
        this.data = data;
        this.topics = topics;
        this.partitions = partitions;
        this.logDir = logDir;
    }

    /** Starts a broker on a free port with {@code topics} and waits until it accepts clients. */
    public static BrokerProcess start(Path dir, List<String> topics, int partitions) throws Exception {
        BrokerProcess broker = new BrokerProcess(dir.resolve("data"), topics, partitions, Files.createDirectories(dir));
        broker.launch(0, Duration.ofMinutes(2));
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The current process's log. */
    public Path log() {
        return logDir.resolve("broker-" + starts + ".log");
    }

    /** SIGKILL: no controlled shutdown, the controller keeps the dead broker's registration until its session ends. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
            throw new AssertionError("the killed broker did not exit");
        }
    }

    /**
     * Starts the broker again on its directory and port, and waits until it accepts clients (after a SIGKILL: once
     * the killed broker's controller session expired, about 20-25 s).
     *
     * @return how long it took to accept clients
     */
    public Duration restart() throws Exception {
        long start = System.nanoTime();
        launch(port, Duration.ofMinutes(3));
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private void launch(int onPort, Duration timeout) throws Exception {
        starts++;
        List<String> command = new ArrayList<>(List.of(ProjectRoot.path().resolve("bin/densenet").toString(),
                "broker", "--port", String.valueOf(onPort), "--data-dir", data.toString(), "--partitions",
                String.valueOf(partitions)));
        if (!topics.isEmpty()) {
            command.addAll(List.of("--topics", String.join(",", topics)));
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("DENSENET_SKIP_BUILD", "1"); // the reactor packaged job/ before these tests
        pb.redirectErrorStream(true).redirectOutput(log().toFile());
        process = pb.start();
        port = awaitReady(timeout);
    }

    /** The client port, once the broker printed {@code bootstrap.servers=...} (it accepts clients then). */
    private int awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = READY.matcher(Files.exists(log()) ? Files.readString(log()) : "");
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!process.isAlive()) {
                throw new AssertionError("bin/densenet broker exited with " + process.exitValue() + ":\n"
                        + Pipeline.tail(log(), 30));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("bin/densenet broker not ready after " + timeout + ":\n" + Pipeline.tail(log(), 30));
    }

    /** SIGTERM, a clean stop; the exit status. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the broker did not stop on SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
        }
    }
}
