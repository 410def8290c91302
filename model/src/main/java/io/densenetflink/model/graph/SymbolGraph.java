package io.densenetflink.model.graph;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal writer of MXNet's symbolic graph format ({@code -symbol.json}): variables and operator nodes in
 * topological order, each operator attribute a string, each input a {@code [node, output, version]} triple.
 */
final class SymbolGraph {

    /** MXNet 1.9.0, the version the graph is written for. */
    private static final int MXNET_VERSION = 10900;

    private final JsonArray nodes = new JsonArray();
    private final List<Integer> argNodes = new ArrayList<>();

    /** A node's output, usable as an input of later nodes. */
    record Ref(int node, int output) {}

    /** A graph input or parameter ("null" op). */
    Ref variable(String name) {
        JsonObject node = new JsonObject();
        node.addProperty("op", "null");
        node.addProperty("name", name);
        node.add("inputs", new JsonArray());
        argNodes.add(nodes.size());
        nodes.add(node);
        return new Ref(nodes.size() - 1, 0);
    }

    /** An operator node; {@code attrs} alternate key, value. */
    Ref op(String op, String name, Map<String, String> attrs, Ref... inputs) {
        JsonObject node = new JsonObject();
        node.addProperty("op", op);
        node.addProperty("name", name);
        if (!attrs.isEmpty()) {
            JsonObject a = new JsonObject();
            attrs.forEach(a::addProperty);
            node.add("attrs", a);
        }
        JsonArray in = new JsonArray();
        for (Ref r : inputs) {
            JsonArray triple = new JsonArray();
            triple.add(r.node());
            triple.add(r.output());
            triple.add(0);
            in.add(triple);
        }
        node.add("inputs", in);
        nodes.add(node);
        return new Ref(nodes.size() - 1, 0);
    }

    /** Attribute map in insertion order, from alternating keys and values. */
    static Map<String, String> attrs(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** The graph as MXNet's JSON with {@code output} as its single head. */
    String toJson(Ref output) {
        JsonObject root = new JsonObject();
        root.add("nodes", nodes);
        JsonArray args = new JsonArray();
        argNodes.forEach(args::add);
        root.add("arg_nodes", args);
        JsonArray heads = new JsonArray();
        JsonArray head = new JsonArray();
        head.add(output.node());
        head.add(output.output());
        head.add(0);
        heads.add(head);
        root.add("heads", heads);
        JsonObject attrs = new JsonObject();
        JsonArray version = new JsonArray();
        version.add("int");
        version.add(MXNET_VERSION);
        attrs.add("mxnet_version", version);
        root.add("attrs", attrs);
        return new Gson().toJson(root);
    }
}
