package io.densenetflink.operators;

import ai.djl.Device;
import java.io.Serializable;
import java.util.OptionalLong;

/**
 * Opens a slot's model on a device. Serializable: it travels with the job graph and runs in each parallel
 * subtask. {@link DenseNetClassifierFactory} is the one for DenseNet model directories and repositories.
 *
 * <p>A factory either serves one fixed model ({@link #latestVersion()} empty) or numbered versions, which the
 * operator swaps while it runs: it opens the newest at start, the one a checkpoint recorded after a restore,
 * and newer ones as they appear.
 */
public interface SlotClassifierFactory extends Serializable {

    /** Loads the model (the newest version, for a factory with versions); any exception fails {@code open()}. */
    SlotClassifier open(Device device) throws Exception;

    /** What is loaded, for logs (e.g. the model directory). */
    String describe();

    /** The highest complete version there is now; empty when the factory serves one fixed model. */
    default OptionalLong latestVersion() {
        return OptionalLong.empty();
    }

    /** The highest complete version below {@code version}: the one to fall back to when that one fails to load. */
    default OptionalLong latestVersionBelow(long version) {
        return OptionalLong.empty();
    }

    /** Loads version {@code version} (one {@link #latestVersion()} reported, or a checkpoint recorded). */
    default SlotClassifier open(Device device, long version) throws Exception {
        throw new UnsupportedOperationException(describe() + " has no numbered versions");
    }

    /**
     * What version {@code version}'s files look like now (names, sizes, modification times), or "" when that
     * cannot be told: a refused version is tried again once this changes (a copy that was still being written
     * when it was first seen), never while it stays the same.
     */
    default String filesStamp(long version) {
        return "";
    }

    /** The bytes of version {@code version}'s weight files: what the swap memory bound counts. */
    default long weightBytes(long version) {
        return 0;
    }
}
