package io.densenetflink.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.nn.DenseNetNetwork;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchvisionWeightsTest {

    private static final DenseNetConfig SMALL = DenseNetConfig.builder().growthRate(4).blocks(1, 2).initFeatures(8)
            .numClasses(3).build();

    @TempDir
    Path tmp;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager(Device.cpu(), "MXNet");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void safetensorsAndNpzRoundTripEveryParameter() throws Exception {
        Block source = DenseNetNetwork.create(SMALL, manager);
        for (NDList.Encoding encoding : new NDList.Encoding[] {NDList.Encoding.SAFETENSORS, NDList.Encoding.NPZ}) {
            Path file = tmp.resolve("w." + (encoding == NDList.Encoding.NPZ ? "npz" : "safetensors"));
            try (OutputStream out = Files.newOutputStream(file); NDList arrays = TorchvisionWeights.export(source)) {
                arrays.encode(out, encoding);
            }
            Block target = DenseNetNetwork.create(SMALL, manager);
            TorchvisionWeights.load(target, TorchvisionWeights.read(manager, file), file.toString());
            var want = TorchvisionWeights.parameters(source);
            var got = TorchvisionWeights.parameters(target);
            assertEquals(want.keySet(), got.keySet());
            for (String key : want.keySet()) {
                assertArrayEquals(want.get(key).getArray().toFloatArray(), got.get(key).getArray().toFloatArray(),
                        key + " via " + encoding);
            }
        }
    }

    @Test
    void mismatchListsEveryOffendingKeyAndLoadsNothing() throws Exception {
        Block source = DenseNetNetwork.create(SMALL, manager);
        NDList arrays = TorchvisionWeights.export(source);
        NDList broken = new NDList();
        for (NDArray a : arrays) {
            switch (a.getName()) {
                case "classifier.bias":
                    break; // missing
                case "features.conv0.weight":
                    NDArray wrong = manager.zeros(new Shape(8, 3, 3, 3));
                    wrong.setName(a.getName());
                    broken.add(wrong);
                    break;
                case "features.norm0.bias":
                    NDArray typed = a.toType(DataType.FLOAT64, true);
                    typed.setName(a.getName());
                    broken.add(typed);
                    break;
                default:
                    broken.add(a);
            }
        }
        NDArray extra = manager.zeros(new Shape(2));
        extra.setName("features.denseblock9.denselayer1.conv1.weight");
        broken.add(extra);
        NDArray counter = manager.create(5L);
        counter.setName("features.norm0.num_batches_tracked");
        broken.add(counter);

        Block target = DenseNetNetwork.create(SMALL, manager);
        float[] before = TorchvisionWeights.parameters(target).get("features.norm5.weight").getArray().toFloatArray();
        WeightMismatchException e = assertThrows(WeightMismatchException.class,
                () -> TorchvisionWeights.load(target, broken, "broken.safetensors"));
        String message = e.getMessage();
        assertEquals(4, e.problems().size(), message);
        assertTrue(message.contains("missing key classifier.bias (expected shape (3))"), message);
        assertTrue(message.contains("shape mismatch for features.conv0.weight: expected (8, 3, 7, 7), found (8, 3, 3, 3)"),
                message);
        assertTrue(message.contains("dtype mismatch for features.norm0.bias"), message);
        assertTrue(message.contains("unexpected key features.denseblock9.denselayer1.conv1.weight"), message);
        assertTrue(message.contains("broken.safetensors"), message);
        // all or nothing: the valid keys were not copied either
        assertArrayEquals(before, TorchvisionWeights.parameters(target).get("features.norm5.weight").getArray()
                .toFloatArray());
    }

    @Test
    void legacyTorchvisionKeysAreAccepted() throws Exception {
        Block source = DenseNetNetwork.create(SMALL, manager);
        NDList arrays = TorchvisionWeights.export(source);
        for (NDArray a : arrays) {
            a.setName(a.getName().replaceAll("denselayer(\\d+)\\.(norm|conv)([12])\\.", "denselayer$1.$2.$3."));
        }
        assertTrue(arrays.stream().anyMatch(a -> a.getName().contains(".norm.1.")));
        Block target = DenseNetNetwork.create(SMALL, manager);
        TorchvisionWeights.load(target, arrays, "legacy");
        assertArrayEquals(TorchvisionWeights.parameters(source).get("features.denseblock2.denselayer2.conv2.weight")
                .getArray().toFloatArray(), TorchvisionWeights.parameters(target)
                .get("features.denseblock2.denselayer2.conv2.weight").getArray().toFloatArray());
    }

    @Test
    void unreadableFilesAreClearErrors() throws Exception {
        ModelLoadException missing = assertThrows(ModelLoadException.class,
                () -> TorchvisionWeights.read(manager, tmp.resolve("nope.safetensors")));
        assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
        Path pt = Files.writeString(tmp.resolve("w.pt"), "x");
        ModelLoadException format = assertThrows(ModelLoadException.class, () -> TorchvisionWeights.read(manager, pt));
        assertTrue(format.getMessage().contains("expected .safetensors or .npz"), format.getMessage());
        Path garbage = Files.write(tmp.resolve("g.safetensors"), new byte[] {1, 2, 3});
        ModelLoadException bad = assertThrows(ModelLoadException.class,
                () -> TorchvisionWeights.read(manager, garbage));
        assertTrue(bad.getMessage().contains("is not a valid safetensors file"), bad.getMessage());
    }
}
