package io.densenetflink.model.artifact;

/**
 * How large a model {@link ModelArtifact#read(java.nio.file.Path, ModelLimits)} accepts, checked from model.json
 * and the files' sizes before anything is allocated: a publisher's typo (a {@code growth_rate} of 320 instead of
 * 32) must be refused with the numbers, not allocate gigabytes beside the model that serves.
 *
 * @param maxParameters the most learnable parameters a model may have (weights and biases, as torchvision counts
 *     them); for an imported graph, its parameter file may hold at most four bytes for each
 */
public record ModelLimits(long maxParameters) {

    /** Six times DenseNet-264 (33.3 M parameters), the largest DenseNet published. */
    public static final long DEFAULT_MAX_PARAMETERS = 200_000_000L;

    public static final ModelLimits DEFAULT = new ModelLimits(DEFAULT_MAX_PARAMETERS);

    public ModelLimits {
        if (maxParameters <= 0) {
            throw new IllegalArgumentException("maxParameters must be > 0, got " + maxParameters);
        }
    }

    /** The largest parameter file of an imported graph: four bytes per parameter, and 1 MiB for names. */
    public long maxGraphParameterBytes() {
        return Math.multiplyExact(maxParameters, 4L) + (1 << 20);
    }
}
