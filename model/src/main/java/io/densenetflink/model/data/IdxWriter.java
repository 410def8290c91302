package io.densenetflink.model.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes IDX image and label files (unsigned bytes), optionally gzipped; the inverse of {@link IdxReader}. */
public final class IdxWriter {

    private IdxWriter() {}

    /** Writes {@code data}'s images as an IDX image file (magic 2051). */
    public static void writeImages(Path file, LabeledImages data, boolean gzip) throws IOException {
        try (DataOutputStream out = open(file, gzip)) {
            out.writeInt(IdxReader.IMAGES_MAGIC);
            out.writeInt(data.count());
            out.writeInt(data.rows());
            out.writeInt(data.cols());
            out.write(data.pixels());
        }
    }

    /** Writes {@code data}'s labels as an IDX label file (magic 2049). */
    public static void writeLabels(Path file, LabeledImages data, boolean gzip) throws IOException {
        try (DataOutputStream out = open(file, gzip)) {
            out.writeInt(IdxReader.LABELS_MAGIC);
            out.writeInt(data.count());
            out.write(data.labels());
        }
    }

    private static DataOutputStream open(Path file, boolean gzip) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream raw = Files.newOutputStream(file);
        return new DataOutputStream(new BufferedOutputStream(gzip ? new GZIPOutputStream(raw, 1 << 16) : raw,
                1 << 16));
    }
}
