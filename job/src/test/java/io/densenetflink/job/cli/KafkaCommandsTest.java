package io.densenetflink.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.kafka.client.KafkaClients;
import io.densenetflink.job.kafka.sink.ClassificationRecordSchema;
import io.densenetflink.job.kafka.sink.DeadLetterRecordSchema;
import io.densenetflink.job.kafka.sink.RecordSizeLimit;
import io.densenetflink.model.data.FashionMnist;
import io.densenetflink.model.data.IdxWriter;
import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.LabelScore;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code produce} and {@code consume} through the CLI entry point, against the shared embedded broker. */
@ExtendWith(SharedKafkaBroker.class)
class KafkaCommandsTest {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start(EmbeddedKafkaBroker shared) {
        broker = shared;
        broker.createTopics(1, "cli-frames", "cli-mnist", "cli-results", "cli-dlq");
    }



    private static byte[] rgbPng(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 8) << 16 | (y * 8) << 8 | 0x40);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void produceThenConsumeImageFiles(@TempDir Path dir) throws Exception {
        byte[] a = rgbPng(32, 24);
        byte[] b = FrameInput.greyPng(new byte[28 * 28], 28, 28);
        byte[] c = {1, 2, 3}; // not an image: still sent (the job makes it a dead letter)
        Files.write(dir.resolve("b.png"), b);
        Files.write(dir.resolve("a.png"), a);
        Files.write(dir.resolve("c.jpg"), c);
        Files.write(dir.resolve(".hidden"), c);
        Files.createDirectory(dir.resolve("subdir"));

        CliRun produced = CliRun.of("produce", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "cli-frames",
                "--source", "cam-9", dir.toString());
        assertEquals(0, produced.code(), produced.err());
        assertTrue(produced.out().startsWith("sent 3 frames to cli-frames"), produced.out());
        assertTrue(produced.err().contains("] 3/3 ") && produced.err().contains(" frames/s "),
                "progress bar: " + produced.err());

        CliRun consumed = CliRun.of("consume", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "cli-frames",
                "--json", "--idle-timeout", "1500ms");
        assertEquals(0, consumed.code(), consumed.err());
        List<String> lines = consumed.lines();
        assertEquals(3, lines.size(), consumed.out());
        String[] names = {"a.png", "b.png", "c.jpg"};
        byte[][] bytes = {a, b, c};
        for (int i = 0; i < 3; i++) {
            JsonObject r = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            assertEquals("record", r.get("kind").getAsString());
            assertEquals("cli-frames", r.get("topic").getAsString());
            assertEquals(i, r.get("offset").getAsLong());
            assertEquals("cam-9", r.get("key").getAsString());
            JsonObject h = r.getAsJsonObject("headers");
            assertEquals(names[i], h.get(FrameHeaders.FRAME_ID).getAsString());
            assertEquals(i < 2 ? "image/png" : "image/jpeg", h.get(FrameHeaders.CONTENT_TYPE).getAsString());
            assertEquals(bytes[i].length, r.get("value_size").getAsInt());
            assertTrue(r.get("timestamp").getAsLong() > 0);
        }
        assertTrue(consumed.err().contains("3 records from cli-frames"), consumed.err());

        CliRun text = CliRun.of("consume", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "cli-frames",
                "--limit", "2");
        assertEquals(0, text.code(), text.err());
        assertEquals(2, text.lines().size(), text.out());
        assertTrue(text.lines().get(0).startsWith("cli-frames-0@0 record source=cam-9 " + a.length + " bytes"),
                text.out());
        assertTrue(text.err().contains("limit reached"), text.err());
    }

    @Test
    void produceSavesTheFramesItSends(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("frames");
        CliRun produced = CliRun.of("produce", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "cli-frames",
                "--synthetic", "3", "--size", "64", "--save-frames", saved.toString());
        assertEquals(0, produced.code(), produced.err());
        for (int i = 0; i < 3; i++) {
            BufferedImage jpeg = ImageIO.read(saved.resolve("synthetic-" + i + ".jpg").toFile());
            assertNotNull(jpeg, "synthetic-" + i + ".jpg is a JPEG");
            assertEquals(64, jpeg.getWidth());
        }
        try (var files = java.nio.file.Files.list(saved)) {
            assertEquals(3, files.count());
        }
    }

    @Test
    void produceFashionMnistAsLabeledPng(@TempDir Path dir) throws Exception {
        int n = 3;
        byte[] pixels = new byte[n * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7);
        }
        LabeledImages data = new LabeledImages(pixels, new byte[] {9, 0, 7}, 28, 28);
        IdxWriter.writeImages(dir.resolve(FashionMnist.Split.TEST.imagesFile() + ".gz"), data, true);
        IdxWriter.writeLabels(dir.resolve(FashionMnist.Split.TEST.labelsFile() + ".gz"), data, true);

        CliRun produced = CliRun.of("produce", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "cli-mnist",
                "--fashion-mnist", dir.toString(), "--limit", "2", "--rate", "200");
        assertEquals(0, produced.code(), produced.err());
        assertTrue(produced.out().startsWith("sent 2 frames"), produced.out());

        List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
        try (var reader = new io.densenetflink.job.kafka.client.CommittedReader(broker.bootstrapServers(), Map.of(),
                List.of("cli-mnist"))) {
            reader.readAll(2, java.time.Duration.ofSeconds(10), records::add);
        }
        assertEquals(2, records.size());
        for (int i = 0; i < 2; i++) {
            var r = records.get(i);
            assertEquals(i == 0 ? "9" : "0", new String(r.headers().lastHeader("label").value(), StandardCharsets.UTF_8));
            assertEquals("image/png", new String(r.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8));
            assertEquals("fashion-mnist-t10k-0000" + i,
                    new String(r.headers().lastHeader("frame-id").value(), StandardCharsets.UTF_8));
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(r.value()));
            assertNotNull(png, "a PNG");
            assertEquals(28, png.getWidth());
            assertEquals(28, png.getHeight());
            int[] grey = png.getRaster().getPixels(0, 0, 28, 28, (int[]) null);
            for (int p = 0; p < 28 * 28; p++) {
                assertEquals(data.image(i)[p] & 0xff, grey[p], "pixel " + p);
            }
        }
    }

    @Test
    void evaluateResultsAndDeadLetters() throws Exception {
        ClassificationRecordSchema results = new ClassificationRecordSchema("cli-results", RecordSizeLimit.KAFKA_DEFAULT);
        DeadLetterRecordSchema deadLetters = new DeadLetterRecordSchema("cli-dlq", RecordSizeLimit.KAFKA_DEFAULT);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClients.producerProperties(broker.bootstrapServers(), Map.of()))) {
            // ground truth 1,1,1,2: predictions 1,1,3,2 -> 3 of 4 right; latencies 5, 10, 15, 20 ms
            int[][] rows = {{1, 1}, {1, 1}, {1, 3}, {2, 2}};
            for (int i = 0; i < rows.length; i++) {
                Classification c = new Classification("cam", "f" + i,
                        List.of(new LabelScore(rows[i][1], "class " + rows[i][1], 0.8f)), "m", "1", 100L,
                        100L + 5 * (i + 1), 0, 1, Map.of(FrameHeaders.LABEL, Integer.toString(rows[i][0]),
                                FrameHeaders.TOPIC, "in", FrameHeaders.PARTITION, "0", FrameHeaders.OFFSET,
                                Integer.toString(i)));
                producer.send(results.serialize(c, null, null));
            }
            Frame bad = new Frame("cam", "bad", Base64.getDecoder().decode("AAAA"), 100L, Map.of(FrameHeaders.TOPIC,
                    "in", FrameHeaders.PARTITION, "0", FrameHeaders.OFFSET, "4"));
            producer.send(deadLetters.serialize(new FailedFrame(bad, FailureReason.CORRUPT, "broken", 120L), null, null));
            producer.send(new ProducerRecord<>("cli-dlq", null, new byte[0]) {
            }).get();
        }
        // the last record above is not a dead letter (no error-reason) and counts as "other"

        CliRun json = CliRun.of("consume", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "cli-results,cli-dlq",
                "--evaluate", "--json", "--limit", "6");
        assertEquals(0, json.code(), json.err());
        assertEquals(1, json.lines().size(), json.out());
        JsonObject s = JsonParser.parseString(json.lines().get(0)).getAsJsonObject();
        assertEquals(4, s.get("results").getAsInt());
        assertEquals(1, s.get("dead_letters").getAsInt());
        assertEquals(1, s.getAsJsonObject("dead_letters_by_reason").get("CORRUPT").getAsInt());
        assertEquals(0.75, s.get("accuracy").getAsDouble(), 1e-12);
        assertEquals(10, s.get("latency_ms_p50").getAsLong());
        assertEquals(20, s.get("latency_ms_p90").getAsLong());
        assertEquals(20, s.get("latency_ms_p99").getAsLong());
        assertEquals(0, s.get("duplicates").getAsInt());
        assertEquals(1, s.get("other_records").getAsInt());
        JsonObject class1 = s.getAsJsonArray("per_class").get(0).getAsJsonObject();
        assertEquals("1", class1.get("ground_truth").getAsString());
        assertEquals("class 1", class1.get("label").getAsString());
        assertEquals(3, class1.get("results").getAsInt());
        assertEquals(2, class1.get("correct").getAsInt());

        CliRun text = CliRun.of("consume", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "cli-results",
                "--topic", "cli-dlq", "--evaluate", "--limit", "6");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("accuracy:      75.00% (3 of 4 labeled results)"), text.out());
        assertTrue(text.out().contains("dead letters:  1 (CORRUPT 1)"), text.out());

        CliRun lines = CliRun.of("consume", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "cli-dlq", "--json",
                "--limit", "1");
        JsonObject dead = JsonParser.parseString(lines.lines().get(0)).getAsJsonObject();
        assertEquals("dead_letter", dead.get("kind").getAsString());
        assertEquals(3, dead.get("value_size").getAsInt());
        assertEquals("CORRUPT", dead.getAsJsonObject("headers").get("error-reason").getAsString());
        assertTrue(!dead.has("value"));
    }

    @Test
    void clearErrorsForMissingTopicsAndBadArguments(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("x.png"), new byte[] {1});
        CliRun missing = CliRun.of("produce", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "no-such-topic",
                dir.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("topic 'no-such-topic' does not exist"), missing.err());

        CliRun consumeMissing = CliRun.of("consume", "--bootstrap-servers", broker.bootstrapServers(), "--topic",
                "no-such-topic-either", "--idle-timeout", "1s");
        assertEquals(2, consumeMissing.code());
        assertTrue(consumeMissing.err().contains("does not exist"), consumeMissing.err());

        CliRun both = CliRun.of("produce", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "cli-frames",
                "--fashion-mnist", dir.toString(), dir.toString());
        assertEquals(2, both.code());
        CliRun noFile = CliRun.of("produce", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "cli-frames",
                dir.resolve("nope.png").toString());
        assertEquals(2, noFile.code());
        assertTrue(noFile.err().contains("nope.png"), noFile.err());
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        CliRun unreachable = CliRun.of("consume", "--bootstrap-servers", "127.0.0.1:" + closedPort, "--topic", "cli-frames");
        assertEquals(2, unreachable.code());
        assertTrue(unreachable.err().contains("cannot connect to Kafka at 127.0.0.1:" + closedPort), unreachable.err());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "fails fast");
        CliRun badAddress = CliRun.of("produce", "--bootstrap-servers", "localhost", "--topic", "t", dir.toString());
        assertEquals(2, badAddress.code());
        assertTrue(badAddress.err().contains("expected host:port"), badAddress.err());
        CliRun badProperty = CliRun.of("consume", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "cli-frames",
                "--kafka-property", "novalue");
        assertEquals(2, badProperty.code());
    }
}
