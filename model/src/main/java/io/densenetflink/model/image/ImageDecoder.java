package io.densenetflink.model.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Encoded bytes to a {@link BufferedImage} through ImageIO, with the size checked from the header before any pixel
 * is decompressed. Callers wrap calls in {@link Guarded} so ImageIO's unchecked failures are mapped too.
 */
final class ImageDecoder {

    /**
     * Formats accepted, by the reader's format names. WBMP is left out on purpose: its signature is two zero bytes,
     * so it "recognises" all sorts of garbage; TIFF (multi-page, many codecs) is outside what this package promises.
     */
    private static final Set<String> ACCEPTED = Set.of("jpeg", "jpg", "png", "bmp", "gif");

    private ImageDecoder() {}

    /** {width, height} as stated by the header; decodes no pixels. */
    static int[] probeSize(byte[] encoded) throws IOException, ImageDecodeException {
        try (Source source = Source.open(encoded)) {
            return new int[] {source.reader.getWidth(0), source.reader.getHeight(0)};
        }
    }

    /**
     * About the most heap decoding the image takes, from its header (no pixel is decompressed): the decoded
     * raster (width x height x bands x bytes per sample, as the reader will lay it out), plus for layouts that
     * {@link StandardImages} rewrites an 8-bit RGB copy, plus the halving steps of a large reduction (at most
     * another width x height bytes).
     */
    static long decodedBytes(byte[] encoded, long maxPixels) throws IOException, ImageDecodeException {
        try (Source source = Source.open(encoded)) {
            ImageReader reader = source.reader;
            checkSize(reader.getWidth(0), reader.getHeight(0), maxPixels); // the pixel limit's refusal comes first
            long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
            long raster = pixels * 4; // ARGB ints, when the reader cannot say
            boolean rewritten = false;
            Iterator<ImageTypeSpecifier> types;
            try {
                types = reader.getImageTypes(0);
            } catch (IOException | RuntimeException e) {
                // Damaged past the size (the PNG reader reads every chunk before the pixels for this): the decode
                // reports what is wrong; weigh it as ARGB meanwhile.
                types = null;
            }
            if (types != null && types.hasNext()) {
                ImageTypeSpecifier type = types.next();
                SampleModel sample = type.getSampleModel(1, 1);
                raster = pixels * sample.getNumDataElements()
                        * Math.max(1, DataBuffer.getDataTypeSize(sample.getDataType()) / 8);
                int kind = type.getBufferedImageType();
                rewritten = kind == BufferedImage.TYPE_CUSTOM || kind == BufferedImage.TYPE_USHORT_GRAY;
            }
            return raster + (rewritten ? pixels * 3 : 0) + pixels;
        }
    }

    /** The first image (first GIF frame), refused if the header states more than {@code maxPixels} pixels. */
    static BufferedImage decode(byte[] encoded, long maxPixels) throws IOException, ImageDecodeException {
        try (Source source = Source.open(encoded)) {
            ImageReader reader = source.reader;
            checkSize(reader.getWidth(0), reader.getHeight(0), maxPixels);
            DecodeWarnings warnings = new DecodeWarnings();
            reader.addIIOReadWarningListener(warnings);
            BufferedImage image = read(reader);
            warnings.check();
            checkSize(image.getWidth(), image.getHeight(), maxPixels);
            return image;
        }
    }

    private static BufferedImage read(ImageReader reader) throws IOException, ImageDecodeException {
        try {
            return reader.read(0);
        } catch (IIOException e) {
            // The JPEG reader's wording for colour layouts it has no conversion for (e.g. 2-component JPEGs).
            if ("Unsupported Image Type".equals(e.getMessage())) {
                throw new ImageDecodeException(ImageErrorReason.UNSUPPORTED_FORMAT, "the " + formatName(reader)
                        + " decoder cannot convert this image's colour layout (Unsupported Image Type)", e);
            }
            throw e;
        }
    }

    private static void checkSize(int width, int height, long maxPixels) throws ImageDecodeException {
        if (width <= 0 || height <= 0) {
            throw new ImageDecodeException(ImageErrorReason.CORRUPT,
                    "image states a size of " + width + "x" + height + " pixels");
        }
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new ImageDecodeException(ImageErrorReason.TOO_LARGE, "image is " + width + "x" + height + " = "
                    + pixels + " pixels, more than the limit of " + maxPixels + " (Preprocessing.maxPixels)");
        }
    }

    private static String formatName(ImageReader reader) {
        try {
            return reader.getFormatName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return reader.getClass().getSimpleName();
        }
    }

    private static boolean accepted(ImageReader reader) {
        if (reader.getOriginatingProvider() == null) {
            return false;
        }
        for (String name : reader.getOriginatingProvider().getFormatNames()) {
            if (ACCEPTED.contains(name.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /** An in-memory stream and the reader attached to it, released together. */
    private static final class Source implements AutoCloseable {
        final ImageInputStream stream;
        final ImageReader reader;

        private Source(ImageInputStream stream, ImageReader reader) {
            this.stream = stream;
            this.reader = reader;
        }

        static Source open(byte[] encoded) throws IOException, ImageDecodeException {
            if (encoded == null || encoded.length == 0) {
                throw new ImageDecodeException(ImageErrorReason.EMPTY,
                        encoded == null ? "no image bytes (null)" : "no image bytes (length 0)");
            }
            // Memory-cached stream directly: ImageIO.createImageInputStream may spill to a temp file.
            ImageInputStream stream = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded));
            ImageReader reader = null;
            try {
                reader = pickReader(stream, encoded);
                // Forward-only and no metadata: we read image 0 once and never look at text chunks or EXIF.
                reader.setInput(stream, true, true);
                return new Source(stream, reader);
            } catch (ImageDecodeException | RuntimeException e) {
                if (reader != null) {
                    reader.dispose();
                }
                stream.close();
                throw e;
            }
        }

        private static ImageReader pickReader(ImageInputStream stream, byte[] encoded)
                throws ImageDecodeException {
            String refused = null;
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            while (readers.hasNext()) {
                ImageReader reader = readers.next();
                if (accepted(reader)) {
                    return reader;
                }
                if (refused == null) {
                    refused = formatName(reader);
                }
                reader.dispose();
            }
            String detail = refused != null
                    ? "image format '" + refused + "' is not accepted (accepted: JPEG, PNG, BMP, GIF)"
                    : "no image decoder recognises these " + encoded.length + " bytes (first bytes: "
                            + hexPrefix(encoded) + ")";
            throw new ImageDecodeException(ImageErrorReason.UNSUPPORTED_FORMAT, detail);
        }

        private static String hexPrefix(byte[] bytes) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Math.min(8, bytes.length); i++) {
                sb.append(String.format("%02x", bytes[i] & 0xFF));
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            try {
                reader.dispose();
            } finally {
                stream.close();
            }
        }
    }
}
