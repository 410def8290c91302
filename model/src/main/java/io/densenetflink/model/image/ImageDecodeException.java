package io.densenetflink.model.image;

import java.util.Objects;

/**
 * An image that cannot be turned into a tensor, with a machine-readable {@link #reason()} (to count or route bad
 * records) and a human-readable {@link #detail()} (the exception message).
 */
public final class ImageDecodeException extends Exception {

    private static final long serialVersionUID = 1L;

    private final ImageErrorReason reason;

    public ImageDecodeException(ImageErrorReason reason, String detail) {
        this(reason, detail, null);
    }

    public ImageDecodeException(ImageErrorReason reason, String detail, Throwable cause) {
        super(Objects.requireNonNull(detail, "detail"), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The category of the failure. */
    public ImageErrorReason reason() {
        return reason;
    }

    /** What exactly is wrong with the input; the same text as {@link #getMessage()}. */
    public String detail() {
        return getMessage();
    }

    @Override
    public String toString() {
        return "ImageDecodeException[" + reason + "]: " + getMessage();
    }
}
