package io.densenetflink.model.artifact;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.densenetflink.model.DenseNetConfig;

/**
 * The {@code architecture} object of model.json, read field by field so that a missing field is an error
 * naming it, never a silent zero (a missing {@code bn_size} must not quietly mean "no bottleneck").
 */
final class ArchitectureJson {

    private ArchitectureJson() {}

    static JsonObject write(DenseNetConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("growth_rate", c.growthRate());
        JsonArray blocks = new JsonArray();
        for (int b : c.blocks()) {
            blocks.add(b);
        }
        o.add("blocks", blocks);
        o.addProperty("init_features", c.initFeatures());
        o.addProperty("bn_size", c.bnSize());
        o.addProperty("compression", c.compression());
        o.addProperty("drop_rate", c.dropRate());
        o.addProperty("num_classes", c.numClasses());
        o.addProperty("input_channels", c.inputChannels());
        o.addProperty("stem", c.stem().id());
        return o;
    }

    static DenseNetConfig read(JsonObject o) {
        JsonArray blocksJson = require(o, "blocks").getAsJsonArray();
        int[] blocks = new int[blocksJson.size()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = blocksJson.get(i).getAsInt();
        }
        return DenseNetConfig.builder()
                .growthRate(require(o, "growth_rate").getAsInt())
                .blocks(blocks)
                .initFeatures(require(o, "init_features").getAsInt())
                .bnSize(require(o, "bn_size").getAsInt())
                .compression(require(o, "compression").getAsFloat())
                .dropRate(o.has("drop_rate") ? o.get("drop_rate").getAsFloat() : 0f)
                .numClasses(require(o, "num_classes").getAsInt())
                .inputChannels(require(o, "input_channels").getAsInt())
                .stem(DenseNetConfig.Stem.parse(require(o, "stem").getAsString()))
                .build();
    }

    private static JsonElement require(JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("architecture." + field + " is missing");
        }
        return e;
    }
}
