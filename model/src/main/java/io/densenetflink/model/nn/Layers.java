package io.densenetflink.model.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

/** The two parameterised layer kinds DenseNet uses, configured as torchvision configures them. */
final class Layers {

    /** torchvision's BatchNorm2d epsilon; its momentum 0.1 is DJL's 0.9 (DJL weights the old value). */
    static final float BN_EPSILON = 1e-5f;

    private static final float BN_MOMENTUM = 0.9f;

    private Layers() {}

    static Block batchNorm() {
        return BatchNorm.builder().optEpsilon(BN_EPSILON).optMomentum(BN_MOMENTUM).build();
    }

    /** A square convolution without bias (every DenseNet conv is followed by BatchNorm or is a transition). */
    static Block conv(int filters, int kernel, int stride, int padding) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .optBias(false)
                .build();
    }
}
