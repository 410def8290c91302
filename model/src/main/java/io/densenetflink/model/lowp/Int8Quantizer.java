package io.densenetflink.model.lowp;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.graph.MxGraphFiles;
import io.densenetflink.model.graph.MxSymbol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MXNet's own int8 flow for oneDNN, in the order {@code quantize_net_v2} (python/mxnet/contrib/quantization.py,
 * 1.9.1) calls it, through the C API DJL binds:
 * <ol>
 *   <li>{@code MXGenBackendSubgraph(MKLDNN_QUANTIZE)}: fuse convolution + BatchNorm + activation (+ sum) into
 *       {@code _sg_mkldnn_conv} nodes of the fp32 graph;
 *   <li>{@code MXQuantizeSymbol}: insert quantize / requantize / dequantize steps, and list the tensors whose
 *       ranges must be calibrated;
 *   <li>calibration: run the fused fp32 graph over the calibration set with those tensors as extra outputs, and
 *       reduce their values to ranges (naive min/max or entropy);
 *   <li>{@code MXSetCalibTableToQuantizedSymbol}: write the ranges into the quantized graph;
 *   <li>{@code MXGenBackendSubgraph(MKLDNN_QUANTIZE)} again: fold the requantize and dequantize steps into the
 *       fused int8 operators.
 * </ol>
 * Weights stay fp32 in the parameter file: the fused operators quantize them once, when they first run.
 *
 * <p>Two decisions are this project's, both measured (BENCHMARKS.md): a convolution that reads the graph input
 * (a 3- or 1-channel stem) runs in int8 only where AMX is available (oneDNN's VNNI int8 kernel for so few input
 * channels is slower than its fp32 one), and the ranges of concatenated tensors are aligned (see {@link
 * ConcatRanges}), so oneDNN's int8 concat copies most inputs as they are instead of rescaling them.
 */
public final class Int8Quantizer {

    private static final Logger LOG = LoggerFactory.getLogger(Int8Quantizer.class);

    static final String BACKEND = "MKLDNN_QUANTIZE";
    private static final String CALIBRATION_PREFIX = "calibration";

    /** Whether the convolutions that read the graph input run in int8. */
    public enum Stem {
        /** int8 where this process's oneDNN has AMX, fp32 elsewhere (measured: BENCHMARKS.md). */
        AUTO,
        INT8,
        FP32;

        public static Stem parse(String text) {
            for (Stem s : values()) {
                if (s.name().equalsIgnoreCase(text.trim())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("stem: expected auto, int8 or fp32, got '" + text + "'");
        }

        boolean keepsFp32() {
            return this == FP32 || this == AUTO && !MxEngineSetup.isaSelection().selected().usesAmx();
        }
    }

    /**
     * How to quantize.
     *
     * @param batchSize frames per calibration forward
     */
    public record Settings(CalibrationMethod method, WeightGranularity granularity, Stem stem, int batchSize,
            ConcatRanges concatRanges) {
        public Settings {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("calibration batch size must be > 0, got " + batchSize);
            }
        }

        /** Naive calibration, per-channel weights, automatic stem, batches of 16, aligned concat ranges. */
        public static Settings defaults() {
            return new Settings(CalibrationMethod.NAIVE, WeightGranularity.CHANNEL_WISE, Stem.AUTO, 16,
                    ConcatRanges.ALIGNED);
        }

        public Settings withMethod(CalibrationMethod m) {
            return new Settings(m, granularity, stem, batchSize, concatRanges);
        }

        public Settings withGranularity(WeightGranularity g) {
            return new Settings(method, g, stem, batchSize, concatRanges);
        }

        public Settings withStem(Stem s) {
            return new Settings(method, granularity, s, batchSize, concatRanges);
        }

        public Settings withConcatRanges(ConcatRanges c) {
            return new Settings(method, granularity, stem, batchSize, c);
        }
    }

    /** The quantized graph and what calibration saw. */
    public record Result(String symbolJson, List<String> fp32Nodes, int calibratedTensors) {}

    private Int8Quantizer() {}

    /**
     * Quantizes the fp32 graph {@code symbolJson} whose parameters are in {@code params}, calibrating on {@code
     * calibration} (frames of {@code channels x height x width}).
     *
     * @param inputName the graph's data input
     * @param scratch an empty directory for the calibration graph
     */
    public static Result quantize(String symbolJson, Path params, String inputName, long[] frameShape,
            CalibrationSet calibration, Settings settings, Path scratch) throws IOException {
        MxEngineSetup.ensureConfigured();
        try (MxSymbol fp32 = MxSymbol.fromJson(symbolJson); MxSymbol fused = fp32.backendSubgraph(BACKEND)) {
            GraphJson fusedGraph = new GraphJson(fused.toJson());
            List<String> keptFp32 = new ArrayList<>(settings.stem().keepsFp32()
                    ? nodesReading(fusedGraph, "_sg_mkldnn_conv", inputName) : List.of());
            if (settings.granularity() == WeightGranularity.TENSOR_WISE) {
                // MXNet's tensor-wise int8 fully connected layer needs its weights quantized offline into extra
                // parameters; channel-wise (the default) quantizes them inside the fused operator. The classifier
                // is a sliver of the work: it stays fp32.
                keptFp32.addAll(nodesOf(fusedGraph, "_sg_mkldnn_fully_connected"));
            }
            MxSymbol.Quantized quantized = fused.quantize(keptFp32, "auto", "full", settings.granularity().id());
            try (MxSymbol unCalibrated = quantized.symbol()) {
                List<String> names = quantized.calibrationNames();
                LOG.info("quantizing: {} tensors to calibrate, kept in fp32: {}", names.size(), keptFp32);
                Map<String, RangeCollector.Range> ranges = calibrate(fused, names, params, inputName, frameShape,
                        calibration, settings, scratch);
                settings.concatRanges().apply(fusedGraph, ranges);
                float[] min = new float[names.size()];
                float[] max = new float[names.size()];
                for (int i = 0; i < names.size(); i++) {
                    RangeCollector.Range r = ranges.get(names.get(i));
                    min[i] = r.min();
                    max[i] = r.max();
                }
                try (MxSymbol calibrated = unCalibrated.withCalibration(names, min, max);
                        MxSymbol folded = calibrated.backendSubgraph(BACKEND)) {
                    return new Result(folded.toJson(), keptFp32, names.size());
                }
            }
        }
    }

    /** Nodes of operator {@code op} that read {@code input} directly (the stem). */
    private static List<String> nodesReading(GraphJson graph, String op, String input) {
        int data = graph.variable(input);
        if (data < 0) {
            throw new IllegalArgumentException("the graph has no input called " + input);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < graph.size(); i++) {
            if (graph.op(i).equals(op) && graph.inputs(i).contains(data)) {
                out.add(graph.name(i));
            }
        }
        return out;
    }

    private static List<String> nodesOf(GraphJson graph, String op) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < graph.size(); i++) {
            if (graph.op(i).equals(op)) {
                out.add(graph.name(i));
            }
        }
        return out;
    }

    /**
     * Runs the fused fp32 graph over the calibration set with every tensor to calibrate as an output and
     * reduces each to a range. The graph input is observed from the batches themselves.
     */
    private static Map<String, RangeCollector.Range> calibrate(MxSymbol fused, List<String> names, Path params,
            String inputName, long[] frameShape, CalibrationSet calibration, Settings settings, Path scratch)
            throws IOException {
        List<String> internal = names.stream().filter(n -> !n.equals(inputName)).toList();
        try (MxSymbol probe = fused.withInternalOutputs(internal)) {
            Files.createDirectories(scratch);
            Files.writeString(MxGraphFiles.symbolFile(scratch, CALIBRATION_PREFIX), probe.toJson(),
                    StandardCharsets.UTF_8);
        }
        Files.copy(params, MxGraphFiles.paramsFile(scratch, CALIBRATION_PREFIX));
        RangeCollector collector = RangeCollector.create(settings.method(), names.size());
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        try (Model model = Model.newInstance("calibration", Device.cpu(), MxEngineSetup.ENGINE)) {
            try {
                model.load(scratch, CALIBRATION_PREFIX, Map.of());
            } catch (MalformedModelException e) {
                throw new IOException("MXNet cannot load the calibration graph: " + e.getMessage(), e);
            }
            int batch = settings.batchSize();
            int frame = calibration.imageSize();
            float[] pixels = new float[batch * frame];
            for (int from = 0; from < calibration.count(); from += batch) {
                int n = Math.min(batch, calibration.count() - from);
                calibration.fill(from, n, pixels);
                try (NDManager step = model.getNDManager().newSubManager()) {
                    long[] shape = {n, frameShape[0], frameShape[1], frameShape[2]};
                    NDArray input = step.create(n == batch ? pixels : java.util.Arrays.copyOf(pixels, n * frame),
                            new Shape(shape));
                    NDList out = model.getBlock().forward(new ParameterStore(step, false), new NDList(input), false);
                    for (int i = 0; i < internal.size(); i++) {
                        collector.collect(index.get(internal.get(i)), out.get(i));
                    }
                    if (index.containsKey(inputName)) {
                        collector.collect(index.get(inputName), input);
                    }
                }
                LOG.debug("calibrated on {} of {} frames", from + n, calibration.count());
            }
            Map<String, RangeCollector.Range> ranges = new HashMap<>();
            for (String name : names) {
                ranges.put(name, collector.range(index.get(name), model.getNDManager()));
            }
            return ranges;
        }
    }
}
