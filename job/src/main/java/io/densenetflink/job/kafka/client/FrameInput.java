package io.densenetflink.job.kafka.client;

import io.densenetflink.model.data.FashionMnist;
import io.densenetflink.model.data.LabeledImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * One frame to send to the input topic: its id (header {@code frame-id}), media type (header {@code
 * content-type}), optional ground truth (header {@code label}) and a way to read its bytes when it is sent, so a
 * long list of inputs does not sit in memory.
 */
public record FrameInput(String frameId, String contentType, String label, BytesSource bytes) {

    /** Reads the frame's encoded bytes. */
    @FunctionalInterface
    public interface BytesSource {
        byte[] read() throws IOException;
    }

    public FrameInput {
        Objects.requireNonNull(frameId, "frameId");
        Objects.requireNonNull(bytes, "bytes");
    }

    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "jpg", "image/jpeg", "jpeg", "image/jpeg", "png", "image/png", "bmp", "image/bmp", "gif", "image/gif",
            "webp", "image/webp", "tif", "image/tiff", "tiff", "image/tiff");

    /** The usual file extension of each media type {@link #CONTENT_TYPES} knows. */
    private static final Map<String, String> EXTENSIONS = Map.of("image/jpeg", "jpg", "image/png", "png",
            "image/bmp", "bmp", "image/gif", "gif", "image/webp", "webp", "image/tiff", "tif");

    /**
     * Writes the frame's bytes to {@code dir} as its frame id plus the extension of its media type ({@code .bin}
     * when the type is unknown), so the image tools read it as what it is; returns the file.
     */
    public Path saveTo(Path dir) throws IOException {
        String ext = EXTENSIONS.getOrDefault(contentType == null ? "" : contentType, "bin");
        String name = frameId.replaceAll("[^A-Za-z0-9._-]", "_");
        Path file = dir.resolve(name.endsWith("." + ext) ? name : name + "." + ext);
        Files.write(file, bytes.read());
        return file;
    }

    /** The media type for a file name's extension; {@code application/octet-stream} when unknown. */
    public static String contentTypeOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return CONTENT_TYPES.getOrDefault(ext, "application/octet-stream");
    }

    /**
     * Frames for image files and directories: a directory stands for its regular files (not its subdirectories,
     * not hidden files), sorted by name; the frame id is the file name. Every path is checked before anything is
     * read: a missing one is an error naming it.
     */
    public static List<FrameInput> ofPaths(List<Path> paths) throws IOException {
        List<FrameInput> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                List<Path> files;
                try (Stream<Path> s = Files.list(p)) {
                    files = s.filter(Files::isRegularFile)
                            .filter(f -> !f.getFileName().toString().startsWith("."))
                            .sorted(Comparator.comparing(f -> f.getFileName().toString()))
                            .toList();
                }
                for (Path f : files) {
                    out.add(ofFile(f));
                }
            } else if (Files.isRegularFile(p)) {
                out.add(ofFile(p));
            } else {
                throw new FileNotFoundException("no such file or directory: " + p);
            }
        }
        return out;
    }

    /** A frame for one image file: id = file name, content type from the extension. */
    public static FrameInput ofFile(Path file) {
        String name = file.getFileName().toString();
        return new FrameInput(name, contentTypeOf(name), null, () -> Files.readAllBytes(file));
    }

    /**
     * Frames for the first {@code limit} images of a Fashion-MNIST split in {@code dir} (IDX files, gzipped or
     * not), each encoded as a 28x28 grey PNG when sent, with header {@code label} = its class index and frame id
     * {@code fashion-mnist-<split>-<index>}.
     *
     * @param limit how many (at most); 0 or less for all
     */
    public static List<FrameInput> ofFashionMnist(Path dir, FashionMnist.Split split, int limit) {
        LabeledImages data = FashionMnist.load(dir, split);
        int n = limit > 0 ? Math.min(limit, data.count()) : data.count();
        List<FrameInput> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            out.add(new FrameInput(String.format(Locale.ROOT, "fashion-mnist-%s-%05d", split.prefix(), i), "image/png",
                    Integer.toString(data.label(i)), () -> greyPng(data.image(index), data.rows(), data.cols())));
        }
        return out;
    }

    /** Encodes grey pixels (row-major, one byte each, 0 = black) as an 8-bit grey PNG. */
    public static byte[] greyPng(byte[] pixels, int rows, int cols) {
        if (pixels.length != rows * cols) {
            throw new IllegalArgumentException(pixels.length + " pixels for " + rows + "x" + cols);
        }
        ImageIO.setUseCache(false); // encode in memory, not through a temporary file
        BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, cols, rows, pixels);
        ByteArrayOutputStream out = new ByteArrayOutputStream(pixels.length + 128);
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JDK");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
