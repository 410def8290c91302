package io.densenetflink.job.cli;

import io.densenetflink.model.DenseNetConfig;
import picocli.CommandLine.Option;

/** The architecture, named (--variant) or spelled out (--growth-rate, --blocks, ...). */
final class ArchitectureOptions {

    @Option(names = "--variant", paramLabel = "NAME",
            description = "densenet121, densenet161, densenet169, densenet201, densenet264 or densenet-bc-<L>-<k>.")
    String variant;

    @Option(names = "--growth-rate", paramLabel = "K", description = "Growth rate k.")
    Integer growthRate;

    @Option(names = "--blocks", split = ",", paramLabel = "N", description = "Layers per dense block, e.g. 6,12,24,16.")
    int[] blocks;

    @Option(names = "--init-features", paramLabel = "F", description = "Channels after the stem (default 2k).")
    Integer initFeatures;

    @Option(names = "--bn-size", paramLabel = "B", description = "Bottleneck width factor (default 4; 0 = none).")
    Integer bnSize;

    @Option(names = "--compression", paramLabel = "C", description = "Transition compression (default 0.5).")
    Float compression;

    @Option(names = "--stem", paramLabel = "imagenet|cifar", description = "Stem (default imagenet).")
    String stem;

    @Option(names = "--input-channels", paramLabel = "C", description = "Image channels (default 3).")
    Integer inputChannels;

    /** True when the user named or described an architecture. */
    boolean given() {
        return variant != null || growthRate != null || blocks != null;
    }

    /** The architecture as a builder (classes still to be set), or an error naming what is missing. */
    DenseNetConfig.Builder toBuilder() {
        DenseNetConfig.Builder b;
        if (variant != null) {
            b = DenseNetConfig.presetBuilder(variant);
        } else {
            if (growthRate == null || blocks == null) {
                throw new IllegalArgumentException(
                        "give --variant NAME, or --growth-rate K and --blocks a,b,... (with --init-features F"
                                + " and --bn-size B as needed)");
            }
            b = DenseNetConfig.builder().growthRate(growthRate).blocks(blocks).initFeatures(2 * growthRate);
        }
        if (growthRate != null) {
            b.growthRate(growthRate);
        }
        if (blocks != null) {
            b.blocks(blocks);
        }
        if (initFeatures != null) {
            b.initFeatures(initFeatures);
        }
        if (bnSize != null) {
            b.bnSize(bnSize);
        }
        if (compression != null) {
            b.compression(compression);
        }
        if (stem != null) {
            b.stem(DenseNetConfig.Stem.parse(stem));
        }
        if (inputChannels != null) {
            b.inputChannels(inputChannels);
        }
        return b;
    }
}
