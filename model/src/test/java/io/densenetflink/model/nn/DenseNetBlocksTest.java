package io.densenetflink.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.weights.TorchvisionWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DenseNetBlocksTest {

    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager(Device.cpu(), "MXNet");
    }

    @AfterAll
    static void release() {
        manager.close();
    }

    /** Torchvision's counts (weights + biases, no BatchNorm running statistics). */
    @ParameterizedTest
    @CsvSource({
        "densenet121, 7978856",
        "densenet161, 28681000",
        "densenet169, 14149480",
        "densenet201, 20013928",
        "densenet264, 33337704"
    })
    void parameterCountsEqualTorchvision(String preset, long expected) {
        try (NDManager sub = manager.newSubManager()) {
            Block block = DenseNetNetwork.create(DenseNetConfig.preset(preset), sub);
            assertEquals(expected, DenseNetNetwork.countLearnable(block), preset);
            assertEquals(expected, DenseNetStats.of(DenseNetConfig.preset(preset), 224, 224).parameters(),
                    preset + " (analytic count)");
        }
    }

    @Test
    void densenetBc100Has800kParametersLikeThePaper() {
        try (NDManager sub = manager.newSubManager()) {
            Block block = DenseNetNetwork.create(DenseNetConfig.preset("densenet-bc-100-12"), sub);
            long count = DenseNetNetwork.countLearnable(block);
            assertEquals(769_162, count); // the paper's "0.8M" for CIFAR-10
        }
    }

    @Test
    void densenet121CostsTwoPointEightGigaMacsAt224() {
        long macs = DenseNetStats.of(DenseNetConfig.preset("densenet121"), 224, 224).macs();
        assertEquals(2.83e9, macs, 0.01e9);
    }

    @Test
    void blockTreeCarriesTorchvisionNames() {
        try (NDManager sub = manager.newSubManager()) {
            Block block = DenseNetNetwork.create(DenseNetConfig.preset("densenet121"), sub);
            var names = TorchvisionWeights.parameters(block).keySet();
            assertTrue(names.contains("features.conv0.weight"));
            assertTrue(names.contains("features.denseblock3.denselayer24.conv2.weight"));
            assertTrue(names.contains("features.transition3.norm.running_var"));
            assertTrue(names.contains("features.norm5.bias"));
            assertTrue(names.contains("classifier.bias"));
            assertEquals(606, names.size()); // the shared densenet121 fixture's key count
        }
    }

    @Test
    void acceptsNonSquareInputsAndThreeBlockLayouts() {
        DenseNetConfig config = DenseNetConfig.builder().growthRate(4).blocks(2, 2, 2).initFeatures(8)
                .numClasses(5).build();
        assertOutput(config, new Shape(2, 3, 96, 160), new Shape(2, 5));
        DenseNetConfig plain = config.toBuilder().bnSize(0).compression(1f).stem(DenseNetConfig.Stem.CIFAR)
                .inputChannels(1).build();
        assertOutput(plain, new Shape(3, 1, 28, 28), new Shape(3, 5));
    }

    @Test
    void trainingModeForwardWorksAndDiffersFromInferenceWithDropout() {
        DenseNetConfig config = DenseNetConfig.builder().growthRate(4).blocks(2, 2).initFeatures(8)
                .numClasses(3).dropRate(0.5f).stem(DenseNetConfig.Stem.CIFAR).build();
        try (NDManager sub = manager.newSubManager()) {
            Block block = DenseNetNetwork.create(config, sub);
            NDArray x = sub.randomNormal(new Shape(4, 3, 16, 16));
            NDArray train;
            // MXNet runs BatchNorm in training mode only while autograd records.
            try (GradientCollector collector = Engine.getEngine("MXNet").newGradientCollector()) {
                train = block.forward(new ParameterStore(sub, false), new NDList(x), true).singletonOrThrow();
            }
            NDArray infer = block.forward(new ParameterStore(sub, false), new NDList(x), false).singletonOrThrow();
            assertEquals(new Shape(4, 3), train.getShape());
            assertTrue(train.sub(infer).abs().max().getFloat() > 1e-6f, "training mode must use batch statistics");
            // inference must not have freed the caller's input
            assertEquals(new Shape(4, 3, 16, 16), x.getShape());
            assertEquals(4 * 3 * 16 * 16, x.toFloatArray().length);
        }
    }

    private static void assertOutput(DenseNetConfig config, Shape input, Shape expected) {
        try (NDManager sub = manager.newSubManager()) {
            Block block = DenseNetNetwork.create(config, sub);
            NDArray x = sub.randomNormal(input);
            NDArray y = block.forward(new ParameterStore(sub, false), new NDList(x), false).singletonOrThrow();
            assertEquals(expected, y.getShape());
            assertEquals(expected, block.getOutputShapes(new Shape[] {input})[0]);
        }
    }
}
