package io.densenetflink.model.lowp;

import java.util.Locale;

/** How calibration turns the fp32 activations it observed into the ranges the int8 graph quantizes with. */
public enum CalibrationMethod {
    /** The observed minimum and maximum of each tensor (MXNet's {@code naive}). */
    NAIVE,
    /**
     * The threshold that minimises the KL divergence between each tensor's fp32 histogram and its quantized
     * version (MXNet's {@code entropy}, after TensorRT): clips rare outliers for finer steps elsewhere.
     */
    ENTROPY;

    public static CalibrationMethod parse(String text) {
        for (CalibrationMethod m : values()) {
            if (m.name().equalsIgnoreCase(text.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("calibration method: expected naive or entropy, got '" + text + "'");
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
