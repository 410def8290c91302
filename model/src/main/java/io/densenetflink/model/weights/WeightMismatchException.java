package io.densenetflink.model.weights;

import io.densenetflink.model.ModelLoadException;
import java.util.List;

/**
 * A weight file does not fit the network it is loaded into. Nothing is loaded when this is thrown: a
 * half-loaded model must never run. {@link #problems()} lists every offending key, one line each.
 */
public final class WeightMismatchException extends ModelLoadException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public WeightMismatchException(String source, List<String> problems) {
        super("weights in " + source + " do not match the architecture (" + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + "):\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per offending key: missing, unexpected, wrong shape or wrong dtype. */
    public List<String> problems() {
        return problems;
    }
}
