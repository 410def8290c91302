package io.densenetflink.job.local.demo;

import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.artifact.ModelRepository;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.weights.TorchvisionImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/** The demo's model and frames, from its options. */
public record DemoInputs(Path modelDir, List<FrameInput> frames, String note) {

    /** Where the project lives ({@code bin/densenet} sets {@code densenet.home}); the shipped model is there. */
    static Path home() {
        return Path.of(System.getProperty("densenet.home", ".")).toAbsolutePath().normalize();
    }

    /** The trained Fashion-MNIST model shipped in the repository. */
    public static Path shippedModel() {
        return home().resolve("models/fashion-mnist-densenet");
    }

    public static DemoInputs resolve(String variant, Path model, Path images, int count) throws IOException {
        if (variant != null) {
            Path dir = Files.createTempDirectory("densenet-demo-" + variant);
            dir.toFile().deleteOnExit();
            ModelArtifact spec = ModelArtifact.builder().directory(dir).name(variant).version("random")
                    .architecture(DenseNetConfig.preset(variant)).preprocessing(Preprocessing.imagenet()).build();
            TorchvisionImporter.writeRandomArtifact(spec);
            return new DemoInputs(dir, DemoFrames.synthetic(count, 224),
                    "synthetic 224x224 JPEG frames, random-weight " + variant);
        }
        Path modelDir = model != null ? model : shippedModel();
        if (!ModelRepository.isModelDirectory(modelDir) && !ModelRepository.isRepository(modelDir)) {
            throw new IllegalArgumentException("no model or model repository at " + modelDir + (model == null
                    ? " (the shipped Fashion-MNIST model is missing from this checkout; pass --model DIR or"
                            + " --variant NAME)" : ""));
        }
        if (images != null) {
            if (!Files.isDirectory(images)) {
                throw new IllegalArgumentException("--images: not a directory: " + images);
            }
            List<FrameInput> frames = FrameInput.ofPaths(List.of(images));
            if (frames.isEmpty()) {
                throw new IllegalArgumentException("--images: no files in " + images);
            }
            return new DemoInputs(modelDir, frames, "files from " + images);
        }
        StringBuilder note = new StringBuilder();
        List<FrameInput> frames = DemoFrames.fashionMnist(home(), count, note);
        return new DemoInputs(modelDir, frames, note.toString());
    }

    /**
     * These inputs served from the model repository {@code repository} instead: created with this model as
     * version 1 when it holds no version yet, so that versions published into it while the demo runs take over.
     */
    public DemoInputs servedFrom(Path repository) throws IOException, ModelLoadException {
        if (ModelRepository.isModelDirectory(repository)) {
            throw new IllegalArgumentException("--repository: " + repository + " is a model directory, not a"
                    + " repository of versions");
        }
        Files.createDirectories(repository);
        ModelRepository versions = ModelRepository.at(repository);
        if (versions.numbered().isEmpty()) {
            versions.publish(modelDir, OptionalLong.empty());
        }
        return new DemoInputs(repository, frames, note);
    }
}
