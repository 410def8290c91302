package io.densenetflink.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {

    @TempDir
    Path dir;

    static LabeledImages random(int count, int rows, int cols, long seed) {
        Random rng = new Random(seed);
        byte[] pixels = new byte[count * rows * cols];
        rng.nextBytes(pixels);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) rng.nextInt(10);
        }
        return new LabeledImages(pixels, labels, rows, cols);
    }

    private static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void roundTripsImagesAndLabelsGzippedOrPlain(boolean gzip) throws IOException {
        LabeledImages data = random(7, 28, 28, 1);
        Path images = dir.resolve("images");
        Path labels = dir.resolve("labels");
        IdxWriter.writeImages(images, data, gzip);
        IdxWriter.writeLabels(labels, data, gzip);
        assertEquals(gzip, IdxReader.isGzip(images));
        LabeledImages back = IdxReader.readPair(images, labels);
        assertEquals(7, back.count());
        assertEquals(28, back.rows());
        assertEquals(28, back.cols());
        assertArrayEquals(data.pixels(), back.pixels());
        assertArrayEquals(data.labels(), back.labels());
    }

    @Test
    void gzipIsRecognisedByContentNotName() throws IOException {
        LabeledImages data = random(3, 4, 5, 2);
        Path plainNamedGz = dir.resolve("x.gz");
        IdxWriter.writeImages(plainNamedGz, data, false);
        assertEquals(3, IdxReader.readImages(plainNamedGz).count());
        Path gzNamedPlain = dir.resolve("y");
        IdxWriter.writeImages(gzNamedPlain, data, true);
        IdxReader.ImageFile f = IdxReader.readImages(gzNamedPlain);
        assertEquals(4, f.rows());
        assertEquals(5, f.cols());
    }

    @Test
    void wrongMagicNamesFileAndBothNumbers() throws IOException {
        LabeledImages data = random(3, 4, 4, 3);
        Path labels = dir.resolve("labels.gz");
        IdxWriter.writeLabels(labels, data, true);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(labels));
        assertTrue(e.getMessage().contains(labels.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("wrong magic number 2049"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 2051"), e.getMessage());

        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, this is not an IDX file");
        DatasetException e2 = assertThrows(DatasetException.class, () -> IdxReader.readLabels(text));
        assertTrue(e2.getMessage().contains("not an IDX file"), e2.getMessage());
    }

    @Test
    void imageAndLabelCountsMustMatch() throws IOException {
        LabeledImages data = random(10, 4, 4, 4);
        Path images = dir.resolve("images");
        Path labels = dir.resolve("labels");
        IdxWriter.writeImages(images, data, true);
        IdxWriter.writeLabels(labels, data.first(9), true);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readPair(images, labels));
        assertTrue(e.getMessage().contains("10 images"), e.getMessage());
        assertTrue(e.getMessage().contains("9 labels"), e.getMessage());
    }

    @Test
    void truncatedPlainFileIsRefused() throws IOException {
        byte[] full = idx(IdxReader.IMAGES_MAGIC, new int[] {5, 4, 4}, new byte[80]);
        Path file = dir.resolve("short");
        Files.write(file, Arrays.copyOf(full, full.length - 7));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(file));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("5 images of 4x4"), e.getMessage());
        assertTrue(e.getMessage().contains("only 73 bytes"), e.getMessage());

        Path header = dir.resolve("header");
        Files.write(header, Arrays.copyOf(full, 10));
        DatasetException h = assertThrows(DatasetException.class, () -> IdxReader.readImages(header));
        assertTrue(h.getMessage().contains("ends inside its header"), h.getMessage());
    }

    @Test
    void truncatedGzipFileIsRefused() throws IOException {
        byte[] gz = gzip(idx(IdxReader.IMAGES_MAGIC, new int[] {50, 28, 28}, new byte[50 * 784]));
        Path cut = dir.resolve("cut.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(cut));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        // complete gzip stream of a truncated IDX payload
        Path shortPayload = dir.resolve("short-payload.gz");
        Files.write(shortPayload, gzip(Arrays.copyOf(idx(IdxReader.LABELS_MAGIC, new int[] {50}, new byte[50]), 30)));
        DatasetException s = assertThrows(DatasetException.class, () -> IdxReader.readLabels(shortPayload));
        assertTrue(s.getMessage().contains("truncated"), s.getMessage());
        assertTrue(s.getMessage().contains("50 labels"), s.getMessage());
    }

    @Test
    void trailingDataIsRefused() throws IOException {
        byte[] full = idx(IdxReader.LABELS_MAGIC, new int[] {3}, new byte[] {1, 2, 3});
        Path file = dir.resolve("long");
        Files.write(file, Arrays.copyOf(full, full.length + 2));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readLabels(file));
        assertTrue(e.getMessage().contains("unexpected data after"), e.getMessage());
    }

    @Test
    void missingFileAndDirectoryAreNamed() {
        Path missing = dir.resolve("nope-images");
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(missing));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertThrows(DatasetException.class, () -> IdxReader.readImages(dir));
    }

    @Test
    void datasetExceptionIsAnIllegalArgument() {
        assertTrue(IllegalArgumentException.class.isAssignableFrom(DatasetException.class));
        assertFalse(new DatasetException("x").getMessage().isEmpty());
    }
}
