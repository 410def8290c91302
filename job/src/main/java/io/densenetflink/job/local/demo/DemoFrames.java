package io.densenetflink.job.local.demo;

import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.kafka.client.SyntheticPhotos;
import io.densenetflink.model.data.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    /** {@code count} synthetic photo-like JPEG frames of {@code size} x {@code size} (see {@link SyntheticPhotos}). */
    static List<FrameInput> synthetic(int count, int size) {
        return SyntheticPhotos.frames(count, size);
    }

    /** One frame, not counted in the summary, that makes sure the model is loaded before timing starts. */
    static FrameInput warmUp(List<FrameInput> frames) {
        FrameInput first = frames.get(0);
        return new FrameInput(Demo.WARM_UP_ID, first.contentType(), null, first.bytes());
    }
}
