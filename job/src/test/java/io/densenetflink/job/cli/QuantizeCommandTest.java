package io.densenetflink.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.densenetflink.job.JobTestSupport;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.artifact.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code densenet quantize}, and the commands that serve its output like any model directory. */
class QuantizeCommandTest {

    @TempDir
    static Path tmp;

    static Path fp32;
    static Path images;
    static Path int8;

    @BeforeAll
    static void models() throws Exception {
        fp32 = JobTestSupport.tinyModel(tmp.resolve("fp32"));
        images = Files.createDirectories(tmp.resolve("calibration"));
        Random random = new Random(5);
        for (int i = 0; i < 20; i++) {
            byte[] pixels = new byte[28 * 28];
            random.nextBytes(pixels);
            Files.write(images.resolve("frame-" + i + ".png"), FrameInput.greyPng(pixels, 28, 28));
        }
        int8 = tmp.resolve("int8");
        CliRun run = CliRun.of("quantize", "--model", fp32.toString(), "--calibration", images.toString(),
                "--out", int8.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("int8 model written to " + int8), run.out());
        assertTrue(run.out().contains("fidelity"), run.out());
    }

    @Test
    void theOutputIsAnInt8ModelDirectoryRecordingItsCalibration() throws Exception {
        ModelArtifact artifact = ModelArtifact.read(int8);
        assertEquals(Precision.INT8, artifact.precision());
        assertEquals("naive", artifact.lowPrecision().get("method"));
        assertEquals(20.0, ((Number) ((java.util.Map<?, ?>) artifact.lowPrecision().get("calibration")).get("count"))
                .doubleValue());
    }

    @Test
    void predictAndEvalServeTheInt8Model() {
        CliRun predict = CliRun.of("predict", "--model", int8.toString(), images.resolve("frame-0.png").toString());
        assertEquals(0, predict.code(), predict.err());
        assertTrue(predict.out().contains("(class "), predict.out());
        Path sample = Path.of("..").resolve("models/fashion-mnist-sample").toAbsolutePath().normalize();
        CliRun eval = CliRun.of("eval", "--model", int8.toString(), "--data-dir", sample.toString(), "--limit", "100");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("on 100 Fashion-MNIST test images"), eval.out());
        CliRun agree = CliRun.of("eval", "--model", int8.toString(), "--data-dir", sample.toString(), "--offset", "900",
                "--agree-with", fp32.toString());
        assertEquals(0, agree.code(), agree.err());
        assertTrue(agree.out().contains("on 100 Fashion-MNIST test images"), agree.out());
        assertTrue(agree.out().matches("(?s).*top-1 agreement with .*: [0-9.]+% \\([0-9]+ of 100\\).*"), agree.out());
    }

    @Test
    void benchReportsPrecisionAndTheIsaThatRan() {
        CliRun bench = CliRun.of("bench", "--model", int8.toString(), "--batch", "1", "--seconds", "0.2", "--json");
        assertEquals(0, bench.code(), bench.err());
        JsonObject row = JsonParser.parseString(bench.lines().get(0)).getAsJsonObject();
        assertEquals("int8", row.get("precision").getAsString());
        assertNotEquals("unknown", row.get("isa").getAsString(), "no convolution kernel was seen in DNNL_VERBOSE");
    }

    @Test
    void benchConvertsOnTheFlyAndComparesWithFp32() {
        CliRun bench = CliRun.of("bench", "--model", fp32.toString(), "--precision", "bf16", "--batch", "2",
                "--seconds", "0.2", "--fidelity", "8", "--json");
        if (!io.densenetflink.model.lowp.Bf16Kernels.present()) {
            assertEquals(2, bench.code(), bench.err());
            assertTrue(bench.err().contains("bf16 model needs oneDNN's avx512_core"), bench.err());
            return;
        }
        assertEquals(0, bench.code(), bench.err());
        assertEquals("bf16", JsonParser.parseString(bench.lines().get(0)).getAsJsonObject().get("precision")
                .getAsString());
        JsonObject fidelity = JsonParser.parseString(bench.lines().get(1)).getAsJsonObject();
        assertEquals(8, fidelity.getAsJsonObject("fidelity").get("inputs").getAsInt());
    }

    @Test
    void mistakesAreRefusedWithTheReason() throws Exception {
        CliRun noCalibration = CliRun.of("quantize", "--model", fp32.toString(), "--out", tmp.resolve("a").toString());
        assertEquals(2, noCalibration.code());
        assertTrue(noCalibration.err().contains("calibration"), noCalibration.err());
        CliRun notEmpty = CliRun.of("quantize", "--model", fp32.toString(), "--random", "4", "--out", int8.toString());
        assertEquals(2, notEmpty.code());
        assertTrue(notEmpty.err().contains("not empty"), notEmpty.err());
        CliRun twice = CliRun.of("quantize", "--model", int8.toString(), "--random", "4", "--out",
                tmp.resolve("b").toString());
        assertEquals(2, twice.code());
        assertTrue(twice.err().contains("already"), twice.err());
        CliRun bf16Calibrated = CliRun.of("quantize", "--model", fp32.toString(), "--precision", "bf16",
                "--random", "4", "--out", tmp.resolve("c").toString());
        assertEquals(2, bf16Calibrated.code());
    }
}
