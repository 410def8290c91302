package io.densenetflink.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.JobTestSupport;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23: with no Kafka broker at the bootstrap servers, {@code run} stops at once (well within the clients' own
 * timeouts) with exit code 2 and one line naming the bootstrap servers: nothing listening, a host that does not
 * resolve, a port that answers but speaks HTTP, and a port that accepts and never answers.
 */
class BrokerAtStartTest {

    @TempDir
    static Path dir;

    private static Path model;
    private static final ExecutorService SERVERS = Executors.newCachedThreadPool();
    private static final List<ServerSocket> SOCKETS = new ArrayList<>();

    @BeforeAll
    static void model() throws IOException {
        model = JobTestSupport.tinyModel(dir.resolve("model"));
    }

    @AfterAll
    static void stop() throws IOException {
        for (ServerSocket s : SOCKETS) {
            s.close();
        }
        SERVERS.shutdownNow();
    }

    @Test
    void nothingListening() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertStopsAtOnce("127.0.0.1:" + closed, "Connection refused");
    }

    @Test
    void aHostThatDoesNotResolve() {
        assertStopsAtOnce("no-such-broker.invalid:9092", "no-such-broker.invalid");
    }

    @Test
    void aPortThatSpeaksHttp() throws IOException {
        assertStopsAtOnce(server(true), "is not a Kafka listener");
    }

    @Test
    void aPortThatNeverAnswers() throws IOException {
        assertStopsAtOnce(server(false), "no answer to a Kafka request");
    }

    /** A loopback server that answers every connection with an HTTP error, or holds it without a word. */
    private static String server(boolean http) throws IOException {
        ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        SOCKETS.add(server);
        SERVERS.submit(() -> {
            List<Socket> held = new ArrayList<>();
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    if (http) {
                        try (client; OutputStream out = client.getOutputStream()) {
                            client.getInputStream().read(new byte[64]);
                            out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
                        }
                    } else {
                        held.add(client);
                    }
                } catch (IOException e) {
                    return null;
                }
            }
            return null;
        });
        return "127.0.0.1:" + server.getLocalPort();
    }

    private static void assertStopsAtOnce(String bootstrap, String reason) {
        long start = System.nanoTime();
        CliRun run = CliRun.of("run", "--bootstrap-servers", bootstrap, "--input-topic", "in", "--output-topic", "out",
                "--dlq-topic", "dlq", "--model", model.toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(2, run.code(), run.err());
        List<String> lines = run.err().lines().filter(l -> l.startsWith("densenet run:")).toList();
        assertEquals(1, lines.size(), run.err());
        assertTrue(lines.get(0).contains(bootstrap) && lines.get(0).contains(reason), lines.get(0));
        assertTrue(seconds < 10, "took " + seconds + " s: " + lines.get(0));
    }
}
