package io.densenetflink.job.demo;

import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.model.data.FashionMnist;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Where the demo's frames come from: labeled Fashion-MNIST, the user's files, or synthetic photos. */
final class DemoFrames {

    private DemoFrames() {}

    /** The labeled sample shipped in the repository (the first test images). */
    static Path shippedSample(Path home) {
        return home.resolve("models/fashion-mnist-sample");
    }

    /**
     * Up to {@code count} labeled Fashion-MNIST test images: the full test set of the Debian package when
     * installed, else the sample shipped in the repository.
     */
    static List<FrameInput> fashionMnist(Path home, int count, StringBuilder note) {
        Path dir = Files.isDirectory(FashionMnist.DEBIAN_DIR) ? FashionMnist.DEBIAN_DIR : shippedSample(home);
        List<FrameInput> frames = FrameInput.ofFashionMnist(dir, FashionMnist.Split.TEST, count);
        note.append("Fashion-MNIST test images from ").append(dir);
        if (frames.size() < count) {
            note.append(" (only ").append(frames.size()).append(" available; install dataset-fashion-mnist for 10,000)");
        }
        return frames;
    }

    /** {@code count} frames cycling over 16 distinct random RGB photos of {@code size} x {@code size}, as JPEG. */
    static List<FrameInput> synthetic(int count, int size) {
        List<byte[]> photos = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < 16; i++) {
            BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
            random.nextBytes(((DataBufferByte) image.getRaster().getDataBuffer()).getData());
            try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
                ImageIO.write(image, "jpg", out);
                photos.add(out.toByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<FrameInput> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] bytes = photos.get(i % photos.size());
            frames.add(new FrameInput("synthetic-" + i, "image/jpeg", null, () -> bytes));
        }
        return frames;
    }

    /** One frame, not counted in the summary, that makes sure the model is loaded before timing starts. */
    static FrameInput warmUp(List<FrameInput> frames) {
        FrameInput first = frames.get(0);
        return new FrameInput(Demo.WARM_UP_ID, first.contentType(), null, first.bytes());
    }
}
