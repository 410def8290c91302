package io.densenetflink.model.lowp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.ParityFixture;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.artifact.Precision;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.inference.EngineMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * fp32 model directory -> int8 / bf16 model directory -> loaded and classifying like the fp32 model, on the tiny
 * parity fixture, calibrated on real image files through the model's preprocessing. Holds on any x86-64 CPU
 * (AMX, VNNI, AVX2 or less: oneDNN picks the kernels).
 */
class PrecisionConverterTest {

    @TempDir
    static Path tmp;

    static ModelArtifact fp32;
    static ParityFixture fixture;
    static float[] input;
    static ai.djl.ndarray.types.Shape shape;
    static float[] fp32Logits;

    @BeforeAll
    static void fp32Model() throws Exception {
        fp32 = ConvertedModels.tinyModel(tmp);
        fixture = new ParityFixture(tmp.resolve("fixture"), "tiny");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "MXNet")) {
            NDArray x = NDList.decode(manager, Files.readAllBytes(fixture.input())).singletonOrThrow();
            input = x.toFloatArray();
            shape = x.getShape();
        }
        try (DenseNetClassifier c = DenseNetClassifier.load(fp32, Device.cpu())) {
            fp32Logits = c.logits(input, shape);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"naive, channel-wise", "entropy, channel-wise", "naive, tensor-wise"})
    void int8RoundTripRecordsHowItWasMadeAndClassifiesLikeFp32(String method, String granularity) throws Exception {
        Path images = ConvertedModels.calibrationImages(tmp.resolve("calibration-" + method + granularity), 24);
        CalibrationSet calibration = CalibrationSet.imageDirectory(images, fp32.preprocessing(), 0);
        Int8Quantizer.Settings settings = Int8Quantizer.Settings.defaults()
                .withMethod(CalibrationMethod.parse(method)).withGranularity(WeightGranularity.parse(granularity));
        Path out = tmp.resolve("int8-" + method + "-" + granularity);
        PrecisionConverter.convert(fp32, PrecisionConverter.Request.int8(calibration, settings), out);

        ModelArtifact int8 = ModelArtifact.read(out);
        assertEquals(Precision.INT8, int8.precision());
        assertTrue(int8.isGraph());
        assertEquals(fp32.labels(), int8.labels());
        Map<String, Object> record = int8.lowPrecision();
        assertEquals(method, record.get("method"));
        assertEquals(granularity, record.get("granularity"));
        Map<?, ?> calibrated = (Map<?, ?>) record.get("calibration");
        assertEquals("image-directory", calibrated.get("source"));
        assertEquals(24.0, ((Number) calibrated.get("count")).doubleValue());
        Map<?, ?> source = (Map<?, ?>) record.get("source_model");
        assertEquals("fp32", source.get("precision"));
        assertEquals(fp32.directory().toAbsolutePath().toString(), source.get("directory"));
        assertEquals(PrecisionConverter.CONVERTED_FORWARD_BATCH, int8.maxForwardBatch());

        try (DenseNetClassifier c = DenseNetClassifier.load(int8, Device.cpu())) {
            assertCloseToFp32(c.logits(input, shape), 0.08, "int8 " + method + " " + granularity);
        }
    }

    /** A graph imported from MXNet/Gluon files (here: the fixture exported and imported again) converts too. */
    @Test
    void anImportedMxnetGraphConvertsToInt8AndBf16() throws Exception {
        Path exported = tmp.resolve("exported");
        io.densenetflink.model.inference.GraphModels.export(fp32, exported, "net");
        ModelArtifact graph = io.densenetflink.model.inference.GraphModels.importGraph(
                io.densenetflink.model.graph.MxGraphFiles.symbolFile(exported, "net"),
                io.densenetflink.model.graph.MxGraphFiles.paramsFile(exported, "net"), "tiny-graph", "1",
                fp32.preprocessing(), fp32.labels(), tmp.resolve("graph-fp32"));
        assertTrue(graph.isGraph());
        CalibrationSet calibration = CalibrationSet.imageDirectory(
                ConvertedModels.calibrationImages(tmp.resolve("calibration-graph"), 16), fp32.preprocessing(), 0);
        ModelArtifact int8 = PrecisionConverter.convert(graph,
                PrecisionConverter.Request.int8(calibration, Int8Quantizer.Settings.defaults()), tmp.resolve("graph-int8"));
        if (!Bf16Kernels.present()) {
            try (DenseNetClassifier c = DenseNetClassifier.load(int8, Device.cpu())) {
                assertCloseToFp32(c.logits(input, shape), 0.08, "int8 of an imported graph");
            }
            Bf16Kernels.assertRefused(() -> PrecisionConverter.convert(graph, PrecisionConverter.Request.bf16(),
                    tmp.resolve("graph-bf16")));
            return;
        }
        ModelArtifact bf16 = PrecisionConverter.convert(graph, PrecisionConverter.Request.bf16(), tmp.resolve("graph-bf16"));
        try (DenseNetClassifier c = DenseNetClassifier.load(int8, Device.cpu());
                DenseNetClassifier d = DenseNetClassifier.load(bf16, Device.cpu())) {
            assertCloseToFp32(c.logits(input, shape), 0.08, "int8 of an imported graph");
            assertCloseToFp32(d.logits(input, shape), 0.03, "bf16 of an imported graph");
        }
    }

    @Test
    void bf16RoundTripClassifiesLikeFp32() throws Exception {
        Path out = tmp.resolve("bf16");
        if (!Bf16Kernels.present()) {
            Bf16Kernels.assertRefused(() -> PrecisionConverter.convert(fp32, PrecisionConverter.Request.bf16(), out));
            // A bf16 model converted on another machine is refused at load too (stood in for by a converted graph
            // marked bf16: the refusal comes before MXNet reads the files).
            ModelArtifact int8 = PrecisionConverter.convert(fp32, PrecisionConverter.Request.int8(
                    CalibrationSet.random(4, fp32.preprocessing().outputSize(), 1), Int8Quantizer.Settings.defaults()),
                    tmp.resolve("int8-marked-bf16"));
            Bf16Kernels.assertLoadRefused(int8.toBuilder().precision(Precision.BF16).build());
            return;
        }
        PrecisionConverter.convert(fp32, PrecisionConverter.Request.bf16(), out);
        ModelArtifact bf16 = ModelArtifact.read(out);
        assertEquals(Precision.BF16, bf16.precision());
        try (DenseNetClassifier c = DenseNetClassifier.load(bf16, Device.cpu())) {
            assertCloseToFp32(c.logits(input, shape), 0.03, "bf16");
        }
    }

    @Test
    void aLargeBatchRunsInForwardSlicesWithTheSameResults() throws Exception {
        Path out = tmp.resolve("bf16-slices");
        if (!Bf16Kernels.present()) {
            Bf16Kernels.assertRefused(() -> PrecisionConverter.convert(fp32, PrecisionConverter.Request.bf16(), out));
            return;
        }
        ModelArtifact bf16 = PrecisionConverter.convert(fp32, PrecisionConverter.Request.bf16(), out);
        int per = (int) (shape.size() / shape.get(0));
        int n = 2 * PrecisionConverter.CONVERTED_FORWARD_BATCH + 3;
        float[] batch = new float[n * per];
        for (int i = 0; i < n; i++) {
            System.arraycopy(input, (i % (int) shape.get(0)) * per, batch, i * per, per);
        }
        try (DenseNetClassifier sliced = DenseNetClassifier.load(bf16, Device.cpu());
                DenseNetClassifier whole = DenseNetClassifier.load(bf16.toBuilder().maxForwardBatch(0).build(),
                        Device.cpu())) {
            var big = new ai.djl.ndarray.types.Shape(n, shape.get(1), shape.get(2), shape.get(3));
            float[] a = sliced.logits(batch, big);
            float[] b = whole.logits(batch, big);
            assertEquals(b.length, a.length);
            for (int i = 0; i < a.length; i++) {
                assertEquals(b[i], a[i], 1e-4, "logit " + i);
            }
        }
    }

    @Test
    void aConvertedModelIsNotConvertedAgainAndRunsCompiledOnly() throws Exception {
        Path out = tmp.resolve("int8-again");
        // int8: every CPU runs it (bf16 needs AVX-512).
        ModelArtifact int8 = PrecisionConverter.convert(fp32, PrecisionConverter.Request.int8(
                CalibrationSet.random(4, fp32.preprocessing().outputSize(), 1), Int8Quantizer.Settings.defaults()), out);
        ModelLoadException again = assertThrows(ModelLoadException.class,
                () -> PrecisionConverter.convert(int8, PrecisionConverter.Request.bf16(), tmp.resolve("x")));
        assertTrue(again.getMessage().contains("already"), again.getMessage());
        ModelLoadException eager = assertThrows(ModelLoadException.class,
                () -> DenseNetClassifier.load(int8, Device.cpu(), EngineMode.EAGER));
        assertTrue(eager.getMessage().contains("compiled"), eager.getMessage());
    }

    @Test
    void calibrationFramesOfAnotherSizeAreRefused() {
        CalibrationSet wrong = CalibrationSet.random(4, 3 * 32 * 32, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrecisionConverter.convert(
                fp32, PrecisionConverter.Request.int8(wrong, Int8Quantizer.Settings.defaults()), tmp.resolve("y")));
        assertTrue(e.getMessage().contains("calibration"), e.getMessage());
    }

    /** Mean absolute logit difference at most {@code share} of the largest fp32 logit, and the same top-1. */
    private static void assertCloseToFp32(float[] logits, double share, String what) {
        assertEquals(fp32Logits.length, logits.length);
        double max = 0;
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            max = Math.max(max, Math.abs(fp32Logits[i]));
            sum += Math.abs(fp32Logits[i] - logits[i]);
        }
        double mean = sum / logits.length;
        assertTrue(mean <= share * max, what + ": mean |logit - fp32| " + mean + " > " + share + " x " + max);
        int classes = logits.length / (int) shape.get(0);
        for (int n = 0; n < shape.get(0); n++) {
            assertEquals(argmax(fp32Logits, n * classes, classes), argmax(logits, n * classes, classes),
                    what + ": top-1 of image " + n);
        }
    }

    private static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[from + i] > v[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
