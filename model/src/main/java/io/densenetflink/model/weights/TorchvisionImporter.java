package io.densenetflink.model.weights;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.nn.DenseNetNetwork;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a torchvision/timm DenseNet weight file into a model artifact: the weights are checked against the
 * architecture by loading them into a real network, then written with {@code model.json}.
 */
public final class TorchvisionImporter {

    private static final String CLASSIFIER_WEIGHT = "classifier.weight";
    private static final String STEM_WEIGHT = "features.conv0.weight";

    private TorchvisionImporter() {}

    /**
     * Reads the number of classes from {@code classifier.weight} and input channels from {@code
     * features.conv0.weight} where the caller did not set them, and returns the completed architecture.
     *
     * @param classes the class count the user asked for, or null to take it from the file
     */
    public static DenseNetConfig completeArchitecture(DenseNetConfig.Builder architecture, Integer classes,
            Path weights) throws ModelLoadException {
        MxEngineSetup.ensureConfigured();
        try (NDManager manager = Engine.getEngine(MxEngineSetup.ENGINE).newBaseManager(Device.cpu())) {
            NDList tensors = TorchvisionWeights.read(manager, weights);
            NDArray classifier = tensors.get(CLASSIFIER_WEIGHT);
            NDArray stem = tensors.get(STEM_WEIGHT);
            if (classes == null) {
                if (classifier == null || classifier.getShape().dimension() != 2) {
                    throw new ModelLoadException(weights + " has no 2-D " + CLASSIFIER_WEIGHT
                            + ": give the number of classes explicitly");
                }
                architecture.numClasses((int) classifier.getShape().get(0));
            } else {
                architecture.numClasses(classes);
            }
            if (stem != null && stem.getShape().dimension() == 4) {
                architecture.inputChannels((int) stem.getShape().get(1));
            }
            return architecture.build();
        }
    }

    /**
     * Loads {@code weights} into a network built from {@code target.architecture()} (all keys must match)
     * and writes the artifact into {@code outDir}: model.json and {@value ModelArtifact#DEFAULT_WEIGHTS}.
     *
     * @return the artifact as written
     */
    public static ModelArtifact importWeights(Path weights, ModelArtifact target, Path outDir)
            throws ModelLoadException, IOException {
        MxEngineSetup.ensureConfigured();
        Map<String, Object> provenance = new LinkedHashMap<>(target.provenance());
        provenance.putIfAbsent("source", "torchvision-state-dict");
        provenance.put("imported_from", weights.toAbsolutePath().toString());
        provenance.put("imported_at", Instant.now().toString());
        ModelArtifact artifact = target.toBuilder().directory(outDir).weightsFile(ModelArtifact.DEFAULT_WEIGHTS)
                .provenance(provenance).build();
        try (NDManager manager = Engine.getEngine(MxEngineSetup.ENGINE).newBaseManager(Device.cpu())) {
            Block block = DenseNetNetwork.create(artifact.architecture(), manager);
            TorchvisionWeights.load(block, TorchvisionWeights.read(manager, weights), weights.toString());
            writeArtifact(artifact, block);
        }
        return artifact;
    }

    /**
     * Writes an artifact whose weights are the network's random initialisation: for measuring a pipeline's
     * cost with an architecture no trained weights exist for. Provenance says so.
     */
    public static ModelArtifact writeRandomArtifact(ModelArtifact spec) throws IOException {
        MxEngineSetup.ensureConfigured();
        Map<String, Object> provenance = new LinkedHashMap<>(spec.provenance());
        provenance.put("source", "random-initialisation");
        ModelArtifact artifact = spec.toBuilder().provenance(provenance).build();
        try (NDManager manager = Engine.getEngine(MxEngineSetup.ENGINE).newBaseManager(Device.cpu())) {
            writeArtifact(artifact, DenseNetNetwork.create(artifact.architecture(), manager));
        }
        return artifact;
    }

    /** Writes {@code artifact}'s descriptor and {@code block}'s parameters into the artifact directory. */
    public static void writeArtifact(ModelArtifact artifact, Block block) throws IOException {
        Path dir = artifact.directory();
        Files.createDirectories(dir);
        try (OutputStream out = Files.newOutputStream(artifact.weightsPath())) {
            TorchvisionWeights.save(block, out);
        }
        artifact.writeDescriptor(dir);
    }
}
