package io.densenetflink.model.lowp;

import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.image.ImageDecodeException;
import io.densenetflink.model.image.ImagePreprocessor;
import io.densenetflink.model.image.Preprocessing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The frames a model is calibrated on, already through the model's own preprocessing: decoded, resized, cropped
 * and normalised exactly as the operator will feed it. Random access by index, so calibration can batch them.
 */
public abstract class CalibrationSet {

    private final int count;
    private final int imageSize;

    private CalibrationSet(int count, int imageSize) {
        if (count <= 0) {
            throw new IllegalArgumentException("the calibration set is empty");
        }
        this.count = count;
        this.imageSize = imageSize;
    }

    /** Number of frames. */
    public int count() {
        return count;
    }

    /** Floats per preprocessed frame. */
    public int imageSize() {
        return imageSize;
    }

    /** Writes frames {@code from .. from+n-1} back to back into {@code dest}. */
    public abstract void fill(int from, int n, float[] dest);

    /** What the frames are, for model.json: {@code {"source": ..., "path": ..., "count": ...}}. */
    public abstract Map<String, Object> describe();

    /**
     * Every image file in {@code dir} (sorted by name, not recursive; JPEG, PNG, BMP, GIF), at most {@code limit}
     * of them (0 = all). Images are decoded when calibration asks for them; one that cannot be decoded fails the
     * calibration with its file name.
     */
    public static CalibrationSet imageDirectory(Path dir, Preprocessing preprocessing, int limit) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("calibration directory not found: " + dir);
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(Files::isRegularFile).filter(CalibrationSet::isImageFile).sorted()
                    .limit(limit > 0 ? limit : Long.MAX_VALUE).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no image files (.jpg, .jpeg, .png, .bmp, .gif) in " + dir);
        }
        ImagePreprocessor preprocessor = new ImagePreprocessor(preprocessing);
        return new CalibrationSet(files.size(), preprocessor.outputSize()) {
            @Override
            public void fill(int from, int n, float[] dest) {
                for (int i = 0; i < n; i++) {
                    Path file = files.get(from + i);
                    try {
                        preprocessor.preprocessInto(Files.readAllBytes(file), dest, i * imageSize());
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read calibration image " + file, e);
                    } catch (ImageDecodeException e) {
                        throw new IllegalArgumentException("calibration image " + file + " cannot be used: "
                                + e.getMessage(), e);
                    }
                }
            }

            @Override
            public Map<String, Object> describe() {
                return record("image-directory", dir.toAbsolutePath().toString(), count());
            }
        };
    }

    /**
     * Raw grey or RGB images of a labelled data set (e.g. the Fashion-MNIST training split), through the model's
     * preprocessing as raw pixel buffers.
     *
     * @param source what the images are, e.g. {@code fashion-mnist train}
     */
    public static CalibrationSet labeledImages(LabeledImages images, int channels, Preprocessing preprocessing,
            String source, Path path) {
        ImagePreprocessor preprocessor = new ImagePreprocessor(preprocessing);
        return new CalibrationSet(images.count(), preprocessor.outputSize()) {
            @Override
            public void fill(int from, int n, float[] dest) {
                for (int i = 0; i < n; i++) {
                    try {
                        preprocessor.preprocessRawInto(images.image(from + i), images.rows(), images.cols(), channels,
                                dest, i * imageSize());
                    } catch (ImageDecodeException e) {
                        throw new IllegalArgumentException("calibration image " + (from + i) + " of " + source
                                + " cannot be used: " + e.getMessage(), e);
                    }
                }
            }

            @Override
            public Map<String, Object> describe() {
                return record(source, path == null ? null : path.toAbsolutePath().toString(), count());
            }
        };
    }

    /**
     * Standard-normal noise shaped like preprocessed frames: enough to exercise every kernel for speed
     * measurements, meaningless for accuracy (recorded as such in model.json).
     */
    public static CalibrationSet random(int count, int imageSize, long seed) {
        return new CalibrationSet(count, imageSize) {
            @Override
            public void fill(int from, int n, float[] dest) {
                for (int i = 0; i < n; i++) {
                    Random random = new Random(seed + from + i);
                    for (int j = 0; j < imageSize(); j++) {
                        dest[i * imageSize() + j] = (float) random.nextGaussian();
                    }
                }
            }

            @Override
            public Map<String, Object> describe() {
                Map<String, Object> r = record("random-normal", null, count());
                r.put("seed", seed);
                return r;
            }
        };
    }

    private static Map<String, Object> record(String source, String path, int count) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("source", source);
        if (path != null) {
            r.put("path", path);
        }
        r.put("count", count);
        return r;
    }

    private static boolean isImageFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png") || n.endsWith(".bmp")
                || n.endsWith(".gif");
    }
}
