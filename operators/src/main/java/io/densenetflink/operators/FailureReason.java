package io.densenetflink.operators;

/**
 * Why a frame produced no classification. The image reasons come from decoding ({@code EMPTY}, {@code
 * UNSUPPORTED_FORMAT}, {@code CORRUPT}, {@code TOO_LARGE}, {@code BAD_SHAPE}); the others from inference.
 */
public final class FailureReason {

    /** The network failed on this frame alone (isolated by splitting its batch). */
    public static final String INFERENCE_ERROR = "INFERENCE_ERROR";

    /** The frame was not classified within the operator's timeout. */
    public static final String TIMEOUT = "TIMEOUT";

    private FailureReason() {}
}
