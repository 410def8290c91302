package io.densenetflink.model.graph;

import static io.densenetflink.model.graph.SymbolGraph.attrs;

import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.graph.GraphParameters.Tensor;
import io.densenetflink.model.graph.SymbolGraph.Ref;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a DenseNet as an MXNet symbolic graph, so MXNet can run it as one planned, fused graph (CachedOp
 * with static memory, oneDNN subgraph fusion) instead of op by op.
 *
 * <p>Exact rewrites applied on the way (inference only):
 * <ul>
 *   <li>A BatchNorm that directly follows a convolution is folded into it (scale the filters, add a bias):
 *       the stem's {@code norm0} and every dense layer's {@code norm2}.
 *   <li>In a transition, the 1x1 convolution and the 2x2 average pool are both linear and commute, so the
 *       pool runs first and the convolution works on a quarter of the pixels.
 *   <li>A dense block's concatenations form a chain (see {@link #denseBlock}).
 * </ul>
 * The pre-activation BatchNorms ({@code norm1}, the transitions' {@code norm}, {@code norm5}) read a
 * concatenation that each later layer normalises differently, so they cannot be folded and stay.
 */
public final class DenseNetGraphExporter {

    /** The graph's input variable. */
    public static final String INPUT_NAME = "data";

    private static final float BN_EPSILON = 1e-5f;

    /** How the pre-activation BatchNorm + ReLU pairs are written. */
    public enum Flavor {
        /**
         * One {@code _contrib_BatchNormWithReLU} per pair: oneDNN applies the ReLU inside the normalisation pass.
         * Fastest in fp32; the default.
         */
        FUSED_BATCHNORM_RELU,
        /**
         * A plain {@code BatchNorm} and an {@code Activation(relu)}: the operators MXNet's quantization and
         * reduced-precision passes know (the fused operator has no int8 kernel, so a quantized graph would wrap
         * each of them in a dequantize/quantize pair). Same outputs as the fused flavour.
         */
        PLAIN_OPERATORS,
        /**
         * Each pre-activation BatchNorm as the per-channel affine map it is in inference, a depthwise 1x1
         * convolution with bias, followed by the ReLU: oneDNN fuses the pair into one convolution with a ReLU
         * post-op, and in int8 its output is uint8 (the ReLU costs no pass, the sign bit no precision). Same
         * values as the other flavours.
         */
        AFFINE_CONVOLUTIONS
    }

    private final DenseNetConfig config;
    private final Map<String, Tensor> weights;
    private final Flavor flavor;
    private final SymbolGraph graph = new SymbolGraph();
    private final GraphParameters parameters = new GraphParameters();
    /** Shapes of the parameter variables by node, to size the operators that read them. */
    private final Map<Integer, long[]> shapes = new HashMap<>();

    private DenseNetGraphExporter(DenseNetConfig config, Map<String, Tensor> weights, Flavor flavor) {
        this.config = config;
        this.weights = weights;
        this.flavor = flavor;
    }

    /** The exported graph: symbol JSON and parameters by variable name. */
    public record Export(String symbolJson, GraphParameters parameters) {}

    /**
     * Exports {@code config} with {@code weights} under torchvision names (as {@code TorchvisionWeights}
     * produces them); every weight the architecture needs must be present.
     */
    public static Export export(DenseNetConfig config, Map<String, Tensor> weights) {
        return export(config, weights, Flavor.FUSED_BATCHNORM_RELU);
    }

    /** As {@link #export(DenseNetConfig, Map)}, with the BatchNorm + ReLU pairs written as {@code flavor} says. */
    public static Export export(DenseNetConfig config, Map<String, Tensor> weights, Flavor flavor) {
        DenseNetGraphExporter e = new DenseNetGraphExporter(config, weights, flavor);
        Ref out = e.build();
        return new Export(e.graph.toJson(out), e.parameters);
    }

    private Ref build() {
        Ref x = stem(graph.variable(INPUT_NAME));
        int[] blocks = config.blocks();
        for (int b = 1; b <= blocks.length; b++) {
            x = denseBlock("features.denseblock" + b, blocks[b - 1], x);
            if (b < blocks.length) {
                x = transition("features.transition" + b, x);
            }
        }
        x = batchNormRelu("features.norm5", x);
        x = graph.op("Pooling", "pool_global", attrs("kernel", "(1, 1)", "global_pool", "True",
                "pool_type", "avg"), x);
        x = graph.op("Flatten", "flatten", Map.of(), x);
        return graph.op("FullyConnected", "classifier", attrs("num_hidden", String.valueOf(config.numClasses()),
                "no_bias", "False"), x, weight("classifier.weight"), weight("classifier.bias"));
    }

    private Ref stem(Ref data) {
        if (config.stem() == DenseNetConfig.Stem.IMAGENET) {
            Ref x = foldedConv("features.conv0", "features.norm0", data, 7, 2, 3);
            x = relu("features.conv0", x);
            return graph.op("Pooling", "features_pool0", attrs("kernel", "(3, 3)", "stride", "(2, 2)",
                    "pad", "(1, 1)", "pool_type", "max", "pooling_convention", "valid"), x);
        }
        return conv("features.conv0", data, weight("features.conv0.weight"), null, 3, 1, 1);
    }

    /**
     * A dense block as a chain of two-input concatenations: layer l appends its new features to the running
     * concatenation of everything before it, instead of concatenating all l earlier maps again. The same values
     * (concatenation is associative); one large copy per layer instead of l small ones (oneDNN copies per pixel
     * in channels-last layouts), and a smaller peak of live feature maps.
     */
    private Ref denseBlock(String prefix, int layers, Ref input) {
        Ref all = input;
        for (int l = 1; l <= layers; l++) {
            String layer = prefix + ".denselayer" + l;
            Ref x = batchNormRelu(layer + ".norm1", all);
            if (config.bnSize() > 0) {
                x = relu(layer + ".conv1", foldedConv(layer + ".conv1", layer + ".norm2", x, 1, 1, 0));
                x = conv(layer + ".conv2", x, weight(layer + ".conv2.weight"), null, 3, 1, 1);
            } else {
                x = conv(layer + ".conv1", x, weight(layer + ".conv1.weight"), null, 3, 1, 1);
            }
            all = concat(layer + ".concat", List.of(all, x));
        }
        return all;
    }

    private Ref transition(String prefix, Ref x) {
        x = batchNormRelu(prefix + ".norm", x);
        // Exact: a 1x1 convolution without bias commutes with average pooling.
        x = graph.op("Pooling", symbolName(prefix + ".pool"), attrs("kernel", "(2, 2)", "stride", "(2, 2)",
                "pool_type", "avg", "pooling_convention", "valid"), x);
        return conv(prefix + ".conv", x, weight(prefix + ".conv.weight"), null, 1, 1, 0);
    }

    private Ref concat(String name, List<Ref> inputs) {
        return graph.op("Concat", symbolName(name), attrs("dim", "1", "num_args", String.valueOf(inputs.size())),
                inputs.toArray(new Ref[0]));
    }

    private Ref relu(String name, Ref x) {
        return graph.op("Activation", symbolName(name + ".relu"), attrs("act_type", "relu"), x);
    }

    /**
     * BatchNorm followed by ReLU: one operator in the default flavour (oneDNN applies the ReLU inside the
     * normalisation pass instead of a second pass over the feature map), two in {@link Flavor#PLAIN_OPERATORS}.
     */
    private Ref batchNormRelu(String module, Ref x) {
        if (flavor == Flavor.AFFINE_CONVOLUTIONS) {
            return relu(module, affineConvolution(module, x));
        }
        String base = symbolName(module);
        Ref gamma = argument(base + "_gamma", tensor(module + ".weight"));
        Ref beta = argument(base + "_beta", tensor(module + ".bias"));
        Ref mean = auxiliary(base + "_running_mean", tensor(module + ".running_mean"));
        Ref var = auxiliary(base + "_running_var", tensor(module + ".running_var"));
        var a = attrs("eps", String.valueOf(BN_EPSILON), "momentum", "0.9", "fix_gamma", "False",
                "use_global_stats", "True", "axis", "1");
        if (flavor == Flavor.FUSED_BATCHNORM_RELU) {
            return graph.op("_contrib_BatchNormWithReLU", base, a, x, gamma, beta, mean, var);
        }
        return relu(module, graph.op("BatchNorm", base, a, x, gamma, beta, mean, var));
    }

    /**
     * An inference BatchNorm as what it computes, a per-channel scale and shift: a 1x1 depthwise convolution
     * ({@code num_group} = channels) with bias.
     */
    private Ref affineConvolution(String normModule, Ref x) {
        float[] gamma = tensor(normModule + ".weight").values();
        float[] beta = tensor(normModule + ".bias").values();
        float[] mean = tensor(normModule + ".running_mean").values();
        float[] var = tensor(normModule + ".running_var").values();
        int channels = gamma.length;
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            double s = gamma[c] / Math.sqrt((double) var[c] + BN_EPSILON);
            scale[c] = (float) s;
            shift[c] = (float) (beta[c] - mean[c] * s);
        }
        String base = symbolName(normModule) + "_affine";
        Ref weight = argument(base + "_weight", new Tensor(scale, new long[] {channels, 1, 1, 1}));
        Ref bias = argument(base + "_bias", new Tensor(shift, new long[] {channels}));
        return graph.op("Convolution", base, attrs("kernel", "(1, 1)", "stride", "(1, 1)", "pad", "(0, 0)",
                "num_filter", String.valueOf(channels), "num_group", String.valueOf(channels), "no_bias", "False"),
                x, weight, bias);
    }

    /** A convolution whose following BatchNorm is folded into its filters and a new bias. */
    private Ref foldedConv(String convModule, String normModule, Ref x, int kernel, int stride, int pad) {
        Tensor w = tensor(convModule + ".weight");
        float[] gamma = tensor(normModule + ".weight").values();
        float[] beta = tensor(normModule + ".bias").values();
        float[] mean = tensor(normModule + ".running_mean").values();
        float[] var = tensor(normModule + ".running_var").values();
        int out = (int) w.shape()[0];
        int perFilter = w.values().length / out;
        float[] folded = new float[w.values().length];
        float[] bias = new float[out];
        for (int o = 0; o < out; o++) {
            double scale = gamma[o] / Math.sqrt((double) var[o] + BN_EPSILON);
            for (int i = 0; i < perFilter; i++) {
                folded[o * perFilter + i] = (float) (w.values()[o * perFilter + i] * scale);
            }
            bias[o] = (float) (beta[o] - mean[o] * scale);
        }
        String base = symbolName(convModule) + "_folded";
        Ref weight = argument(base + "_weight", new Tensor(folded, w.shape()));
        Ref b = argument(base + "_bias", new Tensor(bias, new long[] {out}));
        return conv(convModule, x, weight, b, kernel, stride, pad);
    }

    private Ref conv(String module, Ref x, Ref weight, Ref bias, int kernel, int stride, int pad) {
        long filters = weightShape(weight)[0];
        var a = attrs("kernel", "(" + kernel + ", " + kernel + ")", "stride", "(" + stride + ", " + stride + ")",
                "pad", "(" + pad + ", " + pad + ")", "num_filter", String.valueOf(filters),
                "no_bias", bias == null ? "True" : "False");
        return bias == null ? graph.op("Convolution", symbolName(module), a, x, weight)
                : graph.op("Convolution", symbolName(module), a, x, weight, bias);
    }

    private long[] weightShape(Ref variable) {
        return shapes.get(variable.node());
    }

    private Ref weight(String key) {
        return argument(symbolName(key), tensor(key));
    }

    private Ref argument(String name, Tensor t) {
        Ref r = graph.variable(name);
        parameters.args.put(name, t);
        shapes.put(r.node(), t.shape());
        return r;
    }

    private Ref auxiliary(String name, Tensor t) {
        Ref r = graph.variable(name);
        parameters.aux.put(name, t);
        shapes.put(r.node(), t.shape());
        return r;
    }

    private Tensor tensor(String key) {
        Tensor t = weights.get(key);
        if (t == null) {
            throw new IllegalArgumentException("weight " + key + " is missing for the graph export");
        }
        return t;
    }

    /** Symbol names use underscores: MXNet's optimisers treat dots in names as scope separators. */
    static String symbolName(String torchName) {
        return torchName.replace('.', '_');
    }
}
