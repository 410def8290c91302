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
import io.densenetflink.model.artifact.Precision;
import io.densenetflink.model.artifact.ScratchDirectory;
import io.densenetflink.model.engine.IsaSelection;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.engine.OneDnnIsa;
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

        /** The artifact's weight file, every key checked (see {@link TorchvisionWeights#load}). */
        static WeightSource of(ModelArtifact artifact) {
            return (block, manager) -> {
                try (NDManager staging = manager.newSubManager()) {
                    TorchvisionWeights.load(block, TorchvisionWeights.read(staging, artifact.weightsPath(),
                            artifact.maxStoredValues()),
                            artifact.weightsPath().toString());
                }
            };
        }

        /** Leaves the freshly built network's random initialisation in place. */
        static WeightSource random() {
            return (block, manager) -> { };
        }
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
            return loadGraph(artifact.directory(), artifact.graphPrefix(), artifact.name(), device,
                    artifact.precision());
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
        try (ScratchDirectory scratch = ScratchDirectory.create("densenet-graph-")) {
            writeGraph(artifact, weights, scratch.path(), GRAPH_PREFIX);
            return loadGraph(scratch.path(), GRAPH_PREFIX, artifact.name(), device, Precision.FP32);
        } catch (IOException e) {
            throw new ModelLoadException("cannot create a scratch directory for the compiled graph: " + e, e);
        }
    }

    /** Checks the weights by filling a Java-built block, then writes the block as an MXNet graph. */
    static void writeGraph(ModelArtifact artifact, WeightSource weights, Path dir, String prefix)
            throws ModelLoadException {
        writeGraph(artifact, weights, dir, prefix, DenseNetGraphExporter.Flavor.FUSED_BATCHNORM_RELU);
    }

    /** As {@link #writeGraph(ModelArtifact, WeightSource, Path, String)}, in the given graph flavour. */
    static void writeGraph(ModelArtifact artifact, WeightSource weights, Path dir, String prefix,
            DenseNetGraphExporter.Flavor flavor) throws ModelLoadException {
        MxEngineSetup.ensureConfigured();
        try (NDManager staging = Engine.getEngine(MxEngineSetup.ENGINE).newBaseManager(Device.cpu())) {
            Block block = DenseNetNetwork.create(artifact.architecture(), staging);
            weights.fill(block, staging);
            DenseNetGraphExporter.Export export =
                    DenseNetGraphExporter.export(artifact.architecture(), tensors(block), flavor);
            MxGraphFiles.write(export, dir, prefix, staging);
        } catch (IOException e) {
            throw new ModelLoadException("cannot write the compiled graph: " + e.getMessage(), e);
        }
    }

    /**
     * A bf16 graph on a CPU whose oneDNN has no bf16 kernels (AVX2 only, or capped below AVX-512) fails at its first
     * forward with MXNet's "could not create a primitive descriptor iterator": refused at load instead, naming why.
     */
    static void requireBf16Kernels(Precision precision, Device device) throws ModelLoadException {
        if (precision != Precision.BF16 || device.isGpu()) {
            return;
        }
        IsaSelection isa = MxEngineSetup.isaSelection();
        if (!isa.selected().hasBf16Kernels()) {
            throw new ModelLoadException("a bf16 model needs oneDNN's " + OneDnnIsa.LOWEST_WITH_BF16.id()
                    + " or better, and this process runs " + isa.describe()
                    + ": serve the fp32 or int8 model on this machine");
        }
    }

    /**
     * Loads {@code PREFIX-symbol.json} + {@code PREFIX-0000.params} from {@code dir} onto {@code device}. On the
     * CPU, fp32 and bf16 graphs go through oneDNN's fusion pass as they load; an int8 graph was fused when it was
     * quantized (its calibrated requantize steps are folded into the fused operators) and loads as it is.
     */
    static Model loadGraph(Path dir, String prefix, String name, Device device, Precision precision)
            throws ModelLoadException {
        if (precision != Precision.FP32 && device.isGpu()) {
            throw new ModelLoadException("a " + precision.id() + " model runs on the CPU only (its graph is"
                    + " converted for oneDNN); load the fp32 model on " + device);
        }
        requireBf16Kernels(precision, device);
        Model model = Model.newInstance(name, device, MxEngineSetup.ENGINE);
        try {
            boolean fuse = !device.isGpu() && precision != Precision.INT8;
            Map<String, String> options = fuse ? Map.of("MxOptimizeFor", CPU_BACKEND) : Map.of();
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

}
