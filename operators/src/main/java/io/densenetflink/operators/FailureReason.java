package io.densenetflink.operators;

import io.densenetflink.model.image.ImageErrorReason;

/**
 * Why a frame produced no classification: every reason a frame can fail, in one place. The dead-letter topic's
 * {@code error-reason} header and the {@code failures.REASON} metrics carry the {@link #name()}.
 */
public enum FailureReason {

    /** Decoding: the value was null or empty. */
    EMPTY,

    /** Decoding: not an accepted image format (JPEG, PNG, BMP, GIF), or a variant the decoder cannot read. */
    UNSUPPORTED_FORMAT,

    /** Decoding: truncated or damaged data, a zero size, or a failure inside the decoder. */
    CORRUPT,

    /**
     * Decoding: more pixels than the model's {@code max_pixels}, or more heap than the slot's decode budget, as the
     * image's header says (refused before any pixel is decompressed).
     */
    TOO_LARGE,

    /** Raw pixels whose stated shape is invalid or does not match their byte count. */
    BAD_SHAPE,

    /** The network failed on this frame alone (isolated by splitting its batch) while it worked for others. */
    INFERENCE_ERROR,

    /** The frame was not classified within the operator's timeout. */
    TIMEOUT,

    /**
     * The frame was classified, but its result is larger than the output accepts even with its long fields cut
     * (e.g. a model with very long labels, or an output topic with a small record limit).
     */
    RESULT_TOO_LARGE;

    /** The reason a frame fails for when its image could not be decoded for {@code reason}. */
    public static FailureReason of(ImageErrorReason reason) {
        return switch (reason) {
            case EMPTY -> EMPTY;
            case UNSUPPORTED_FORMAT -> UNSUPPORTED_FORMAT;
            case CORRUPT -> CORRUPT;
            case TOO_LARGE -> TOO_LARGE;
            case BAD_SHAPE -> BAD_SHAPE;
        };
    }
}
