package io.densenetflink.model.lowp;

import ai.djl.Device;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.artifact.Precision;
import io.densenetflink.model.artifact.ScratchDirectory;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.graph.DenseNetGraphExporter;
import io.densenetflink.model.graph.MxGraphFiles;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.inference.GraphModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an fp32 model directory (a DenseNet of any configuration, or an imported MXNet/Gluon graph) into a model
 * directory of another precision: an int8 graph calibrated by {@link Int8Quantizer}, a bf16 graph from {@link
 * Bf16Converter}, or (for fp32) the compiled graph itself. The result is an ordinary model directory: model.json
 * ({@code precision}, {@code graph_prefix}, and a {@code low_precision} record of how it was made) plus the graph
 * files; everything that loads a model directory runs it.
 */
public final class PrecisionConverter {

    private static final Logger LOG = LoggerFactory.getLogger(PrecisionConverter.class);

    /** The graph files' prefix in a converted model directory. */
    public static final String GRAPH_PREFIX = "graph";

    private static final String SOURCE_PREFIX = "fp32";

    /**
     * The forward size of converted models unless their source sets one: int8 and bf16 DenseNet-121 run fewer
     * images per second at batch 32 than at 8 (their feature maps outgrow the caches) and need more memory
     * (BENCHMARKS.md), so larger batches run as forwards of 8.
     */
    static final int CONVERTED_FORWARD_BATCH = 8;

    /**
     * What to convert to.
     *
     * @param calibration the frames an int8 model is calibrated on (null for other precisions)
     * @param int8 the int8 settings (null for other precisions)
     */
    public record Request(Precision precision, CalibrationSet calibration, Int8Quantizer.Settings int8) {
        public Request {
            if (precision == Precision.INT8 && (calibration == null || int8 == null)) {
                throw new IllegalArgumentException("an int8 conversion needs a calibration set and settings");
            }
        }

        public static Request int8(CalibrationSet calibration, Int8Quantizer.Settings settings) {
            return new Request(Precision.INT8, calibration, settings);
        }

        public static Request bf16() {
            return new Request(Precision.BF16, null, null);
        }

        /** The compiled fp32 graph itself, as a model directory. */
        public static Request fp32() {
            return new Request(Precision.FP32, null, null);
        }
    }

    private PrecisionConverter() {}

    /**
     * Converts {@code source} as {@code request} says into {@code outDir} (created; files already there are
     * replaced) and checks that MXNet loads and runs the result.
     */
    public static ModelArtifact convert(ModelArtifact source, Request request, Path outDir)
            throws ModelLoadException, IOException {
        if (source.precision() != Precision.FP32) {
            throw new ModelLoadException(source.directory() + " is already a " + source.precision().id()
                    + " model: convert its fp32 model");
        }
        GraphModels.requireKernelsFor(request.precision(), Device.cpu());
        if (request.calibration() != null
                && request.calibration().imageSize() != source.preprocessing().outputSize()) {
            throw new IllegalArgumentException("calibration frames have " + request.calibration().imageSize()
                    + " values, the model takes " + source.preprocessing().outputSize());
        }
        MxEngineSetup.ensureConfigured();
        long start = System.nanoTime();
        try (ScratchDirectory work = ScratchDirectory.create("densenet-convert-")) {
            Path scratch = work.path();
            GraphModels.writeConvertibleGraph(source, flavor(request.precision()), scratch, SOURCE_PREFIX);
            Path params = MxGraphFiles.paramsFile(scratch, SOURCE_PREFIX);
            String fp32 = Files.readString(MxGraphFiles.symbolFile(scratch, SOURCE_PREFIX), StandardCharsets.UTF_8);
            Map<String, Object> record = new LinkedHashMap<>();
            String converted = switch (request.precision()) {
                case FP32 -> fp32;
                case BF16 -> Bf16Converter.convert(fp32, DenseNetGraphExporter.INPUT_NAME);
                case INT8 -> quantize(source, request, fp32, params, scratch.resolve("calibration"), record);
            };
            Files.createDirectories(outDir);
            Files.writeString(MxGraphFiles.symbolFile(outDir, GRAPH_PREFIX), converted, StandardCharsets.UTF_8);
            Files.copy(params, MxGraphFiles.paramsFile(outDir, GRAPH_PREFIX), StandardCopyOption.REPLACE_EXISTING);
            if (request.precision() != Precision.FP32) {
                record.put("source_model", sourceRecord(source));
                record.put("converted_at", Instant.now().toString());
                record.put("isa_at_conversion", MxEngineSetup.isaSelection().selected().id());
            }
            ModelArtifact.Builder builder = source.toBuilder().directory(outDir).graphPrefix(GRAPH_PREFIX)
                    .precision(request.precision()).lowPrecision(record);
            if (request.precision() != Precision.FP32 && source.maxForwardBatch() == 0) {
                builder.maxForwardBatch(CONVERTED_FORWARD_BATCH);
            }
            ModelArtifact result = builder.build();
            result.writeDescriptor(outDir);
            int classes = GraphModels.checkRuns(result);
            if (classes != result.numClasses()) {
                throw new ModelLoadException("the converted graph outputs " + classes + " classes, the model has "
                        + result.numClasses() + " labels");
            }
            LOG.info("converted {} to {} in {} ms: {}", source.name(), request.precision().id(),
                    (System.nanoTime() - start) / 1_000_000, outDir);
            return result;
        }
    }

    private static String quantize(ModelArtifact source, Request request, String fp32, Path params, Path scratch,
            Map<String, Object> record) throws IOException {
        Preprocessing p = source.preprocessing();
        Int8Quantizer.Settings settings = request.int8();
        Int8Quantizer.Result q = Int8Quantizer.quantize(fp32, params, DenseNetGraphExporter.INPUT_NAME,
                new long[] {p.channels(), p.cropHeight(), p.cropWidth()}, request.calibration(), settings, scratch);
        record.put("method", settings.method().id());
        record.put("granularity", settings.granularity().id());
        record.put("calibration", request.calibration().describe());
        record.put("stem", settings.stem().keepsFp32() ? "fp32" : "int8");
        record.put("fp32_nodes", q.fp32Nodes());
        record.put("concat_ranges", settings.concatRanges().id());
        record.put("calibrated_tensors", q.calibratedTensors());
        return q.symbolJson();
    }

    /**
     * The DenseNet graph form each conversion works best from (measured, BENCHMARKS.md): the fused fp32 form for
     * fp32; for int8 and bf16 each pre-activation BatchNorm as the depthwise affine convolution it is, which
     * oneDNN fuses with its ReLU (one pass over the feature map instead of two, and for int8 a uint8 output).
     */
    private static DenseNetGraphExporter.Flavor flavor(Precision precision) {
        return precision == Precision.FP32 ? DenseNetGraphExporter.Flavor.FUSED_BATCHNORM_RELU
                : DenseNetGraphExporter.Flavor.AFFINE_CONVOLUTIONS;
    }

    /** The directory of the fp32 model {@code converted} was made from, as its model.json records it. */
    public static java.util.Optional<Path> sourceDirectory(ModelArtifact converted) {
        Object source = converted.lowPrecision().get("source_model");
        if (source instanceof Map<?, ?> m && m.get("directory") instanceof String dir) {
            return java.util.Optional.of(Path.of(dir));
        }
        return java.util.Optional.empty();
    }

    private static Map<String, Object> sourceRecord(ModelArtifact source) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", source.name());
        r.put("version", source.version());
        r.put("precision", source.precision().id());
        if (source.directory() != null) {
            r.put("directory", source.directory().toAbsolutePath().toString());
        }
        Object origin = source.provenance().get("source");
        if (origin != null) {
            r.put("source", origin);
        }
        return r;
    }

}
