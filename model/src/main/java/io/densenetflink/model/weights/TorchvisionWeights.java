package io.densenetflink.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.densenetflink.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Moves weights between a built DenseNet block and torchvision/timm {@code state_dict} key names
 * ({@code features.conv0.weight}, {@code features.denseblock1.denselayer1.norm1.running_mean}, {@code
 * classifier.bias}, ...), stored as {@code .safetensors} or {@code .npz}.
 *
 * <p>Loading is all or nothing: every key is checked for name, shape and dtype against the network, keys
 * the network lacks are errors too, and only when all match is any value copied in.
 */
public final class TorchvisionWeights {

    /** BatchNorm's step counter in torchvision checkpoints: not a weight, ignored on import. */
    private static final String BATCHES_TRACKED = ".num_batches_tracked";

    /** Old torchvision checkpoints name {@code norm1} as {@code norm.1}; torchvision rewrites them the same way. */
    private static final Pattern LEGACY_LAYER_KEY =
            Pattern.compile("^(.*denselayer\\d+\\.(?:norm|relu|conv))\\.((?:[12])\\.(?:weight|bias|running_mean|running_var))$");

    private static final Map<String, String> DJL_TO_TORCH = Map.of(
            "weight", "weight",
            "bias", "bias",
            "gamma", "weight",
            "beta", "bias",
            "runningMean", "running_mean",
            "runningVar", "running_var");

    private TorchvisionWeights() {}

    /**
     * The network's parameters under their torchvision names, in block order. Child names come from the
     * block tree (DJL prefixes each child with its position, which is stripped).
     */
    public static Map<String, Parameter> parameters(Block root) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect(root, "", out);
        return out;
    }

    private static void collect(Block block, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            String torch = DJL_TO_TORCH.get(p.getValue().getName());
            if (torch == null) {
                throw new IllegalStateException("no torchvision name for parameter " + prefix + p.getKey());
            }
            out.put(prefix + torch, p.getValue());
        }
        for (Pair<String, Block> child : block.getChildren()) {
            String name = child.getKey().replaceFirst("^\\d+", "");
            collect(child.getValue(), prefix + name + ".", out);
        }
    }

    /** Reads a {@code .safetensors} or {@code .npz} file into named arrays owned by {@code manager}. */
    public static NDList read(NDManager manager, Path file) throws ModelLoadException {
        return read(manager, file, Long.MAX_VALUE);
    }

    /**
     * As {@link #read(NDManager, Path)}, refusing a file that holds more than {@code maxValues} numbers; a
     * safetensors header is checked against the file before anything it claims is allocated ({@link
     * SafetensorsHeader}).
     */
    public static NDList read(NDManager manager, Path file, long maxValues) throws ModelLoadException {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("weight file not found: " + file);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".safetensors") && !name.endsWith(".npz")) {
            throw new ModelLoadException("unsupported weight file " + file + ": expected .safetensors or .npz");
        }
        if (name.endsWith(".safetensors")) {
            SafetensorsHeader.check(file, maxValues);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return NDList.decode(manager, in);
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot read weight file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Copies {@code tensors} into the parameters of {@code root} (which must be initialised), after checking
     * that the two match exactly. {@code source} names the file in error messages.
     *
     * @throws WeightMismatchException listing every missing, unexpected, misshapen or mistyped key
     */
    public static void load(Block root, NDList tensors, String source) throws WeightMismatchException {
        Map<String, Parameter> expected = parameters(root);
        Map<String, NDArray> found = byCanonicalName(tensors);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : expected.entrySet()) {
            NDArray array = found.get(e.getKey());
            Shape want = e.getValue().getArray().getShape();
            if (array == null) {
                problems.add("missing key " + e.getKey() + " (expected shape " + want + ")");
            } else if (!array.getShape().equals(want)) {
                problems.add("shape mismatch for " + e.getKey() + ": expected " + want + ", found "
                        + array.getShape());
            } else if (array.getDataType() != DataType.FLOAT32) {
                problems.add("dtype mismatch for " + e.getKey() + ": expected float32, found "
                        + array.getDataType());
            }
        }
        for (Map.Entry<String, NDArray> e : found.entrySet()) {
            if (!expected.containsKey(e.getKey())) {
                problems.add("unexpected key " + e.getKey() + " (shape " + e.getValue().getShape()
                        + ") is not part of this architecture");
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightMismatchException(source, problems);
        }
        for (Map.Entry<String, Parameter> e : expected.entrySet()) {
            NDArray target = e.getValue().getArray();
            NDArray value = found.get(e.getKey()).toDevice(target.getDevice(), false);
            target.set(value.toByteBuffer());
        }
    }

    private static Map<String, NDArray> byCanonicalName(NDList tensors) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        int position = 0;
        for (NDArray array : tensors) {
            String key = array.getName();
            position++;
            if (key == null || key.isEmpty()) {
                out.put("<unnamed tensor #" + position + ">", array);
                continue;
            }
            if (key.endsWith(BATCHES_TRACKED)) {
                continue;
            }
            key = key.startsWith("module.") ? key.substring("module.".length()) : key;
            Matcher legacy = LEGACY_LAYER_KEY.matcher(key);
            if (legacy.matches()) {
                key = legacy.group(1) + legacy.group(2);
            }
            out.put(key, array);
        }
        return out;
    }

    /** The network's current parameters as named arrays (torchvision names), e.g. to save them. */
    public static NDList export(Block root) {
        NDList out = new NDList();
        for (Map.Entry<String, Parameter> e : parameters(root).entrySet()) {
            NDArray array = e.getValue().getArray();
            NDArray copy = array.duplicate();
            copy.setName(e.getKey());
            out.add(copy);
        }
        return out;
    }

    /** Writes the network's parameters as safetensors with torchvision key names. */
    public static void save(Block root, OutputStream out) throws IOException {
        try (NDList arrays = export(root)) {
            arrays.encode(out, NDList.Encoding.SAFETENSORS);
        }
    }
}
