package io.densenetflink.model.inference;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.artifact.Precision;
import io.densenetflink.model.graph.DenseNetGraphExporter;
import io.densenetflink.model.graph.MxGraphFiles;
import io.densenetflink.model.image.Preprocessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * MXNet symbolic graphs on disk: export a DenseNet model as one ({@code PREFIX-symbol.json} +
 * {@code PREFIX-0000.params}, the files Gluon's {@code export()} writes), and import such a graph of any
 * image classifier (e.g. from GluonCV's model zoo) as a model directory the operator can run.
 */
public final class GraphModels {

    /** The file prefix of an imported graph inside a model directory. */
    public static final String IMPORTED_PREFIX = "graph";

    private GraphModels() {}

    /** Writes the DenseNet artifact's network as an MXNet graph into {@code outDir} under {@code prefix}. */
    public static void export(ModelArtifact artifact, Path outDir, String prefix) throws ModelLoadException {
        if (artifact.isGraph()) {
            throw new IllegalArgumentException(artifact.directory() + " already is an MXNet graph");
        }
        NetworkLoader.writeGraph(artifact, NetworkLoader.WeightSource.of(artifact), outDir, prefix);
    }

    /**
     * Writes the artifact's fp32 network as an MXNet graph for MXNet's conversion passes (quantization, reduced
     * precision): a DenseNet is exported in the given flavour, an imported graph is copied as it is.
     */
    public static void writeConvertibleGraph(ModelArtifact artifact, DenseNetGraphExporter.Flavor flavor,
            Path outDir, String prefix) throws ModelLoadException, IOException {
        if (artifact.precision() != Precision.FP32) {
            throw new ModelLoadException(artifact.directory() + " already is a " + artifact.precision().id()
                    + " model; convert its fp32 model instead");
        }
        if (artifact.isGraph()) {
            Files.createDirectories(outDir);
            Files.copy(MxGraphFiles.symbolFile(artifact.directory(), artifact.graphPrefix()),
                    MxGraphFiles.symbolFile(outDir, prefix), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(MxGraphFiles.paramsFile(artifact.directory(), artifact.graphPrefix()),
                    MxGraphFiles.paramsFile(outDir, prefix), StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        NetworkLoader.writeGraph(artifact, NetworkLoader.WeightSource.of(artifact), outDir, prefix, flavor);
    }

    /**
     * Copies {@code symbol} and {@code params} into {@code outDir}, checks that MXNet loads the graph and that
     * it maps one image of the preprocessing size to one row of class scores, and writes model.json.
     *
     * @param labels class labels, or null for {@code class_0 ...} as many as the graph outputs
     */
    public static ModelArtifact importGraph(Path symbol, Path params, String name, String version,
            Preprocessing preprocessing, List<String> labels, Path outDir) throws ModelLoadException, IOException {
        for (Path f : new Path[] {symbol, params}) {
            if (!Files.isRegularFile(f)) {
                throw new ModelLoadException("graph file not found: " + f);
            }
        }
        Files.createDirectories(outDir);
        Files.copy(symbol, MxGraphFiles.symbolFile(outDir, IMPORTED_PREFIX), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(params, MxGraphFiles.paramsFile(outDir, IMPORTED_PREFIX), StandardCopyOption.REPLACE_EXISTING);
        ModelArtifact.Builder artifact = ModelArtifact.builder().directory(outDir).graphPrefix(IMPORTED_PREFIX)
                .name(name).version(version).preprocessing(preprocessing)
                .provenance(Map.of("source", "mxnet-graph", "imported_from", symbol.toAbsolutePath().toString()));
        int classes = checkRuns(artifact.labels(List.of("probe")).build());
        if (labels != null && labels.size() != classes) {
            throw new IllegalArgumentException(labels.size() + " labels for a graph with " + classes + " outputs");
        }
        ModelArtifact result = artifact.labels(labels != null ? labels : ModelArtifact.defaultLabels(classes)).build();
        result.writeDescriptor(outDir);
        return result;
    }

    /**
     * Loads the artifact's graph, runs one zero image through it and returns the width of its 2-D output;
     * fails when MXNet cannot load or run it, or when it does not map an image to one row of class scores.
     */
    public static int checkRuns(ModelArtifact artifact) throws ModelLoadException {
        var p = artifact.preprocessing();
        try (Model model = NetworkLoader.loadGraph(artifact.directory(), artifact.graphPrefix(), artifact.name(),
                Device.cpu(), artifact.precision()); NDManager batch = model.getNDManager().newSubManager()) {
            NDArray input = batch.zeros(new Shape(1, p.channels(), p.cropHeight(), p.cropWidth()));
            NDList out = model.getBlock().forward(new ParameterStore(batch, false), new NDList(input), false);
            Shape shape = out.head().getShape();
            if (shape.dimension() != 2 || shape.get(0) != 1) {
                throw new ModelLoadException("the graph maps a 1 x " + p.channels() + " x " + p.cropHeight() + " x "
                        + p.cropWidth() + " input to " + shape + ", not to 1 x classes: not an image classifier"
                        + " (or the input size/channels are wrong)");
            }
            return (int) shape.get(1);
        } catch (RuntimeException e) {
            throw new ModelLoadException("MXNet could not run the graph " + artifact.graphPrefix() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Refuses a precision this process's oneDNN cannot run on {@code device} (bf16 below AVX-512), with the reason,
     * before anything is converted or loaded.
     */
    public static void requireKernelsFor(Precision precision, Device device) throws ModelLoadException {
        NetworkLoader.requireBf16Kernels(precision, device);
    }
}
