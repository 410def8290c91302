package io.densenetflink.model.lowp;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;

/** Read access to the nodes of an MXNet symbol JSON, for the decisions the graph passes leave to the caller. */
final class GraphJson {

    private final JsonArray nodes;

    GraphJson(String json) {
        this.nodes = JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("nodes");
    }

    int size() {
        return nodes.size();
    }

    String op(int node) {
        return node(node).get("op").getAsString();
    }

    String name(int node) {
        return node(node).get("name").getAsString();
    }

    /** The node indices this node reads, in input order. */
    List<Integer> inputs(int node) {
        List<Integer> out = new ArrayList<>();
        for (JsonElement in : node(node).getAsJsonArray("inputs")) {
            out.add(in.getAsJsonArray().get(0).getAsInt());
        }
        return out;
    }

    /** Index of the variable ({@code "null"} op) called {@code name}, or -1. */
    int variable(String name) {
        for (int i = 0; i < nodes.size(); i++) {
            if (op(i).equals("null") && name(i).equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The name MXNet gives the (first) output of node {@code node}: the variable's name, or NAME_output. */
    String outputName(int node) {
        return op(node).equals("null") ? name(node) : name(node) + "_output";
    }

    private JsonObject node(int i) {
        return nodes.get(i).getAsJsonObject();
    }
}
