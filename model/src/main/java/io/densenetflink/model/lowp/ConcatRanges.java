package io.densenetflink.model.lowp;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How the calibrated ranges of concatenated tensors relate. oneDNN's int8 concat (MXNet's {@code
 * _contrib_quantized_concat}) takes its output range as the union of its inputs' ranges and rescales, with one
 * reorder each, every input whose scale differs from the output's; an input already at the output's scale is
 * copied as it is. In DenseNet every layer ends in a concat, so this decides between about 600 rescaling reorders
 * per forward (a flat graph) and none, against how finely each tensor is quantized.
 *
 * <p>MXNet's own post-quantization scale alignment pass aligns a concat's inputs only when they feed nothing else,
 * which DenseNet's feature maps never do in a flat graph; this project's exporter writes each block as a chain of
 * two-input concats (the running concatenation and the layer's new features), where {@link #ALIGNED} applies.
 */
public enum ConcatRanges {
    /** Every tensor keeps its own calibrated range (MXNet's default). */
    SEPARATE,
    /**
     * Each calibrated input of a concat (a fused convolution's requantized output) is widened to the concat's
     * output range, so only the derived inputs (another concat's output, a pooling output) are ever rescaled:
     * in DenseNet's chains, the running concatenation, and only where a layer's new features exceed its range.
     */
    ALIGNED,
    /**
     * Every tensor that meets another in a concat, transitively (through concats and poolings), gets the union of
     * their ranges: no rescaling at all, the coarsest steps.
     */
    SHARED;

    public static ConcatRanges parse(String text) {
        for (ConcatRanges c : values()) {
            if (c.name().equalsIgnoreCase(text.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("concat ranges: expected separate, aligned or shared, got '" + text + "'");
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Adjusts {@code ranges} (by tensor name) of the fused fp32 {@code graph} as this policy says. */
    void apply(GraphJson graph, Map<String, RangeCollector.Range> ranges) {
        switch (this) {
            case SEPARATE -> { }
            case ALIGNED -> align(graph, ranges);
            case SHARED -> share(graph, ranges);
        }
    }

    private static boolean isConcat(GraphJson graph, int node) {
        return graph.op(node).equalsIgnoreCase("concat");
    }

    /** Ops whose int8 output range is their input's. */
    private static boolean passesRange(GraphJson graph, int node) {
        return graph.op(node).equals("Pooling") || graph.op(node).equals("Flatten");
    }

    private static void align(GraphJson graph, Map<String, RangeCollector.Range> ranges) {
        Map<Integer, RangeCollector.Range> derived = new HashMap<>();
        for (int i = 0; i < graph.size(); i++) {
            if (passesRange(graph, i)) {
                RangeCollector.Range in = resolved(graph, graph.inputs(i).get(0), ranges, derived);
                if (in != null) {
                    derived.put(i, in);
                }
            } else if (isConcat(graph, i)) {
                RangeCollector.Range out = null;
                for (int input : graph.inputs(i)) {
                    out = widest(out, resolved(graph, input, ranges, derived));
                }
                if (out == null) {
                    continue;
                }
                for (int input : graph.inputs(i)) {
                    String name = graph.outputName(input);
                    RangeCollector.Range own = ranges.get(name);
                    // A non-negative tensor is uint8 and cannot take a signed output's scale: it stays as it is.
                    if (own != null && !(own.min() >= 0 && out.min() < 0)) {
                        ranges.put(name, out);
                    }
                }
                derived.put(i, out);
            }
        }
    }

    /** The range of node {@code node}'s output: calibrated, or derived from its inputs. */
    private static RangeCollector.Range resolved(GraphJson graph, int node, Map<String, RangeCollector.Range> ranges,
            Map<Integer, RangeCollector.Range> derived) {
        RangeCollector.Range own = ranges.get(graph.outputName(node));
        return own != null ? own : derived.get(node);
    }

    private static void share(GraphJson graph, Map<String, RangeCollector.Range> ranges) {
        int[] parent = new int[graph.size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (int i = 0; i < graph.size(); i++) {
            if (isConcat(graph, i) || passesRange(graph, i)) {
                for (int input : graph.inputs(i)) {
                    parent[root(parent, input)] = root(parent, i);
                }
            }
        }
        Map<Integer, RangeCollector.Range> union = new HashMap<>();
        Map<Integer, Boolean> hasConcat = new HashMap<>();
        for (int i = 0; i < graph.size(); i++) {
            int r = root(parent, i);
            hasConcat.merge(r, isConcat(graph, i), Boolean::logicalOr);
            RangeCollector.Range range = ranges.get(graph.outputName(i));
            if (range != null) {
                union.merge(r, range, ConcatRanges::widest);
            }
        }
        for (int i = 0; i < graph.size(); i++) {
            int r = root(parent, i);
            String name = graph.outputName(i);
            RangeCollector.Range own = ranges.get(name);
            if (own == null || !hasConcat.get(r)) {
                continue;
            }
            RangeCollector.Range group = union.get(r);
            if (own.min() >= 0 && group.min() < 0) {
                continue;   // uint8: see align
            }
            ranges.put(name, group);
        }
    }

    private static int root(int[] parent, int node) {
        int r = node;
        while (parent[r] != r) {
            r = parent[r];
        }
        return r;
    }

    private static RangeCollector.Range widest(RangeCollector.Range a, RangeCollector.Range b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return new RangeCollector.Range(Math.min(a.min(), b.min()), Math.max(a.max(), b.max()));
    }
}
