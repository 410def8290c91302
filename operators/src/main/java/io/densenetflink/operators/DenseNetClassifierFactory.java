package io.densenetflink.operators;

import ai.djl.Device;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.artifact.ModelLimits;
import io.densenetflink.model.artifact.ModelRepository;
import io.densenetflink.model.graph.MxGraphFiles;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.inference.EngineMode;
import io.densenetflink.model.inference.Prediction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Loads a DenseNet in the chosen engine mode from a model directory (model.json + weights), or from a
 * {@linkplain ModelRepository repository} of numbered versions of one ({@code DIR/1}, {@code DIR/2}, ...), whose
 * versions the operator swaps while it runs. Which of the two the path is, is decided where the model is
 * opened (on the task manager), each time: a repository may be created after the job was submitted.
 */
public final class DenseNetClassifierFactory implements SlotClassifierFactory {

    private static final long serialVersionUID = 1L;

    private final String modelDirectory;
    private final String engineMode;
    private final long maxParameters;

    /** A factory for models within the {@linkplain ModelLimits#DEFAULT default limits}. */
    public DenseNetClassifierFactory(String modelDirectory, EngineMode engineMode) {
        this(modelDirectory, engineMode, ModelLimits.DEFAULT);
    }

    /** @param limits the largest model a version may be; a larger one is refused before it is allocated */
    public DenseNetClassifierFactory(String modelDirectory, EngineMode engineMode, ModelLimits limits) {
        this.modelDirectory = modelDirectory;
        this.engineMode = engineMode.id();
        this.maxParameters = limits.maxParameters();
    }

    private ModelLimits limits() {
        return new ModelLimits(maxParameters);
    }

    @Override
    public SlotClassifier open(Device device) throws Exception {
        OptionalLong latest = latestVersion();
        if (latest.isPresent()) {
            return open(device, latest.getAsLong());
        }
        return wrap(DenseNetClassifier.load(ModelArtifact.read(Path.of(modelDirectory), limits()), device,
                EngineMode.parse(engineMode)));
    }

    /**
     * Empty for a model directory; for a repository its highest complete version.
     *
     * @throws IllegalStateException when the path is neither, or a repository without a complete version
     */
    @Override
    public OptionalLong latestVersion() {
        Path dir = Path.of(modelDirectory);
        if (ModelRepository.isModelDirectory(dir)) {
            return OptionalLong.empty();
        }
        OptionalLong latest = ModelRepository.isRepository(dir) ? repository().latestComplete() : OptionalLong.empty();
        if (latest.isEmpty()) {
            throw new IllegalStateException(dir + " is neither a model directory (model.json) nor a model repository"
                    + " with a complete numbered version (" + dir + "/1/model.json, ...)");
        }
        return latest;
    }

    @Override
    public String filesStamp(long version) {
        StringBuilder stamp = new StringBuilder();
        try (java.util.stream.Stream<Path> files = Files.walk(repository().versionDirectory(version))) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                stamp.append(f.getFileName()).append(':').append(Files.size(f)).append(':')
                        .append(Files.getLastModifiedTime(f).toMillis()).append(';');
            }
        } catch (IOException | UncheckedIOException e) {
            return "unreadable: " + e.getMessage();
        }
        return stamp.toString();
    }

    @Override
    public OptionalLong latestVersionBelow(long version) {
        Path dir = Path.of(modelDirectory);
        return ModelRepository.isRepository(dir) ? repository().latestCompleteBelow(version) : OptionalLong.empty();
    }

    @Override
    public SlotClassifier open(Device device, long version) throws Exception {
        return wrap(DenseNetClassifier.load(artifact(version), device, EngineMode.parse(engineMode)));
    }

    /**
     * The bytes version {@code version}'s weights take: its files, or for a DenseNet architecture four bytes per
     * parameter when that is more (what loading it allocates, whatever the files hold).
     */
    @Override
    public long weightBytes(long version) {
        try {
            ModelArtifact artifact = artifact(version);
            long bytes = Files.size(artifact.weightsPath());
            if (artifact.isGraph()) {
                bytes += Files.size(MxGraphFiles.symbolFile(artifact.directory(), artifact.graphPrefix()));
            } else {
                bytes = Math.max(bytes, 4 * artifact.parameterCount());
            }
            return bytes;
        } catch (ModelLoadException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ModelArtifact artifact(long version) throws ModelLoadException {
        return repository().read(version).orElseThrow(() -> new ModelLoadException("version " + version + " of the"
                + " model repository " + modelDirectory + " is missing or incomplete"));
    }

    private ModelRepository repository() {
        try {
            return ModelRepository.at(Path.of(modelDirectory), limits());
        } catch (ModelLoadException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static SlotClassifier wrap(DenseNetClassifier classifier) {
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
            public String modelDigest() {
                String digest = classifier.artifact().contentDigest();
                return digest == null ? "" : digest;
            }

            @Override
            public int numClasses() {
                return classifier.numClasses();
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
