package io.densenetflink.model.lowp;

import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.graph.MxSymbol;
import java.util.ArrayList;
import java.util.List;

/**
 * MXNet's reduced-precision (AMP) pass with bfloat16 as the target: convolutions and fully connected layers run
 * in bf16 (oneDNN's AVX512_BF16 and AMX kernels), the operators between them take whatever type arrives, and the
 * graph's input, parameters and output stay fp32 ({@code amp_cast} nodes convert inside the graph, so no bf16
 * array ever crosses into DJL, whose type table reads MXNet's bfloat16 code as another type). The pass runs
 * before oneDNN's fusion, which happens when the model loads.
 *
 * <p>No calibration: bf16 keeps fp32's exponent range and rounds the mantissa to 8 bits.
 */
public final class Bf16Converter {

    /** MXNet's type code of bfloat16 (mshadow::kBfloat16). */
    static final int BFLOAT16 = 12;

    /** Operators that gain from bf16 arithmetic. */
    static final List<String> TARGET_OPS = List.of("Convolution", "Deconvolution", "FullyConnected");
    /** Operators MXNet has no bf16 kernel for, or that should not lose precision (soft-max and friends). */
    static final List<String> FP32_OPS = List.of("Flatten", "flatten", "Reshape", "reshape", "Dropout", "softmax",
            "log_softmax", "SoftmaxActivation", "SoftmaxOutput", "Embedding");
    /** Operators whose inputs must share one type: cast to the widest of them. */
    static final List<String> WIDEST_OPS = List.of("Concat", "concat", "elemwise_add", "_plus", "_Plus",
            "broadcast_add", "broadcast_plus", "add_n", "ElementWiseSum", "elemwise_mul", "broadcast_mul",
            "_contrib_quantized_elemwise_add");

    private Bf16Converter() {}

    /** The bf16 graph of the fp32 graph {@code symbolJson}, whose data input is {@code inputName}. */
    public static String convert(String symbolJson, String inputName) {
        MxEngineSetup.ensureConfigured();
        try (MxSymbol fp32 = MxSymbol.fromJson(symbolJson)) {
            List<String> parameters = new ArrayList<>(fp32.argumentNames());
            if (!parameters.remove(inputName)) {
                throw new IllegalArgumentException("the graph has no input called " + inputName);
            }
            parameters.addAll(fp32.auxiliaryNames());
            MxSymbol.PrecisionLists lists = new MxSymbol.PrecisionLists(TARGET_OPS, FP32_OPS, WIDEST_OPS, List.of());
            try (MxSymbol bf16 = fp32.reducePrecision(BFLOAT16, List.of(inputName), parameters, lists)) {
                return bf16.toJson();
            }
        }
    }
}
