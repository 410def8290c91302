package io.densenetflink.operators;

import ai.djl.Device;
import java.io.Serializable;

/**
 * Opens a slot's model on a device. Serializable: it travels with the job graph and runs in each parallel
 * subtask. {@link DenseNetClassifierFactory} is the one for DenseNet model directories.
 */
public interface SlotClassifierFactory extends Serializable {

    /** Loads the model; any exception fails the subtask's {@code open()} with its message. */
    SlotClassifier open(Device device) throws Exception;

    /** What is loaded, for logs (e.g. the model directory). */
    String describe();
}
