package io.densenetflink.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.nn.DenseNetNetwork;
import io.densenetflink.model.weights.TorchvisionImporter;
import io.densenetflink.model.weights.TorchvisionWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Writes model artifacts with seeded random weights whose BatchNorm statistics are random too (like the
 * parity fixtures), so that folding and fusion are exercised, not just identity BatchNorms.
 */
public final class RandomWeights {

    private RandomWeights() {}

    /** Writes an artifact of {@code config} into {@code dir} with weights drawn from {@code seed}. */
    public static ModelArtifact artifact(DenseNetConfig config, Preprocessing preprocessing, long seed, Path dir)
            throws IOException {
        ModelArtifact artifact = ModelArtifact.builder().directory(dir).name("random").version(String.valueOf(seed))
                .architecture(config).preprocessing(preprocessing).build();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "MXNet")) {
            Block block = DenseNetNetwork.create(config, manager);
            Random random = new Random(seed);
            for (Map.Entry<String, Parameter> e : TorchvisionWeights.parameters(block).entrySet()) {
                var array = e.getValue().getArray();
                float[] values = new float[(int) array.getShape().size()];
                fill(e.getKey(), array.getShape().getShape(), values, random);
                array.set(values);
            }
            TorchvisionImporter.writeArtifact(artifact, block);
        }
        return artifact;
    }

    private static void fill(String key, long[] shape, float[] values, Random random) {
        boolean norm = key.contains("norm");
        for (int i = 0; i < values.length; i++) {
            if (key.endsWith("running_var") || (norm && key.endsWith(".weight"))) {
                values[i] = 0.5f + random.nextFloat();
            } else if (key.endsWith("running_mean") || key.endsWith(".bias")) {
                values[i] = (float) (0.1 * random.nextGaussian());
            } else {
                long fanIn = 1;
                for (int d = 1; d < shape.length; d++) {
                    fanIn *= shape[d];
                }
                values[i] = (float) (random.nextGaussian() * Math.sqrt(2.0 / fanIn));
            }
        }
    }
}
