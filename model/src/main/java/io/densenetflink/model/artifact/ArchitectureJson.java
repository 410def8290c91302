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
            blocks[i] = exactInt(blocksJson.get(i), "architecture.blocks");
        }
        return DenseNetConfig.builder()
                .growthRate(exactInt(require(o, "growth_rate"), "architecture.growth_rate"))
                .blocks(blocks)
                .initFeatures(exactInt(require(o, "init_features"), "architecture.init_features"))
                .bnSize(exactInt(require(o, "bn_size"), "architecture.bn_size"))
                .compression(require(o, "compression").getAsFloat())
                .dropRate(o.has("drop_rate") ? o.get("drop_rate").getAsFloat() : 0f)
                .numClasses(exactInt(require(o, "num_classes"), "architecture.num_classes"))
                .inputChannels(exactInt(require(o, "input_channels"), "architecture.input_channels"))
                .stem(DenseNetConfig.Stem.parse(require(o, "stem").getAsString()))
                .build();
    }

    /**
     * A whole number that fits an int, exactly: Gson's {@code getAsInt} keeps the low bits of a larger number
     * (4294967328 reads as 32) and truncates 1e30 and 32.5, so a garbled value could pass as a plausible one.
     */
    static int exactInt(JsonElement e, String field) {
        try {
            return e.getAsBigDecimal().intValueExact();
        } catch (ArithmeticException | NumberFormatException | IllegalStateException
                | UnsupportedOperationException x) {
            throw new IllegalArgumentException(field + ": expected a whole number within " + Integer.MIN_VALUE
                    + ".." + Integer.MAX_VALUE + ", got " + e);
        }
    }

    private static JsonElement require(JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("architecture." + field + " is missing");
        }
        return e;
    }
}
