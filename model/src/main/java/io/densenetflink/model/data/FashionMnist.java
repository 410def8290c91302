package io.densenetflink.model.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 60,000 training and 10,000 test images of 28x28 grey
 * clothing pictures in 10 classes, stored as IDX pairs {@code train-images-idx3-ubyte[.gz]}, {@code
 * train-labels-idx1-ubyte[.gz]}, {@code t10k-images-idx3-ubyte[.gz]} and {@code t10k-labels-idx1-ubyte[.gz]}.
 *
 * <p>Debian's package {@code dataset-fashion-mnist} installs them in {@link #DEBIAN_DIR}.
 */
public final class FashionMnist {

    /** Where Debian's {@code dataset-fashion-mnist} puts the four files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The data set's name on the command line. */
    public static final String NAME = "fashion-mnist";

    /** Image side in pixels. */
    public static final int SIDE = 28;

    /** The class names, by label index. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** Mean of the training images' pixels scaled to [0, 1] (all 60,000). */
    public static final float TRAIN_MEAN = 0.2860f;

    /** Standard deviation of the training images' pixels scaled to [0, 1] (all 60,000). */
    public static final float TRAIN_STD = 0.3530f;

    /** The two halves of the data set. */
    public enum Split {
        /** 60,000 training images. */
        TRAIN("train"),
        /** 10,000 test images ("t10k"). */
        TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        /** The file name prefix: {@code train} or {@code t10k}. */
        public String prefix() {
            return prefix;
        }

        /** The image file's base name, without {@code .gz}. */
        public String imagesFile() {
            return prefix + "-images-idx3-ubyte";
        }

        /** The label file's base name, without {@code .gz}. */
        public String labelsFile() {
            return prefix + "-labels-idx1-ubyte";
        }
    }

    private FashionMnist() {}

    /** Checks that the data set's name is {@code fashion-mnist} (the only one supported). */
    public static void requireSupported(String dataset) {
        if (!NAME.equals(dataset.trim().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("unsupported data set '" + dataset + "': only " + NAME
                    + " is supported");
        }
    }

    /**
     * Reads one split from {@code dir} (each file gzipped or not) and checks it: matching counts, 28x28 images,
     * labels in 0..9.
     */
    public static LabeledImages load(Path dir, Split split) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("data directory not found: " + dir
                    + (dir.equals(DEBIAN_DIR) ? " (apt-get install dataset-fashion-mnist)" : ""));
        }
        Path images = locate(dir, split.imagesFile());
        Path labels = locate(dir, split.labelsFile());
        LabeledImages data = IdxReader.readPair(images, labels);
        if (data.rows() != SIDE || data.cols() != SIDE) {
            throw new DatasetException(images + ": images are " + data.rows() + "x" + data.cols()
                    + ", Fashion-MNIST's are " + SIDE + "x" + SIDE);
        }
        for (int i = 0; i < data.count(); i++) {
            if (data.label(i) >= CLASS_NAMES.size()) {
                throw new DatasetException(labels + ": label " + data.label(i) + " of image " + i
                        + " is not a class index 0.." + (CLASS_NAMES.size() - 1));
            }
        }
        if (data.count() == 0) {
            throw new DatasetException(images + " holds no images");
        }
        return data;
    }

    /** {@code dir/base.gz} if present, else {@code dir/base}; a clear error naming both when neither exists. */
    static Path locate(Path dir, String base) {
        Path gz = dir.resolve(base + ".gz");
        if (Files.exists(gz)) {
            return gz;
        }
        Path plain = dir.resolve(base);
        if (Files.exists(plain)) {
            return plain;
        }
        throw new DatasetException("missing Fashion-MNIST file in " + dir + ": neither " + gz.getFileName()
                + " nor " + plain.getFileName() + " exists");
    }

    /** Writes the first {@code count} images of {@code data} as a gzipped IDX pair named for {@code split}. */
    public static void writeSample(LabeledImages data, int count, Path outDir, Split split) throws IOException {
        if (count <= 0) {
            throw new IllegalArgumentException("--count must be > 0, got " + count);
        }
        if (count > data.count()) {
            throw new IllegalArgumentException("--count " + count + " exceeds the " + data.count()
                    + " images available");
        }
        LabeledImages sample = data.first(count);
        Files.createDirectories(outDir);
        IdxWriter.writeImages(outDir.resolve(split.imagesFile() + ".gz"), sample, true);
        IdxWriter.writeLabels(outDir.resolve(split.labelsFile() + ".gz"), sample, true);
    }
}
