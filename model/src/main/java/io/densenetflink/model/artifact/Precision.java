package io.densenetflink.model.artifact;

import java.util.Locale;

/** The arithmetic a model directory's graph runs in. */
public enum Precision {
    /** 32-bit floats throughout: every model a DenseNet weight file or an imported graph describes. */
    FP32,
    /**
     * Calibrated 8-bit integers (MXNet's quantization pass, fused for oneDNN): activations and weights int8/uint8,
     * accumulation in int32, ranges fixed at calibration.
     */
    INT8,
    /** bfloat16 convolutions and fully connected layers (MXNet's reduced-precision pass), the rest fp32. */
    BF16;

    /** Parses {@code fp32}, {@code int8} or {@code bf16} (any case). */
    public static Precision parse(String text) {
        for (Precision p : values()) {
            if (p.name().equalsIgnoreCase(text.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("precision: expected fp32, int8 or bf16, got '" + text + "'");
    }

    /** The lower-case name used in model.json and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
