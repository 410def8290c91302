package io.densenetflink.job.kafka.client;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The smallest Kafka exchange there is, by hand: an ApiVersions request (version 0, which every broker since 0.10
 * answers, also before SASL authentication) on a plaintext connection, and the first bytes of the answer. Tells a
 * Kafka listener from anything else on the port (an HTTP server, a database, a silent socket) within a timeout,
 * before a Kafka client would spend its own timeouts retrying.
 */
final class KafkaHandshake {

    private static final short API_VERSIONS = 18;
    private static final int CORRELATION_ID = 0x44_4e_46_4b;
    private static final byte[] CLIENT_ID = "densenet-probe".getBytes(StandardCharsets.UTF_8);
    /** The largest answer to ApiVersions a broker sends is a few kilobytes. */
    private static final int MAX_ANSWER_BYTES = 1 << 20;

    private KafkaHandshake() {}

    /** Null when the peer answered as a Kafka broker; otherwise what it did instead. */
    static String check(Socket socket, Duration timeout) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(request)) {
            out.writeInt(2 + 2 + 4 + 2 + CLIENT_ID.length);
            out.writeShort(API_VERSIONS);
            out.writeShort(0);
            out.writeInt(CORRELATION_ID);
            out.writeShort(CLIENT_ID.length);
            out.write(CLIENT_ID);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // writing to memory
        }
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            socket.getOutputStream().write(request.toByteArray());
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int answerSize = in.readInt();
            if (answerSize < 4 || answerSize > MAX_ANSWER_BYTES) {
                return "it answered with something else (first bytes " + String.format("0x%08x", answerSize) + ")";
            }
            int correlation = in.readInt();
            return correlation == CORRELATION_ID ? null
                    : "it answered with something else (first bytes " + String.format("0x%08x", answerSize) + ")";
        } catch (SocketTimeoutException e) {
            return "no answer to a Kafka request within " + timeout.toSeconds() + " s";
        } catch (EOFException e) {
            return "it closed the connection at a Kafka request";
        } catch (IOException e) {
            return "the connection failed at a Kafka request (" + e.getMessage() + ")";
        }
    }
}
