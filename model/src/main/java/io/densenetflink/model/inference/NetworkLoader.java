package io.densenetflink.model.inference;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.graph.DenseNetGraphExporter;
import io.densenetflink.model.graph.GraphParameters.Tensor;
import io.densenetflink.model.graph.MxGraphFiles;
import io.densenetflink.model.nn.DenseNetNetwork;
import io.densenetflink.model.weights.TorchvisionWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** Builds the DJL {@link Model} a classifier runs, in either {@link EngineMode}. */
final class NetworkLoader {

    /** The MXNet subgraph backend that fuses convolution, BatchNorm and activation for oneDNN on CPU. */
    static final String CPU_BACKEND = "MKLDNN";

    private static final String GRAPH_PREFIX = "densenet";

    /** How a freshly built network gets its weights (from the artifact, or left random). */
    @FunctionalInterface
    interface WeightSource {
        void fill(Block block, NDManager manager) throws ModelLoadException;
    }

    private NetworkLoader() {}

    static Model load(ModelArtifact artifact, Device device, EngineMode mode, WeightSource weights)
            throws ModelLoadException {
        MxEngineSetup.ensureConfigured();
        if (artifact.isGraph()) {
            if (mode == EngineMode.EAGER) {
                throw new ModelLoadException(artifact.directory() + " holds an imported MXNet graph, which runs"
                        + " compiled only (eager mode needs a DenseNet architecture)");
            }
            return loadGraph(artifact.directory(), artifact.graphPrefix(), artifact.name(), device);
        }
        return mode == EngineMode.EAGER ? eager(artifact, device, weights) : compiled(artifact, device, weights);
    }

    private static Model eager(ModelArtifact artifact, Device device, WeightSource weights)
            throws ModelLoadException {
        Model model = Model.newInstance(artifact.name(), device, MxEngineSetup.ENGINE);
        try {
            Block block = DenseNetNetwork.create(artifact.architecture(), model.getNDManager());
            weights.fill(block, model.getNDManager());
            model.setBlock(block);
            return model;
        } catch (ModelLoadException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Fills a Java-built block first (so the weights are checked exactly as in eager mode), exports it as a
     * graph into a scratch directory, and loads that graph.
     */
    private static Model compiled(ModelArtifact artifact, Device device, WeightSource weights)
            throws ModelLoadException {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("densenet-graph-");
        } catch (IOException e) {
            throw new ModelLoadException("cannot create a scratch directory for the compiled graph: " + e, e);
        }
        try {
            writeGraph(artifact, weights, scratch, GRAPH_PREFIX);
            return loadGraph(scratch, GRAPH_PREFIX, artifact.name(), device);
        } finally {
            deleteRecursively(scratch);
        }
    }

    /** Checks the weights by filling a Java-built block, then writes the block as an MXNet graph. */
    static void writeGraph(ModelArtifact artifact, WeightSource weights, Path dir, String prefix)
            throws ModelLoadException {
        try (NDManager staging = Engine.getEngine(MxEngineSetup.ENGINE).newBaseManager(Device.cpu())) {
            Block block = DenseNetNetwork.create(artifact.architecture(), staging);
            weights.fill(block, staging);
            DenseNetGraphExporter.Export export = DenseNetGraphExporter.export(artifact.architecture(), tensors(block));
            MxGraphFiles.write(export, dir, prefix, staging);
        } catch (IOException e) {
            throw new ModelLoadException("cannot write the compiled graph: " + e.getMessage(), e);
        }
    }

    /** Loads {@code PREFIX-symbol.json} + {@code PREFIX-0000.params} from {@code dir} onto {@code device}. */
    static Model loadGraph(Path dir, String prefix, String name, Device device) throws ModelLoadException {
        Model model = Model.newInstance(name, device, MxEngineSetup.ENGINE);
        try {
            Map<String, String> options = device.isGpu() ? Map.of() : Map.of("MxOptimizeFor", CPU_BACKEND);
            model.load(dir, prefix, options);
            return model;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new ModelLoadException("cannot load the MXNet graph " + prefix + " in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** The block's parameters as plain tensors under torchvision names. */
    static Map<String, Tensor> tensors(Block block) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : TorchvisionWeights.parameters(block).entrySet()) {
            var array = e.getValue().getArray();
            out.put(e.getKey(), new Tensor(array.toFloatArray(), array.getShape().getShape()));
        }
        return out;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover scratch directory in the temp folder is harmless
        }
    }
}
