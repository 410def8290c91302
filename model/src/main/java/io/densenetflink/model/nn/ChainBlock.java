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
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A sequence of named child blocks, run in order.
 *
 * <p>Unlike DJL's {@code SequentialBlock} it keeps the names it is given (so the block tree mirrors
 * torchvision's module paths, which is what weight import keys on) and, in inference, frees each
 * intermediate result as soon as the next child has consumed it. DenseNet's activations are large; keeping
 * every intermediate until the batch's manager closes is what makes a naive forward need gigabytes.
 */
public final class ChainBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    public ChainBlock() {
        super(VERSION);
    }

    /** Appends a child under {@code name}; returns this chain. */
    public ChainBlock add(String name, Block block) {
        addChildBlock(name, block);
        return this;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList current = inputs;
        for (Block child : children.values()) {
            NDList next = child.forward(ps, current, training, params);
            if (!training && current != inputs) {
                releaseUnshared(current, next);
            }
            current = next;
        }
        return current;
    }

    /** Closes the arrays of {@code spent} that are not passed on in {@code next}. */
    static void releaseUnshared(NDList spent, NDList next) {
        Set<NDArray> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(next);
        for (NDArray array : spent) {
            if (!kept.contains(array)) {
                array.close();
            }
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block child : children.values()) {
            child.initialize(manager, dataType, shapes);
            shapes = child.getOutputShapes(shapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block child : children.values()) {
            shapes = child.getOutputShapes(shapes);
        }
        return shapes;
    }
}
