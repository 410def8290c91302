package io.densenetflink.model.inference;

import java.util.Locale;

/** How the network runs on MXNet. */
public enum EngineMode {
    /** The Java-built DJL block, op by op: what training uses; slower, more memory. */
    EAGER,
    /** One exported symbolic graph run as a CachedOp with static memory and oneDNN fusion: the default. */
    COMPILED;

    /** Parses {@code eager} or {@code compiled}. */
    public static EngineMode parse(String text) {
        for (EngineMode m : values()) {
            if (m.name().equalsIgnoreCase(text.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("engine mode: expected eager or compiled, got '" + text + "'");
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
