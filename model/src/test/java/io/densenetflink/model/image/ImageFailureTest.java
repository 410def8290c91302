package io.densenetflink.model.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad input is always an ImageDecodeException with the right reason, and never anything else. */
class ImageFailureTest {

    private static final ImagePreprocessor PREPROCESSOR = new ImagePreprocessor(Preprocessing.imagenet());

    @Test
    void nullAndNoBytesAreEmpty() {
        assertFails(ImageErrorReason.EMPTY, null);
        assertFails(ImageErrorReason.EMPTY, new byte[0]);
        assertEquals(ImageErrorReason.EMPTY,
                assertThrows(ImageDecodeException.class, () -> PREPROCESSOR.probeSize(new byte[0])).reason());
    }

    @Test
    void textAndRandomBytesAreUnsupported() {
        byte[] text = "label,score\ncat,0.93\ndog,0.07\n".getBytes(StandardCharsets.UTF_8);
        byte[] random = new byte[4096];
        new Random(1234).nextBytes(random);

        ImageDecodeException e = assertFails(ImageErrorReason.UNSUPPORTED_FORMAT, text);
        assertTrue(e.detail().contains("no image decoder recognises"), e.detail());
        assertFails(ImageErrorReason.UNSUPPORTED_FORMAT, random);
        assertEquals(ImageErrorReason.UNSUPPORTED_FORMAT,
                assertThrows(ImageDecodeException.class, () -> PREPROCESSOR.probeSize(random)).reason());
    }

    @Test
    void formatsOutsideTheAcceptedListAreUnsupported() {
        BufferedImage binary = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_BINARY);

        ImageDecodeException wbmp = assertFails(ImageErrorReason.UNSUPPORTED_FORMAT,
                TestImages.encode(binary, "wbmp"));
        ImageDecodeException tiff = assertFails(ImageErrorReason.UNSUPPORTED_FORMAT,
                TestImages.encode(TestImages.solid(16, 16, Color.RED), "tiff"));

        assertTrue(wbmp.detail().contains("'wbmp' is not accepted"), wbmp.detail());
        assertTrue(tiff.detail().contains("is not accepted"), tiff.detail());
    }

    @Test
    void jpegWithAColourLayoutTheJdkCannotConvertIsUnsupported() {
        // Two components: neither grey, RGB/YCbCr nor CMYK.
        ImageDecodeException e = assertFails(ImageErrorReason.UNSUPPORTED_FORMAT,
                TestImages.rasterJpeg(16, 16, 10, 20));

        assertTrue(e.detail().contains("colour layout"), e.detail());
    }

    @Test
    void jpegCutInHalfIsCorrupt() {
        byte[] jpeg = TestImages.jpeg(TestImages.noisy(256, 256, 1), 0.9f);

        // The JDK fills the missing half with grey and only warns; that warning must count as damage.
        ImageDecodeException e = assertFails(ImageErrorReason.CORRUPT, Arrays.copyOf(jpeg, jpeg.length / 2));
        assertTrue(e.detail().contains("truncated or damaged"), e.detail());
    }

    @Test
    void jpegMissingOnlyItsEndMarkerIsCorrupt() {
        byte[] jpeg = TestImages.jpeg(TestImages.noisy(64, 64, 2), 0.9f);

        assertFails(ImageErrorReason.CORRUPT, Arrays.copyOf(jpeg, jpeg.length - 2));
    }

    @Test
    void truncatedPngGifAndBmpAreCorrupt() {
        BufferedImage image = TestImages.noisy(128, 128, 3);
        byte[] png = TestImages.encode(image, "png");
        byte[] gif = TestImages.encode(TestImages.indexed(image), "gif");
        byte[] bmp = TestImages.encode(image, "bmp");

        assertFails(ImageErrorReason.CORRUPT, Arrays.copyOf(png, png.length / 2));
        assertFails(ImageErrorReason.CORRUPT, Arrays.copyOf(gif, gif.length / 2));
        assertFails(ImageErrorReason.CORRUPT, Arrays.copyOf(bmp, bmp.length / 2));
    }

    @Test
    void zeroSizedImageIsCorrupt() {
        assertFails(ImageErrorReason.CORRUPT, TestImages.pngHeaderOnly(0, 10));
        assertFails(ImageErrorReason.CORRUPT, TestImages.pngHeaderOnly(10, 0));
    }

    @Test
    void hugeHeaderIsRefusedBeforeDecoding() throws Exception {
        byte[] bomb = TestImages.pngHeaderOnly(100_000, 100_000);
        // Warm up ImageIO's plugin registry so the timing below measures the check alone.
        PREPROCESSOR.probeSize(TestImages.encode(TestImages.solid(2, 2, Color.RED), "png"));

        long start = System.nanoTime();
        ImageDecodeException e = assertFails(ImageErrorReason.TOO_LARGE, bomb);
        long millis = (System.nanoTime() - start) / 1_000_000;

        // The file has no pixel data: had decoding started it would have failed as CORRUPT.
        assertTrue(e.detail().contains("100000x100000"), e.detail());
        assertTrue(e.detail().contains("50000000"), e.detail());
        assertTrue(millis < 1000, "took " + millis + " ms");
    }

    @Test
    void maxPixelsCanBeLowered() throws Exception {
        byte[] png = TestImages.encode(TestImages.solid(100, 100, Color.RED), "png");
        Preprocessing base = Preprocessing.imagenet();

        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> new ImagePreprocessor(base.withMaxPixels(9_999)).preprocess(png));
        assertEquals(ImageErrorReason.TOO_LARGE, e.reason());
        assertEquals(base.outputSize(), new ImagePreprocessor(base.withMaxPixels(10_000)).preprocess(png).length);
    }

    @Test
    @Timeout(60)
    void mutatedImagesNeverThrowAnythingElse() {
        BufferedImage image = TestImages.noisy(48, 40, 4);
        byte[][] seeds = {
            TestImages.jpeg(image, 0.8f),
            TestImages.encode(image, "png"),
            TestImages.encode(TestImages.indexed(image), "gif"),
            TestImages.encode(image, "bmp"),
            TestImages.encode(TestImages.grey(48, 40, 90), "png"),
        };
        // A low limit keeps mutated headers from asking for big allocations.
        ImagePreprocessor small = new ImagePreprocessor(Preprocessing.imagenet().withMaxPixels(1_000_000));
        Random random = new Random(99);
        int failures = 0;
        for (int round = 0; round < 300; round++) {
            byte[] mutated = seeds[round % seeds.length].clone();
            int flips = 1 + random.nextInt(8);
            for (int i = 0; i < flips; i++) {
                // Bias towards the header, where parsers are most fragile.
                int at = random.nextBoolean() ? random.nextInt(Math.min(64, mutated.length))
                        : random.nextInt(mutated.length);
                mutated[at] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                mutated = Arrays.copyOf(mutated, 1 + random.nextInt(mutated.length));
            }
            try {
                small.preprocess(mutated);
            } catch (ImageDecodeException expected) {
                failures++;
            }
        }
        assertTrue(failures > 0, "some mutations must be refused");
    }

    @Test
    void bmpWithImpossibleHeaderIsCorrupt() {
        byte[] bmp = TestImages.encode(TestImages.solid(8, 8, Color.RED), "bmp");
        // BITMAPINFOHEADER: width at 18, height at 22, bits per pixel at 28 (little-endian).
        ByteBuffer.wrap(bmp).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(28, (short) 7);

        ImageDecodeException e = assertFails(ImageErrorReason.CORRUPT, bmp);
        assertTrue(e.detail().contains("bits per pixel"), e.detail());
    }

    private static ImageDecodeException assertFails(ImageErrorReason reason, byte[] input) {
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> PREPROCESSOR.preprocess(input));
        assertEquals(reason, e.reason(), e::toString);
        assertEquals(e.getMessage(), e.detail());
        return e;
    }
}
