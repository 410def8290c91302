package io.densenetflink.model;

import com.google.gson.annotations.SerializedName;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The architecture of one DenseNet (Huang et al., CVPR 2017): everything needed to build the network,
 * nothing about weights or images.
 *
 * <p>Immutable; build one with {@link #builder()} or take a preset with {@link #preset(String)}. Every
 * instance is validated on construction, so a config that exists can be built.
 */
public final class DenseNetConfig {

    /** How the network turns the input image into the first feature maps. */
    public enum Stem {
        /** 7x7/2 convolution, BN-ReLU, 3x3/2 max pool: the ImageNet networks (input downsampled 4x). */
        @SerializedName("imagenet")
        IMAGENET,
        /** One 3x3 convolution, no pooling: the paper's CIFAR networks (small inputs such as 28x28). */
        @SerializedName("cifar")
        CIFAR;

        /** The lower-case name used in model.json and on the command line. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code imagenet} or {@code cifar}. */
        public static Stem parse(String text) {
            for (Stem stem : values()) {
                if (stem.id().equalsIgnoreCase(text.trim())) {
                    return stem;
                }
            }
            throw new IllegalArgumentException("stem: expected imagenet or cifar, got '" + text + "'");
        }
    }

    private static final Pattern BC_PRESET = Pattern.compile("densenet-bc-(\\d+)-(\\d+)");

    private final int growthRate;
    private final int[] blocks;
    private final int initFeatures;
    private final int bnSize;
    private final float compression;
    private final float dropRate;
    private final int numClasses;
    private final int inputChannels;
    private final Stem stem;

    private DenseNetConfig(Builder b) {
        this.growthRate = b.growthRate;
        this.blocks = b.blocks == null ? null : b.blocks.clone();
        this.initFeatures = b.initFeatures;
        this.bnSize = b.bnSize;
        this.compression = b.compression;
        this.dropRate = b.dropRate;
        this.numClasses = b.numClasses;
        this.inputChannels = b.inputChannels;
        this.stem = b.stem;
        validate();
    }

    /** The most channels any layer may have (DenseNet-264 ends with 2,688). */
    public static final int MAX_WIDTH = 1 << 20;
    public static final int MAX_BN_SIZE = 64;
    public static final int MAX_CLASSES = 10_000_000;
    public static final int MAX_INPUT_CHANNELS = 64;
    public static final int MAX_BLOCKS = 16;
    public static final int MAX_LAYERS_PER_BLOCK = 10_000;

    /**
     * Checks every field and throws {@link IllegalArgumentException} naming the first bad one. Public
     * because Gson builds instances without the constructor (from model.json): callers validate then.
     */
    public DenseNetConfig validate() {
        require(growthRate > 0, "growth_rate", "must be > 0, got " + growthRate);
        require(blocks != null && blocks.length > 0, "blocks", "must list at least one dense block");
        for (int i = 0; i < blocks.length; i++) {
            require(blocks[i] > 0, "blocks", "block " + (i + 1) + " must have > 0 layers, got " + blocks[i]);
        }
        require(initFeatures > 0, "init_features", "must be > 0, got " + initFeatures);
        require(bnSize >= 0, "bn_size", "must be >= 0 (0 = no bottleneck), got " + bnSize);
        require(compression > 0f && compression <= 1f, "compression", "must be in (0, 1], got " + compression);
        require(dropRate >= 0f && dropRate < 1f, "drop_rate", "must be in [0, 1), got " + dropRate);
        require(numClasses > 0, "num_classes", "must be > 0, got " + numClasses);
        require(inputChannels > 0, "input_channels", "must be > 0, got " + inputChannels);
        require(stem != null, "stem", "must be imagenet or cifar");
        // Hard bounds far above any real DenseNet, so that the sizes below never overflow; the parameter count a
        // loader accepts is bounded separately (ModelLimits).
        require(growthRate <= MAX_WIDTH, "growth_rate", "must be at most " + MAX_WIDTH + ", got " + growthRate);
        require(initFeatures <= MAX_WIDTH, "init_features", "must be at most " + MAX_WIDTH + ", got " + initFeatures);
        require(bnSize <= MAX_BN_SIZE, "bn_size", "must be at most " + MAX_BN_SIZE + ", got " + bnSize);
        require(numClasses <= MAX_CLASSES, "num_classes", "must be at most " + MAX_CLASSES + ", got " + numClasses);
        require(inputChannels <= MAX_INPUT_CHANNELS, "input_channels", "must be at most " + MAX_INPUT_CHANNELS
                + ", got " + inputChannels);
        require(blocks.length <= MAX_BLOCKS, "blocks", "must list at most " + MAX_BLOCKS + " blocks, got "
                + blocks.length);
        long features = initFeatures;
        for (int i = 0; i < blocks.length; i++) {
            require(blocks[i] <= MAX_LAYERS_PER_BLOCK, "blocks", "block " + (i + 1) + " must have at most "
                    + MAX_LAYERS_PER_BLOCK + " layers, got " + blocks[i]);
            features += (long) blocks[i] * growthRate;
            require(features <= MAX_WIDTH, "blocks", "dense block " + (i + 1) + " would end with " + features
                    + " channels, more than " + MAX_WIDTH);
            if (i < blocks.length - 1) {
                long compressed = (long) Math.floor(features * compression);
                require(compressed > 0, "compression",
                        "transition " + (i + 1) + " would keep 0 of " + features + " channels");
                features = compressed;
            }
        }
        return this;
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new IllegalArgumentException("DenseNet config field '" + field + "' " + message);
        }
    }

    /**
     * A named architecture: {@code densenet121}, {@code densenet161}, {@code densenet169}, {@code
     * densenet201}, {@code densenet264} (ImageNet, 1000 classes, 3 channels) or the paper's CIFAR family
     * {@code densenet-bc-<L>-<k>} (3 blocks of (L-4)/6 bottleneck layers, 2k initial features, cifar stem,
     * 10 classes).
     */
    public static DenseNetConfig preset(String name) {
        return presetBuilder(name).build();
    }

    /** Like {@link #preset(String)} but returns a builder, to change classes or channels. */
    public static Builder presetBuilder(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        switch (key) {
            case "densenet121":
                return imagenet(32, 64, 6, 12, 24, 16);
            case "densenet161":
                return imagenet(48, 96, 6, 12, 36, 24);
            case "densenet169":
                return imagenet(32, 64, 6, 12, 32, 32);
            case "densenet201":
                return imagenet(32, 64, 6, 12, 48, 32);
            case "densenet264":
                return imagenet(32, 64, 6, 12, 64, 48);
            default:
                break;
        }
        Matcher m = BC_PRESET.matcher(key);
        if (m.matches()) {
            int depth = Integer.parseInt(m.group(1));
            int k = Integer.parseInt(m.group(2));
            if (depth < 10 || (depth - 4) % 6 != 0) {
                throw new IllegalArgumentException("preset '" + name + "': DenseNet-BC depth L must satisfy"
                        + " (L - 4) % 6 == 0 and L >= 10 (e.g. 40, 100, 190), got " + depth);
            }
            int perBlock = (depth - 4) / 6;
            return builder().growthRate(k).blocks(perBlock, perBlock, perBlock).initFeatures(2 * k)
                    .stem(Stem.CIFAR).numClasses(10);
        }
        throw new IllegalArgumentException("unknown preset '" + name + "': expected one of " + presetNames()
                + " or densenet-bc-<L>-<k> (e.g. densenet-bc-100-12)");
    }

    /** The fixed preset names (the CIFAR family is open-ended and not listed). */
    public static String presetNames() {
        return "densenet121, densenet161, densenet169, densenet201, densenet264";
    }

    private static Builder imagenet(int k, int init, int... blocks) {
        return builder().growthRate(k).initFeatures(init).blocks(blocks).stem(Stem.IMAGENET).numClasses(1000);
    }

    public int growthRate() {
        return growthRate;
    }

    public int[] blocks() {
        return blocks.clone();
    }

    public int initFeatures() {
        return initFeatures;
    }

    /** Bottleneck width factor: the 1x1 convolution has bnSize * k channels; 0 = no bottleneck. */
    public int bnSize() {
        return bnSize;
    }

    public float compression() {
        return compression;
    }

    public float dropRate() {
        return dropRate;
    }

    public int numClasses() {
        return numClasses;
    }

    public int inputChannels() {
        return inputChannels;
    }

    public Stem stem() {
        return stem;
    }

    /** Channels entering dense block {@code index} (0-based). */
    public int channelsIntoBlock(int index) {
        int features = initFeatures;
        for (int i = 0; i < index; i++) {
            features = (int) Math.floor((features + blocks[i] * growthRate) * compression);
        }
        return features;
    }

    /** Channels leaving the last dense block (the classifier's input width). */
    public int finalFeatures() {
        int last = blocks.length - 1;
        return channelsIntoBlock(last) + blocks[last] * growthRate;
    }

    /** Total depth counted as in the paper: weighted layers (convolutions and the classifier). */
    public int depth() {
        int convsPerLayer = bnSize > 0 ? 2 : 1;
        int layers = Arrays.stream(blocks).sum() * convsPerLayer;
        return 1 + layers + (blocks.length - 1) + 1;
    }

    public Builder toBuilder() {
        return builder().growthRate(growthRate).blocks(blocks).initFeatures(initFeatures).bnSize(bnSize)
                .compression(compression).dropRate(dropRate).numClasses(numClasses)
                .inputChannels(inputChannels).stem(stem);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DenseNetConfig)) {
            return false;
        }
        DenseNetConfig c = (DenseNetConfig) o;
        return growthRate == c.growthRate && initFeatures == c.initFeatures && bnSize == c.bnSize
                && Float.compare(compression, c.compression) == 0 && Float.compare(dropRate, c.dropRate) == 0
                && numClasses == c.numClasses && inputChannels == c.inputChannels && stem == c.stem
                && Arrays.equals(blocks, c.blocks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(growthRate, Arrays.hashCode(blocks), initFeatures, bnSize, compression, dropRate,
                numClasses, inputChannels, stem);
    }

    @Override
    public String toString() {
        return "DenseNetConfig{k=" + growthRate + ", blocks=" + Arrays.toString(blocks) + ", init="
                + initFeatures + ", bn_size=" + bnSize + ", compression=" + compression + ", drop="
                + dropRate + ", classes=" + numClasses + ", channels=" + inputChannels + ", stem="
                + (stem == null ? null : stem.id()) + "}";
    }

    /** Builder with the paper's defaults: bn_size 4, compression 0.5, no dropout, 3 input channels. */
    public static final class Builder {
        private int growthRate = 32;
        private int[] blocks;
        private int initFeatures = 64;
        private int bnSize = 4;
        private float compression = 0.5f;
        private float dropRate;
        private int numClasses = 1000;
        private int inputChannels = 3;
        private Stem stem = Stem.IMAGENET;

        private Builder() {}

        public Builder growthRate(int k) {
            this.growthRate = k;
            return this;
        }

        public Builder blocks(int... layersPerBlock) {
            this.blocks = layersPerBlock.clone();
            return this;
        }

        public Builder initFeatures(int f) {
            this.initFeatures = f;
            return this;
        }

        public Builder bnSize(int b) {
            this.bnSize = b;
            return this;
        }

        public Builder compression(float c) {
            this.compression = c;
            return this;
        }

        public Builder dropRate(float d) {
            this.dropRate = d;
            return this;
        }

        public Builder numClasses(int n) {
            this.numClasses = n;
            return this;
        }

        public Builder inputChannels(int c) {
            this.inputChannels = c;
            return this;
        }

        public Builder stem(Stem s) {
            this.stem = s;
            return this;
        }

        /** Builds and validates; throws {@link IllegalArgumentException} naming the bad field. */
        public DenseNetConfig build() {
            return new DenseNetConfig(this);
        }
    }
}
