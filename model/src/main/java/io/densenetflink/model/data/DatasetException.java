package io.densenetflink.model.data;

/**
 * A data set directory or file cannot be used: missing, not an IDX file, wrong dimensions, counts that do not
 * match, truncated. The message names the file and the problem. Unchecked, like other bad user input
 * ({@link IllegalArgumentException}), so the command line reports it as one line with exit code 2.
 */
public class DatasetException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
