package io.densenetflink.model.lowp;

/** Whether int8 weights get one scale per output channel or one per tensor (MXNet's quantize_granularity). */
public enum WeightGranularity {
    CHANNEL_WISE("channel-wise"),
    TENSOR_WISE("tensor-wise");

    private final String id;

    WeightGranularity(String id) {
        this.id = id;
    }

    /** MXNet's name, also used on the command line and in model.json. */
    public String id() {
        return id;
    }

    public static WeightGranularity parse(String text) {
        for (WeightGranularity g : values()) {
            if (g.id.equalsIgnoreCase(text.trim())) {
                return g;
            }
        }
        throw new IllegalArgumentException("granularity: expected channel-wise or tensor-wise, got '" + text + "'");
    }
}
