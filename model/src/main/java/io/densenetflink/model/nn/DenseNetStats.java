package io.densenetflink.model.nn;

import io.densenetflink.model.DenseNetConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The layer layout of a DenseNet worked out from its config alone: per stage the output size, learnable
 * parameters (torchvision's count: weights and biases, no BatchNorm running statistics) and multiply-adds
 * of the convolutions and the classifier.
 */
public final class DenseNetStats {

    /** One stage of the network and what it costs. */
    public record Stage(String name, String description, int channels, int height, int width, long parameters,
            long macs) {}

    private final List<Stage> stages;

    private DenseNetStats(List<Stage> stages) {
        this.stages = List.copyOf(stages);
    }

    /** Works out the layout for an input of {@code height x width}; refuses inputs the pools cannot take. */
    public static DenseNetStats of(DenseNetConfig config, int height, int width) {
        return new Walker(config, height, width).walk();
    }

    public List<Stage> stages() {
        return stages;
    }

    public long parameters() {
        return stages.stream().mapToLong(Stage::parameters).sum();
    }

    public long macs() {
        return stages.stream().mapToLong(Stage::macs).sum();
    }

    /** Follows the feature map through the network, as {@link DenseNetBlocks} builds it. */
    private static final class Walker {
        private final DenseNetConfig config;
        private final List<Stage> out = new ArrayList<>();
        private int channels;
        private int height;
        private int width;

        Walker(DenseNetConfig config, int height, int width) {
            this.config = config;
            this.channels = config.inputChannels();
            this.height = height;
            this.width = width;
        }

        DenseNetStats walk() {
            stem();
            int[] blocks = config.blocks();
            for (int i = 0; i < blocks.length; i++) {
                denseBlock(i + 1, blocks[i]);
                if (i < blocks.length - 1) {
                    transition(i + 1);
                }
            }
            long classifier = (long) channels * config.numClasses() + config.numClasses();
            out.add(new Stage("head", "BN-ReLU, global average pool, linear " + channels + " -> "
                    + config.numClasses(), config.numClasses(), 1, 1, 2L * channels + classifier,
                    (long) channels * config.numClasses()));
            return new DenseNetStats(out);
        }

        private void stem() {
            int init = config.initFeatures();
            if (config.stem() == DenseNetConfig.Stem.IMAGENET) {
                long params = (long) channels * init * 49 + 2L * init;
                height = convOut(height, 7, 2, 3);
                width = convOut(width, 7, 2, 3);
                long macs = (long) channels * init * 49 * height * width;
                height = convOut(height, 3, 2, 1);
                width = convOut(width, 3, 2, 1);
                channels = init;
                out.add(new Stage("stem", "7x7/2 conv, BN-ReLU, 3x3/2 max pool", channels, height, width,
                        params, macs));
            } else {
                long params = (long) channels * init * 9;
                channels = init;
                out.add(new Stage("stem", "3x3 conv", channels, height, width, params,
                        params * height * width));
            }
            requirePositive("the stem");
        }

        private void denseBlock(int index, int layers) {
            int k = config.growthRate();
            int bottleneck = config.bnSize() * k;
            long params = 0;
            long macs = 0;
            long pixels = (long) height * width;
            for (int l = 0; l < layers; l++) {
                if (bottleneck > 0) {
                    params += 2L * channels + (long) channels * bottleneck + 2L * bottleneck
                            + (long) bottleneck * k * 9;
                    macs += ((long) channels * bottleneck + (long) bottleneck * k * 9) * pixels;
                } else {
                    params += 2L * channels + (long) channels * k * 9;
                    macs += (long) channels * k * 9 * pixels;
                }
                channels += k;
            }
            out.add(new Stage("denseblock" + index, layers + " x " + (bottleneck > 0
                    ? "BN-ReLU-1x1 conv(" + bottleneck + ")-BN-ReLU-3x3 conv(" + k + ")"
                    : "BN-ReLU-3x3 conv(" + k + ")"), channels, height, width, params, macs));
        }

        private void transition(int index) {
            int outChannels = (int) Math.floor(channels * config.compression());
            long params = 2L * channels + (long) channels * outChannels;
            long macs = (long) channels * outChannels * height * width;
            height /= 2;
            width /= 2;
            channels = outChannels;
            out.add(new Stage("transition" + index, "BN-ReLU-1x1 conv(" + outChannels + "), 2x2 avg pool",
                    channels, height, width, params, macs));
            requirePositive("transition " + index);
        }

        private void requirePositive(String where) {
            if (height < 1 || width < 1) {
                throw new IllegalArgumentException("input too small: nothing left after " + where
                        + " (at least " + DenseNetNetwork.minimumInputSize(config) + "x"
                        + DenseNetNetwork.minimumInputSize(config) + " is needed)");
            }
        }

        private static int convOut(int size, int kernel, int stride, int padding) {
            return (size + 2 * padding - kernel) / stride + 1;
        }
    }
}
