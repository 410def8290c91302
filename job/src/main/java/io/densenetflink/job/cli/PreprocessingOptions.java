package io.densenetflink.job.cli;

import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.image.Preprocessing;
import picocli.CommandLine.Option;

/** Input size and normalisation of a model, with defaults that follow its stem. */
final class PreprocessingOptions {

    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    @Option(names = "--image-size", paramLabel = "S",
            description = "Network input (centre crop) size: S or HxW (default 224 for the imagenet stem, 32 for cifar).")
    String imageSize;

    @Option(names = "--resize", paramLabel = "S",
            description = "Resize the shorter side to S before cropping (default: crop size x 256/224 for imagenet, crop size for cifar).")
    Integer resize;

    @Option(names = "--mean", split = ",", paramLabel = "M", description = "Per-channel mean (default ImageNet's).")
    float[] mean;

    @Option(names = "--std", split = ",", paramLabel = "S", description = "Per-channel std (default ImageNet's).")
    float[] std;

    /** {height, width} of the network input. */
    int[] size(DenseNetConfig config) {
        if (imageSize == null) {
            int s = config.stem() == DenseNetConfig.Stem.IMAGENET ? 224 : 32;
            return new int[] {s, s};
        }
        String[] parts = imageSize.toLowerCase().split("x");
        try {
            int h = Integer.parseInt(parts[0].trim());
            int w = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : h;
            if (parts.length > 2 || h <= 0 || w <= 0) {
                throw new NumberFormatException();
            }
            return new int[] {h, w};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--image-size: expected S or HxW with positive integers, got '"
                    + imageSize + "'");
        }
    }

    Preprocessing toPreprocessing(DenseNetConfig config) {
        int[] size = size(config);
        int shorter = Math.min(size[0], size[1]);
        int resizeTo = resize != null ? resize
                : config.stem() == DenseNetConfig.Stem.IMAGENET ? Math.round(shorter * 256f / 224f) : shorter;
        int channels = config.inputChannels();
        float[] m = mean != null ? mean : defaults(IMAGENET_MEAN, channels);
        float[] s = std != null ? std : defaults(IMAGENET_STD, channels);
        return Preprocessing.of(channels, resizeTo, size[0], size[1], m, s).validate();
    }

    /** ImageNet's statistics per RGB channel; their average for a grey model. */
    private static float[] defaults(float[] rgb, int channels) {
        if (channels == 3) {
            return rgb.clone();
        }
        float avg = (rgb[0] + rgb[1] + rgb[2]) / 3f;
        float[] out = new float[channels];
        java.util.Arrays.fill(out, avg);
        return out;
    }
}
