package io.densenetflink.model.image;

/** Why encoded image bytes (or raw pixels) could not be turned into a model input tensor. */
public enum ImageErrorReason {

    /** The input was {@code null} or held no bytes at all. */
    EMPTY,

    /**
     * The bytes are not in an accepted format: no decoder recognises them (text, random bytes), or they are in a
     * format this package refuses (accepted: JPEG, PNG, BMP, GIF), or in a variant of an accepted format the JDK
     * decoder cannot read.
     */
    UNSUPPORTED_FORMAT,

    /**
     * The bytes look like an accepted format but cannot be decoded faithfully: truncated or damaged data, a header
     * stating a zero width or height, or any failure inside the decoder.
     */
    CORRUPT,

    /**
     * The image header states more pixels than {@link Preprocessing#maxPixels()} allows (refused before any pixel
     * is decompressed), or decoding ran out of memory.
     */
    TOO_LARGE,

    /**
     * Raw pixels whose stated shape is invalid (non-positive height or width, channels other than 1 or 3) or whose
     * byte count is not {@code height * width * channels}.
     */
    BAD_SHAPE
}
