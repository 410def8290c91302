package io.densenetflink.model.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Raw HWC pixels: shape checks, channel order, and agreement with the encoded path. */
class RawPreprocessTest {

    private static final Preprocessing IDENTITY_64x32 =
            Preprocessing.of(3, 0, 32, 64, new float[3], new float[] {1, 1, 1});

    @Test
    void rawRgbKeepsChannelOrderWithoutResampling() throws Exception {
        byte[] pixels = TestImages.hwc(TestImages.columns(64, 32, Color.RED, Color.BLUE), 3);
        float[] out = new ImagePreprocessor(IDENTITY_64x32).preprocessRaw(pixels, 32, 64, 3);

        assertEquals(1f, Tensors.at(out, IDENTITY_64x32, 0, 5, 10));
        assertEquals(0f, Tensors.at(out, IDENTITY_64x32, 2, 5, 10));
        assertEquals(0f, Tensors.at(out, IDENTITY_64x32, 0, 5, 50));
        assertEquals(1f, Tensors.at(out, IDENTITY_64x32, 2, 5, 50));
    }

    @Test
    void rawMatchesTheSameImageEncodedAsPng() throws Exception {
        BufferedImage image = TestImages.noisy(97, 61, 7);
        ImagePreprocessor imagenet = new ImagePreprocessor(Preprocessing.imagenet());

        assertArrayEquals(imagenet.preprocess(TestImages.encode(image, "png")),
                imagenet.preprocessRaw(TestImages.hwc(image, 3), 61, 97, 3), 1e-6f);

        ImagePreprocessor identity = new ImagePreprocessor(Preprocessing.of(3, 0, 61, 97, new float[3],
                new float[] {1, 1, 1}));
        assertArrayEquals(identity.preprocess(TestImages.encode(image, "png")),
                identity.preprocessRaw(TestImages.hwc(image, 3), 61, 97, 3), 1e-6f);
    }

    @Test
    void rawGreyAndRawRgbFeedEitherModel() throws Exception {
        Preprocessing greyModel = Preprocessing.of(1, 28, 28, 28, new float[] {0f}, new float[] {1f});
        byte[] grey = TestImages.hwc(TestImages.grey(40, 30, 77), 1);
        byte[] pink = TestImages.hwc(TestImages.solid(40, 30, new Color(255, 0, 128)), 3);

        float[] greyToRgb = new ImagePreprocessor(Preprocessing.imagenet()).preprocessRaw(grey, 30, 40, 1);
        float[] rgbToGrey = new ImagePreprocessor(greyModel).preprocessRaw(pink, 30, 40, 3);

        assertEquals(0, Tensors.maxError(greyToRgb, Preprocessing.imagenet(), 77, 77, 77), 1e-5);
        assertEquals(0, Tensors.maxError(rgbToGrey, greyModel, 0.299 * 255 + 0.114 * 128), 1e-4);
    }

    @Test
    void rawInputIsNotModified() throws Exception {
        byte[] pixels = TestImages.hwc(TestImages.noisy(50, 40, 3), 3);
        byte[] copy = pixels.clone();

        new ImagePreprocessor(Preprocessing.imagenet()).preprocessRaw(pixels, 40, 50, 3);

        assertArrayEquals(copy, pixels);
    }

    @Test
    void shapeMismatchIsBadShape() {
        ImagePreprocessor p = new ImagePreprocessor(Preprocessing.imagenet());
        byte[] pixels = new byte[10 * 10 * 3];

        assertReason(ImageErrorReason.BAD_SHAPE, () -> p.preprocessRaw(pixels, 10, 11, 3));
        assertReason(ImageErrorReason.BAD_SHAPE, () -> p.preprocessRaw(pixels, 10, 10, 1));
        assertReason(ImageErrorReason.BAD_SHAPE, () -> p.preprocessRaw(pixels, 10, 10, 2));
        assertReason(ImageErrorReason.BAD_SHAPE, () -> p.preprocessRaw(pixels, 0, 100, 3));
        assertReason(ImageErrorReason.BAD_SHAPE, () -> p.preprocessRaw(pixels, -10, -10, 3));
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> p.preprocessRaw(pixels, 10, 11, 3));
        assertTrue(e.detail().contains("needs 330 bytes, got 300"), e.detail());
    }

    @Test
    void noBytesIsEmptyAndTooManyPixelsIsTooLarge() {
        ImagePreprocessor p = new ImagePreprocessor(Preprocessing.imagenet().withMaxPixels(99));

        assertReason(ImageErrorReason.EMPTY, () -> p.preprocessRaw(null, 10, 10, 3));
        assertReason(ImageErrorReason.EMPTY, () -> p.preprocessRaw(new byte[0], 10, 10, 3));
        assertReason(ImageErrorReason.TOO_LARGE, () -> p.preprocessRaw(new byte[300], 10, 10, 3));
    }

    private static void assertReason(ImageErrorReason reason, org.junit.jupiter.api.function.Executable call) {
        assertEquals(reason, assertThrows(ImageDecodeException.class, call).reason());
    }
}
