package io.densenetflink.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One parity fixture: NAME.json (architecture), NAME.safetensors, NAME-input.npy, NAME-logits.npy. */
public record ParityFixture(Path dir, String name) {

    public Path weights() {
        return dir.resolve(name + ".safetensors");
    }

    public Path input() {
        return dir.resolve(name + "-input.npy");
    }

    public Path logits() {
        return dir.resolve(name + "-logits.npy");
    }

    /** The architecture as the fixture's JSON describes it (torchvision's DenseNet arguments). */
    public DenseNetConfig architecture() throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(dir.resolve(name + ".json"))).getAsJsonObject();
        JsonArray blocks = o.getAsJsonArray("block_config");
        int[] layout = new int[blocks.size()];
        for (int i = 0; i < layout.length; i++) {
            layout[i] = blocks.get(i).getAsInt();
        }
        return DenseNetConfig.builder()
                .growthRate(o.get("growth_rate").getAsInt())
                .blocks(layout)
                .initFeatures(o.get("num_init_features").getAsInt())
                .bnSize(o.get("bn_size").getAsInt())
                .compression(o.has("compression") ? o.get("compression").getAsFloat() : 0.5f)
                .numClasses(o.get("num_classes").getAsInt())
                .build();
    }
}
