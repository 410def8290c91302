package io.densenetflink.operators.internal;

import ai.djl.Device;
import java.time.Duration;

/**
 * What was decided for one slot when it opened, beside the operator's options: its device, its OpenMP threads, its
 * byte bounds (in-flight frames, decodes at once), its name in logs and threads, how long close waits for the model
 * to be freed, and the model version a checkpoint recorded ({@link RecordedModel#NONE}: start with the newest).
 */
public record Placement(Device device, int inferenceThreads, long maxInFlightBytes, long maxDecodeBytes, String name,
        Duration closeTimeout, RecordedModel restored) {

    /** This placement, starting with the model version {@code model} a checkpoint recorded. */
    public Placement restored(RecordedModel model) {
        return new Placement(device, inferenceThreads, maxInFlightBytes, maxDecodeBytes, name, closeTimeout, model);
    }
}
