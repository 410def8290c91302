package io.densenetflink.operators;

import ai.djl.Device;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.inference.EngineMode;
import io.densenetflink.model.inference.Prediction;
import java.nio.file.Path;
import java.util.List;

/** Loads a DenseNet model directory (model.json + weights) in the chosen engine mode. */
public final class DenseNetClassifierFactory implements SlotClassifierFactory {

    private static final long serialVersionUID = 1L;

    private final String modelDirectory;
    private final String engineMode;

    public DenseNetClassifierFactory(String modelDirectory, EngineMode engineMode) {
        this.modelDirectory = modelDirectory;
        this.engineMode = engineMode.id();
    }

    @Override
    public SlotClassifier open(Device device) throws Exception {
        DenseNetClassifier classifier =
                DenseNetClassifier.load(Path.of(modelDirectory), device, EngineMode.parse(engineMode));
        return new SlotClassifier() {
            @Override
            public String modelName() {
                return classifier.artifact().name();
            }

            @Override
            public String modelVersion() {
                return classifier.artifact().version();
            }

            @Override
            public Preprocessing preprocessing() {
                return classifier.preprocessing();
            }

            @Override
            public List<Prediction> classify(float[] pixels, int count, int topK) {
                return classifier.classify(pixels, count, topK);
            }

            @Override
            public void close() {
                classifier.close();
            }
        };
    }

    @Override
    public String describe() {
        return modelDirectory + " (" + engineMode + ")";
    }
}
