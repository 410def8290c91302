package io.densenetflink.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A dense block: each {@link DenseLayer} sees the channel-wise concatenation of the block input and every
 * earlier layer's output, and adds k channels to it.
 *
 * <p>In inference the previous concatenation is freed as soon as the next one exists, so the block holds at
 * most two copies of its growing feature map rather than one per layer (the quadratic cost a naive
 * implementation pays).
 */
final class DenseBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    DenseBlock(int layers, int growthRate, int bnSize, float dropRate) {
        super(VERSION);
        for (int i = 1; i <= layers; i++) {
            addChildBlock("denselayer" + i, new DenseLayer(growthRate, bnSize, dropRate));
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray features = inputs.singletonOrThrow();
        for (Block layer : children.values()) {
            NDArray fresh = layer.forward(ps, new NDList(features), training, params).singletonOrThrow();
            NDArray joined = features.concat(fresh, 1);
            if (!training) {
                fresh.close();
                if (features != inputs.head()) {
                    features.close();
                }
            }
            features = joined;
        }
        return new NDList(features);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = inputShapes[0];
        for (Block layer : children.values()) {
            layer.initialize(manager, dataType, shape);
            shape = concatChannels(shape, layer.getOutputShapes(new Shape[] {shape})[0]);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape shape = inputShapes[0];
        for (Block layer : children.values()) {
            shape = concatChannels(shape, layer.getOutputShapes(new Shape[] {shape})[0]);
        }
        return new Shape[] {shape};
    }

    private static Shape concatChannels(Shape a, Shape b) {
        long[] dims = a.getShape().clone(); // Shape hands out its own array
        dims[1] += b.get(1);
        return new Shape(dims);
    }
}
