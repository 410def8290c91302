package io.densenetflink.model.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import io.densenetflink.model.DenseNetConfig;

/**
 * The DJL {@link Block} of a DenseNet, made from a {@link DenseNetConfig}: a static factory in the style of DJL's
 * {@code ResNetV1}, one public entry point ({@link #of}) and small private factories per part.
 *
 * <p>The block tree mirrors torchvision's module tree ({@code features.conv0}, {@code
 * features.denseblock1.denselayer1.norm1}, {@code features.transition1.conv}, {@code features.norm5},
 * {@code classifier}), which is how {@link io.densenetflink.model.weights.TorchvisionWeights} finds each
 * parameter. The block outputs logits (no softmax); it takes NCHW float input of any spatial size the stem
 * can reduce (at least 2x2 before every transition pool).
 */
public final class DenseNetBlocks {

    private DenseNetBlocks() {}

    /** The whole network: {@code features} then the head (ReLU, global average pool, linear). */
    public static Block of(DenseNetConfig config) {
        ChainBlock features = new ChainBlock();
        addStem(features, config);
        int channels = config.initFeatures();
        int[] blocks = config.blocks();
        for (int i = 0; i < blocks.length; i++) {
            features.add("denseblock" + (i + 1),
                    new DenseBlock(blocks[i], config.growthRate(), config.bnSize(), config.dropRate()));
            channels += blocks[i] * config.growthRate();
            if (i < blocks.length - 1) {
                channels = (int) Math.floor(channels * config.compression());
                features.add("transition" + (i + 1), transition(channels));
            }
        }
        features.add("norm5", Layers.batchNorm());
        return new ChainBlock()
                .add("features", features)
                .add("relu", Activation.reluBlock())
                .add("pool", Pool.globalAvgPool2dBlock())
                .add("flatten", Blocks.batchFlattenBlock())
                .add("classifier", Linear.builder().setUnits(config.numClasses()).build());
    }

    private static void addStem(ChainBlock features, DenseNetConfig config) {
        if (config.stem() == DenseNetConfig.Stem.IMAGENET) {
            features.add("conv0", Layers.conv(config.initFeatures(), 7, 2, 3))
                    .add("norm0", Layers.batchNorm())
                    .add("relu0", Activation.reluBlock())
                    .add("pool0", Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        } else {
            // The paper's CIFAR networks: one 3x3 convolution; the first dense layer's BN-ReLU follows it.
            features.add("conv0", Layers.conv(config.initFeatures(), 3, 1, 1));
        }
    }

    /** BN-ReLU-1x1 conv (compression) - 2x2 average pool, stride 2. */
    private static Block transition(int outChannels) {
        return new ChainBlock()
                .add("norm", Layers.batchNorm())
                .add("relu", Activation.reluBlock())
                .add("conv", Layers.conv(outChannels, 1, 1, 0))
                .add("pool", Pool.avgPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
    }
}
