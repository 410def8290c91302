package io.densenetflink.operators;

/**
 * Why a frame produced no classification. The image reasons come from decoding ({@code EMPTY}, {@code
 * UNSUPPORTED_FORMAT}, {@code CORRUPT}, {@code TOO_LARGE}, {@code BAD_SHAPE}); {@link #INFERENCE_ERROR} and {@link
 * #TIMEOUT} from inference; {@link #RESULT_TOO_LARGE} from writing the result.
 */
public final class FailureReason {

    /** The network failed on this frame alone (isolated by splitting its batch). */
    public static final String INFERENCE_ERROR = "INFERENCE_ERROR";

    /** The frame was not classified within the operator's timeout. */
    public static final String TIMEOUT = "TIMEOUT";

    /**
     * The frame was classified, but its result is larger than the output accepts even with its long fields cut
     * (e.g. a model with very long labels, or an output topic with a small record limit).
     */
    public static final String RESULT_TOO_LARGE = "RESULT_TOO_LARGE";

    private FailureReason() {}
}
