package io.densenetflink.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One DenseNet layer: BN-ReLU-1x1 conv (bnSize*k channels) - BN-ReLU-3x3 conv (k channels), or without
 * bottleneck just BN-ReLU-3x3 conv. Takes the concatenation of all earlier feature maps and returns only
 * its k new channels; the enclosing {@link DenseBlock} does the concatenation.
 *
 * <p>Children are named {@code norm1, conv1, norm2, conv2} like torchvision's {@code _DenseLayer}.
 */
final class DenseLayer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Block norm1;
    private final Block conv1;
    private final Block norm2;
    private final Block conv2;
    private final float dropRate;

    DenseLayer(int growthRate, int bnSize, float dropRate) {
        super(VERSION);
        this.dropRate = dropRate;
        norm1 = addChildBlock("norm1", Layers.batchNorm());
        if (bnSize > 0) {
            conv1 = addChildBlock("conv1", Layers.conv(bnSize * growthRate, 1, 1, 0));
            norm2 = addChildBlock("norm2", Layers.batchNorm());
            conv2 = addChildBlock("conv2", Layers.conv(growthRate, 3, 1, 1));
        } else {
            conv1 = addChildBlock("conv1", Layers.conv(growthRate, 3, 1, 1));
            norm2 = null;
            conv2 = null;
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray out = normReluConv(ps, inputs, norm1, conv1, training, params);
        if (conv2 != null) {
            NDList bottleneck = new NDList(out);
            out = normReluConv(ps, bottleneck, norm2, conv2, training, params);
            if (!training) {
                bottleneck.close();
            }
        }
        if (dropRate > 0f && training) {
            out = Dropout.dropout(out, dropRate, true).singletonOrThrow();
        }
        return new NDList(out);
    }

    /** BN, ReLU, convolution; in inference the two intermediates are freed at once. */
    private static NDArray normReluConv(ParameterStore ps, NDList x, Block norm, Block conv, boolean training,
            PairList<String, Object> params) {
        NDList normed = norm.forward(ps, x, training, params);
        NDList activated = new NDList(Activation.relu(normed.singletonOrThrow()));
        if (!training) {
            normed.close();
        }
        NDList convolved = conv.forward(ps, activated, training, params);
        if (!training) {
            activated.close();
        }
        return convolved.singletonOrThrow();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        norm1.initialize(manager, dataType, inputShapes);
        conv1.initialize(manager, dataType, inputShapes);
        if (conv2 != null) {
            Shape[] bottleneck = conv1.getOutputShapes(inputShapes);
            norm2.initialize(manager, dataType, bottleneck);
            conv2.initialize(manager, dataType, bottleneck);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = conv1.getOutputShapes(inputShapes);
        return conv2 == null ? shapes : conv2.getOutputShapes(shapes);
    }
}
