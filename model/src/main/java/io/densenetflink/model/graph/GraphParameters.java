package io.densenetflink.model.graph;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters of an exported graph by symbol variable name, split as MXNet's {@code .params} files split
 * them: {@code arg:} (learned inputs of operators) and {@code aux:} (BatchNorm running statistics).
 */
public final class GraphParameters {

    /** A dense float tensor. */
    public record Tensor(float[] values, long[] shape) {}

    final Map<String, Tensor> args = new LinkedHashMap<>();
    final Map<String, Tensor> aux = new LinkedHashMap<>();
}
