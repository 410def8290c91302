package io.densenetflink.model.inference;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.image.Preprocessing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded DenseNet ready to classify batches of preprocessed images.
 *
 * <p>One instance per thread: DJL/MXNet inference state is not thread-safe, so a streaming operator holds
 * one classifier per slot and calls it from that slot's thread. Each call runs in its own NDManager, which
 * is closed before the call returns, so native memory does not grow with the number of batches.
 */
public final class DenseNetClassifier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DenseNetClassifier.class);

    private final ModelArtifact artifact;
    private final Model model;
    private final Block block;
    private final Device device;
    private final EngineMode mode;
    private final NativeStaging staging = new NativeStaging();

    private DenseNetClassifier(ModelArtifact artifact, Model model, Device device, EngineMode mode) {
        this.artifact = artifact;
        this.model = model;
        this.block = model.getBlock();
        this.device = device;
        this.mode = mode;
    }

    /** Loads the artifact's weights onto {@code device} as a compiled graph (the default engine mode). */
    public static DenseNetClassifier load(ModelArtifact artifact, Device device) throws ModelLoadException {
        return load(artifact, device, EngineMode.COMPILED);
    }

    /** Loads the artifact's weights onto {@code device}; fails with the reason when anything does not fit. */
    public static DenseNetClassifier load(ModelArtifact artifact, Device device, EngineMode mode)
            throws ModelLoadException {
        artifact.verifyContent();
        Model model = NetworkLoader.load(artifact, device, mode, NetworkLoader.WeightSource.of(artifact));
        DenseNetClassifier classifier = new DenseNetClassifier(artifact, model, device, mode);
        if (artifact.isGraph()) {
            try {
                classifier.requireOneScorePerLabel();
            } catch (ModelLoadException | RuntimeException e) {
                classifier.close();
                throw e;
            }
        }
        LOG.info("loaded {} {} ({}, {}) on {}: {}", artifact.name(), artifact.version(), artifact.precision().id(),
                mode.id(), device, device.isGpu() ? "GPU" : MxEngineSetup.isaSelection().describe());
        return classifier;
    }

    /**
     * One forward of a blank image must give one score per label. Only a graph needs it: a network built from
     * model.json's architecture has num_classes outputs, and {@link ModelArtifact#read} already holds the labels
     * to that count. An imported or converted graph is whatever its files say, and a model.json edited by hand can
     * list fewer or more labels than it has outputs: such a model would name every class wrongly (and, sliced by
     * the label count, score one image of a batch with another's logits), so it never serves.
     */
    private void requireOneScorePerLabel() throws ModelLoadException {
        Preprocessing p = preprocessing();
        int scores = forward(new float[imageSize()], 0, new Shape(1, p.channels(), p.cropHeight(), p.cropWidth())).length;
        if (scores != numClasses()) {
            throw new ModelLoadException(artifact.directory() + ": the network gives " + scores
                    + " class scores per image but model.json lists " + numClasses() + " labels: refused (it would"
                    + " serve wrong labels)");
        }
    }

    /**
     * A classifier of {@code spec}'s architecture with randomly initialised weights (its weight file is not
     * read): for benchmarks and pipeline measurements, where only the cost matters.
     */
    public static DenseNetClassifier withRandomWeights(ModelArtifact spec, Device device, EngineMode mode) {
        try {
            return new DenseNetClassifier(spec, NetworkLoader.load(spec, device, mode,
                    NetworkLoader.WeightSource.random()), device, mode);
        } catch (ModelLoadException e) {
            throw new IllegalStateException("a random-weight network failed to load: " + e.getMessage(), e);
        }
    }

    /** Reads the artifact in {@code dir} and loads it on {@code device} in {@code mode}. */
    public static DenseNetClassifier load(Path dir, Device device, EngineMode mode) throws ModelLoadException {
        return load(ModelArtifact.read(dir), device, mode);
    }

    /** Reads the artifact in {@code dir} and loads it on {@code device} as a compiled graph. */
    public static DenseNetClassifier load(Path dir, Device device) throws ModelLoadException {
        return load(dir, device, EngineMode.COMPILED);
    }

    public ModelArtifact artifact() {
        return artifact;
    }

    public Preprocessing preprocessing() {
        return artifact.preprocessing();
    }

    public Device device() {
        return device;
    }

    public EngineMode engineMode() {
        return mode;
    }

    public int numClasses() {
        return artifact.numClasses();
    }

    /** Floats per image in the batch buffer {@link #classify} takes: channels x crop height x crop width. */
    public int imageSize() {
        Preprocessing p = preprocessing();
        return p.channels() * p.cropHeight() * p.cropWidth();
    }

    /**
     * Classifies {@code count} preprocessed images laid out back to back in {@code pixels} (NCHW, the
     * artifact's crop size), returning one prediction per image in order.
     */
    public List<Prediction> classify(float[] pixels, int count, int topK) {
        Preprocessing p = preprocessing();
        Shape shape = new Shape(count, p.channels(), p.cropHeight(), p.cropWidth());
        float[] logits = logits(pixels, shape);
        int classes = numClasses();
        if (logits.length != count * classes) {
            // Checked at load; a network whose output size depends on its input must not mix images either.
            throw new IllegalStateException("the network gave " + logits.length + " scores for " + count + " images of "
                    + classes + " classes");
        }
        List<Prediction> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] row = Arrays.copyOfRange(logits, i * classes, (i + 1) * classes);
            float[] probabilities = Softmax.probabilities(row, 0, classes);
            out.add(new Prediction(Softmax.topK(probabilities, artifact.labels(), topK), row));
        }
        return out;
    }

    /**
     * Raw logits ({@code N x classes}, row-major) for an NCHW float input of any shape the network accepts;
     * {@code pixels} holds at least {@code shape.size()} values. A batch larger than the model's {@link
     * ModelArtifact#maxForwardBatch()} runs as consecutive forwards of at most that many images.
     */
    public float[] logits(float[] pixels, Shape shape) {
        if (shape.dimension() != 4 || shape.get(1) != artifact.inputChannels()) {
            throw new IllegalArgumentException("input must be N x " + artifact.inputChannels()
                    + " x H x W, got " + shape);
        }
        if (pixels.length < shape.size()) {
            throw new IllegalArgumentException("input holds " + pixels.length + " values, shape " + shape
                    + " needs " + shape.size());
        }
        int count = (int) shape.get(0);
        int slice = artifact.maxForwardBatch() > 0 ? artifact.maxForwardBatch() : count;
        if (count <= slice) {
            return forward(pixels, 0, shape);
        }
        int perImage = (int) (shape.size() / count);
        float[] out = null;
        int classes = 0;
        for (int from = 0; from < count; from += slice) {
            int n = Math.min(slice, count - from);
            float[] part = forward(pixels, from * perImage, new Shape(n, shape.get(1), shape.get(2), shape.get(3)));
            if (out == null) {
                classes = part.length / n;
                out = new float[count * classes];
            }
            System.arraycopy(part, 0, out, from * classes, part.length);
        }
        return out;
    }

    /** One forward of the {@code shape.size()} values of {@code pixels} from {@code offset}. */
    private float[] forward(float[] pixels, int offset, Shape shape) {
        try (NDManager batch = model.getNDManager().newSubManager()) {
            NDArray input = staging.toEngine(batch, pixels, offset, shape);
            NDList output = block.forward(new ParameterStore(batch, false), new NDList(input), false);
            return staging.toJava(output.singletonOrThrow());
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
