package io.densenetflink.model.nn;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.densenetflink.model.DenseNetConfig;

/** Creates DenseNet blocks with allocated parameters, and counts them. */
public final class DenseNetNetwork {

    private DenseNetNetwork() {}

    /**
     * Builds the block for {@code config} and allocates its parameters on {@code manager} (randomly
     * initialised: load weights next, or train). Parameter shapes do not depend on the image size.
     */
    public static Block create(DenseNetConfig config, NDManager manager) {
        Block block = DenseNetBlocks.of(config);
        block.initialize(manager, DataType.FLOAT32, shapeForInitialisation(config));
        return block;
    }

    /** A batch-of-one input shape large enough for every pooling step, used only to size parameters. */
    static Shape shapeForInitialisation(DenseNetConfig config) {
        int side = minimumInputSize(config);
        return new Shape(1, config.inputChannels(), side, side);
    }

    /** The smallest square input for which every transition's 2x2 pool still has at least 2x2 to pool. */
    public static int minimumInputSize(DenseNetConfig config) {
        int downsample = 1 << (config.blocks().length - 1);
        if (config.stem() == DenseNetConfig.Stem.IMAGENET) {
            downsample *= 4;
        }
        return 2 * downsample;
    }

    /** Learnable parameters (weights and biases, not BatchNorm running statistics), as torchvision counts. */
    public static long countLearnable(Block block) {
        long total = 0;
        for (Parameter p : block.getParameters().values()) {
            if (p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR) {
                total += p.getArray().getShape().size();
            }
        }
        return total;
    }
}
