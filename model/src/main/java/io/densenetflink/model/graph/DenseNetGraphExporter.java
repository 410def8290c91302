package io.densenetflink.model.graph;

import static io.densenetflink.model.graph.SymbolGraph.attrs;

import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.graph.GraphParameters.Tensor;
import io.densenetflink.model.graph.SymbolGraph.Ref;
import java.util.ArrayList;
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
 * </ul>
 * The pre-activation BatchNorms ({@code norm1}, the transitions' {@code norm}, {@code norm5}) read a
 * concatenation that each later layer normalises differently, so they cannot be folded and stay.
 */
public final class DenseNetGraphExporter {

    /** The graph's input variable. */
    public static final String INPUT_NAME = "data";

    private static final float BN_EPSILON = 1e-5f;

    private final DenseNetConfig config;
    private final Map<String, Tensor> weights;
    private final SymbolGraph graph = new SymbolGraph();
    private final GraphParameters parameters = new GraphParameters();
    /** Shapes of the parameter variables by node, to size the operators that read them. */
    private final Map<Integer, long[]> shapes = new HashMap<>();

    private DenseNetGraphExporter(DenseNetConfig config, Map<String, Tensor> weights) {
        this.config = config;
        this.weights = weights;
    }

    /** The exported graph: symbol JSON and parameters by variable name. */
    public record Export(String symbolJson, GraphParameters parameters) {}

    /**
     * Exports {@code config} with {@code weights} under torchvision names (as {@code TorchvisionWeights}
     * produces them); every weight the architecture needs must be present.
     */
    public static Export export(DenseNetConfig config, Map<String, Tensor> weights) {
        DenseNetGraphExporter e = new DenseNetGraphExporter(config, weights);
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

    private Ref denseBlock(String prefix, int layers, Ref input) {
        List<Ref> features = new ArrayList<>();
        features.add(input);
        for (int l = 1; l <= layers; l++) {
            String layer = prefix + ".denselayer" + l;
            Ref x = features.size() == 1 ? features.get(0) : concat(layer + ".concat", features);
            x = batchNormRelu(layer + ".norm1", x);
            if (config.bnSize() > 0) {
                x = relu(layer + ".conv1", foldedConv(layer + ".conv1", layer + ".norm2", x, 1, 1, 0));
                x = conv(layer + ".conv2", x, weight(layer + ".conv2.weight"), null, 3, 1, 1);
            } else {
                x = conv(layer + ".conv1", x, weight(layer + ".conv1.weight"), null, 3, 1, 1);
            }
            features.add(x);
        }
        return concat(prefix + ".concat", features);
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
     * BatchNorm followed by ReLU as one operator: oneDNN applies the ReLU inside the normalisation pass
     * instead of a second pass over the feature map.
     */
    private Ref batchNormRelu(String module, Ref x) {
        String base = symbolName(module);
        Ref gamma = argument(base + "_gamma", tensor(module + ".weight"));
        Ref beta = argument(base + "_beta", tensor(module + ".bias"));
        Ref mean = auxiliary(base + "_running_mean", tensor(module + ".running_mean"));
        Ref var = auxiliary(base + "_running_var", tensor(module + ".running_var"));
        return graph.op("_contrib_BatchNormWithReLU", base, attrs("eps", String.valueOf(BN_EPSILON), "momentum", "0.9",
                "fix_gamma", "False", "use_global_stats", "True", "axis", "1"), x, gamma, beta, mean, var);
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
