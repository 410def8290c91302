package io.densenetflink.model.inference;

import java.util.List;

/**
 * The result for one image: the top-k classes by probability (best first) and the raw logits over all
 * classes.
 */
public record Prediction(List<ScoredLabel> topK, float[] logits) {

    public Prediction {
        topK = List.copyOf(topK);
    }

    /** The best class. */
    public ScoredLabel best() {
        return topK.get(0);
    }
}
