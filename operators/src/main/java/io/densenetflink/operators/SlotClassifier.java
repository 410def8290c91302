package io.densenetflink.operators;

import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.inference.Prediction;
import java.util.List;

/**
 * The model a slot runs: classifies batches of preprocessed images. Created, used and closed on the slot's
 * one inference thread (DJL/MXNet inference state is not thread-safe).
 */
public interface SlotClassifier extends AutoCloseable {

    String modelName();

    String modelVersion();

    /**
     * What the model computes, as its files recorded it ({@code sha256:...}), or "" when they recorded none:
     * kept with the version number in checkpoints, so that a restore never replays with other files under the
     * same number.
     */
    default String modelDigest() {
        return "";
    }

    /** The number of classes (labels) the model scores. */
    int numClasses();

    /** How frames must be decoded and normalised for this model. */
    Preprocessing preprocessing();

    /**
     * Classifies {@code count} images laid out back to back in {@code pixels} (NCHW floats) and returns one
     * prediction per image, in order. May throw: the operator then splits the batch to isolate the cause.
     */
    List<Prediction> classify(float[] pixels, int count, int topK) throws Exception;

    @Override
    void close();
}
