package io.densenetflink.model;

import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.weights.TorchvisionImporter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The one tiny DenseNet the tests of every module run (through this module's test-jar): DenseNet-BC with growth
 * rate 4, two dense blocks of two layers and 8 initial features, randomly initialised; small enough to load and
 * classify in milliseconds, a real network all the same.
 */
public final class TinyModels {

    private TinyModels() {}

    /** The tiny architecture for {@code classes} classes of {@code channels}-channel images behind {@code stem}. */
    public static DenseNetConfig architecture(int classes, int channels, DenseNetConfig.Stem stem) {
        return DenseNetConfig.builder().growthRate(4).blocks(2, 2).initFeatures(8).numClasses(classes)
                .inputChannels(channels).stem(stem).build();
    }

    /**
     * Writes the tiny model named {@code name}, scoring {@code labels}, for input as {@code preprocessing} says
     * behind {@code stem}, into {@code dir}; returns {@code dir}.
     */
    public static Path write(Path dir, String name, List<String> labels, Preprocessing preprocessing,
            DenseNetConfig.Stem stem) throws IOException {
        TorchvisionImporter.writeRandomArtifact(ModelArtifact.builder().directory(dir).name(name).version("1")
                .architecture(architecture(labels.size(), preprocessing.channels(), stem)).labels(labels)
                .preprocessing(preprocessing).build());
        return dir;
    }
}
