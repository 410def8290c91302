package io.densenetflink.model;

/** A model artifact, weight file or tensor file cannot be used; the message says which file and why. */
public class ModelLoadException extends Exception {

    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
