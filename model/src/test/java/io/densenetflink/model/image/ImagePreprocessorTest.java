package io.densenetflink.model.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Decoded values and colour handling, on real encoded images. */
class ImagePreprocessorTest {

    private static final Preprocessing IMAGENET = Preprocessing.imagenet();
    private static final ImagePreprocessor PREPROCESSOR = new ImagePreprocessor(IMAGENET);
    private static final Color PINK = new Color(255, 0, 128);

    @Test
    void solidPngGivesExactNormalisedValuesEverywhere() throws Exception {
        // 300x260: resized to 295x256 then cropped, so the resampling path is used.
        float[] out = PREPROCESSOR.preprocess(TestImages.encode(TestImages.solid(300, 260, PINK), "png"));

        assertEquals(3 * 224 * 224, out.length);
        assertEquals(0, Tensors.maxError(out, IMAGENET, 255, 0, 128), 1e-5);
    }

    @Test
    void solidPngWithoutResizeReadsPixelsDirectly() throws Exception {
        Preprocessing p = Preprocessing.of(3, 0, 20, 30, new float[] {0.1f, 0.2f, 0.3f},
                new float[] {0.5f, 0.6f, 0.7f});
        float[] out = new ImagePreprocessor(p).preprocess(TestImages.encode(TestImages.solid(40, 25, PINK), "png"));

        assertEquals(3 * 20 * 30, out.length);
        assertEquals(0, Tensors.maxError(out, p, 255, 0, 128), 1e-5);
    }

    @Test
    void solidJpegIsCloseToTheColour() throws Exception {
        float[] out = PREPROCESSOR.preprocess(TestImages.jpeg(TestImages.solid(320, 240, PINK), 0.95f));

        assertTrue(Tensors.maxDeviation(out, IMAGENET, 255, 0, 128) <= 8, "JPEG within 8/255");
    }

    @Test
    void channelsAreRedGreenBlueAndColumnsKeepTheirPlace() throws Exception {
        // No resize, crop = whole image: output pixel (y, x) is input pixel (y, x).
        Preprocessing p = Preprocessing.of(3, 0, 32, 64, new float[3], new float[] {1, 1, 1});
        float[] out = new ImagePreprocessor(p)
                .preprocess(TestImages.encode(TestImages.columns(64, 32, Color.RED, Color.BLUE), "png"));

        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 64; x++) {
                boolean left = x < 32;
                assertEquals(left ? 1f : 0f, Tensors.at(out, p, 0, y, x), 1e-6, "R at " + y + "," + x);
                assertEquals(0f, Tensors.at(out, p, 1, y, x), 1e-6, "G at " + y + "," + x);
                assertEquals(left ? 0f : 1f, Tensors.at(out, p, 2, y, x), 1e-6, "B at " + y + "," + x);
            }
        }
    }

    @Test
    void channelOrderSurvivesResampling() throws Exception {
        Preprocessing p = Preprocessing.of(3, 16, 16, 32, new float[3], new float[] {1, 1, 1});
        float[] out = new ImagePreprocessor(p)
                .preprocess(TestImages.encode(TestImages.columns(64, 32, Color.RED, Color.BLUE), "png"));

        for (int y = 0; y < 16; y++) {
            assertEquals(1f, Tensors.at(out, p, 0, y, 2), 1e-6);
            assertEquals(0f, Tensors.at(out, p, 2, y, 2), 1e-6);
            assertEquals(0f, Tensors.at(out, p, 0, y, 29), 1e-6);
            assertEquals(1f, Tensors.at(out, p, 2, y, 29), 1e-6);
        }
    }

    static Stream<Arguments> losslessFormats() {
        BufferedImage pink = TestImages.solid(50, 40, PINK);
        // (255, 0, 153) is in the default 6x6x6 palette of TYPE_BYTE_INDEXED, so it survives exactly.
        BufferedImage palette = TestImages.indexed(TestImages.solid(50, 40, new Color(255, 0, 153)));
        return Stream.of(
                Arguments.of("PNG RGB", TestImages.encode(pink, "png"), new int[] {255, 0, 128}),
                Arguments.of("PNG RGBA opaque",
                        TestImages.encode(TestImages.convert(pink, BufferedImage.TYPE_INT_ARGB), "png"),
                        new int[] {255, 0, 128}),
                Arguments.of("PNG palette", TestImages.encode(palette, "png"), new int[] {255, 0, 153}),
                Arguments.of("GIF", TestImages.encode(palette, "gif"), new int[] {255, 0, 153}),
                Arguments.of("BMP", TestImages.encode(pink, "bmp"), new int[] {255, 0, 128}),
                Arguments.of("PNG grey", TestImages.encode(TestImages.grey(50, 40, 77), "png"),
                        new int[] {77, 77, 77}),
                Arguments.of("PNG grey 16-bit white", TestImages.encode(TestImages.ushortGrey(50, 40, 0xFFFF), "png"),
                        new int[] {255, 255, 255}),
                Arguments.of("PNG grey 16-bit mid", TestImages.encode(TestImages.ushortGrey(50, 40, 0x8080), "png"),
                        new int[] {128, 128, 128}),
                Arguments.of("PNG RGB 16-bit", TestImages.encode(TestImages.component(ColorSpace.CS_sRGB, false,
                        DataBuffer.TYPE_USHORT, 50, 40, 0xFFFF, 0, 0x8080), "png"), new int[] {255, 0, 128}),
                Arguments.of("PNG RGBA 16-bit opaque", TestImages.encode(TestImages.component(ColorSpace.CS_sRGB,
                        true, DataBuffer.TYPE_USHORT, 50, 40, 0xFFFF, 0, 0x8080, 0xFFFF), "png"),
                        new int[] {255, 0, 128}),
                Arguments.of("PNG grey+alpha opaque", TestImages.encode(TestImages.component(ColorSpace.CS_GRAY,
                        true, DataBuffer.TYPE_BYTE, 50, 40, 77, 255), "png"), new int[] {77, 77, 77}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losslessFormats")
    void losslessFormatsDecodeExactly(String label, byte[] encoded, int[] rgb) throws Exception {
        float[] out = PREPROCESSOR.preprocess(encoded);

        assertEquals(0, Tensors.maxError(out, IMAGENET, rgb[0], rgb[1], rgb[2]), 1e-5, label);
    }

    @Test
    void transparencyIsCompositedOverBlack() throws Exception {
        BufferedImage halfPink = TestImages.solid(50, 40, PINK);
        BufferedImage argb = new BufferedImage(50, 40, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 50; x++) {
                argb.setRGB(x, y, (128 << 24) | (halfPink.getRGB(x, y) & 0xFFFFFF));
            }
        }
        float[] rgba = PREPROCESSOR.preprocess(TestImages.encode(argb, "png"));
        float[] greyAlpha = PREPROCESSOR.preprocess(TestImages.encode(
                TestImages.component(ColorSpace.CS_GRAY, true, DataBuffer.TYPE_BYTE, 50, 40, 200, 0), "png"));

        assertTrue(Tensors.maxDeviation(rgba, IMAGENET, 128, 0, 64) <= 1, "RGBA at alpha 128 is half as bright");
        assertEquals(0, Tensors.maxError(greyAlpha, IMAGENET, 0, 0, 0), 1e-5, "fully transparent grey is black");
    }

    @Test
    void greyJpegIsRepeatedInAllChannels() throws Exception {
        float[] out = PREPROCESSOR.preprocess(TestImages.jpeg(TestImages.grey(300, 300, 200), 0.95f));

        assertTrue(Tensors.maxDeviation(out, IMAGENET, 200, 200, 200) <= 2);
    }

    @Test
    void cmykJpegIsConvertedToRgb() throws Exception {
        // C=0, M=255, Y=127, K=0 is (255, 0, 128) in RGB.
        float[] out = PREPROCESSOR.preprocess(TestImages.cmykJpeg(64, 64, 0, 255, 127, 0));

        assertTrue(Tensors.maxDeviation(out, IMAGENET, 255, 0, 128) <= 6);
    }

    @Test
    void greyModelGetsLuminanceOfColourImages() throws Exception {
        Preprocessing p = Preprocessing.of(1, 28, 28, 28, new float[] {0.5f}, new float[] {0.5f});
        ImagePreprocessor grey = new ImagePreprocessor(p);

        float[] fromRgb = grey.preprocess(TestImages.encode(TestImages.solid(100, 80, PINK), "png"));
        float[] fromGrey = grey.preprocess(TestImages.encode(TestImages.grey(100, 80, 77), "png"));
        float[] fromGreyJpeg = grey.preprocess(TestImages.jpeg(TestImages.grey(64, 64, 77), 0.95f));

        assertEquals(28 * 28, fromRgb.length);
        assertEquals(0, Tensors.maxError(fromRgb, p, 0.299 * 255 + 0.114 * 128), 1e-4);
        assertEquals(0, Tensors.maxError(fromGrey, p, 77), 1e-5);
        assertTrue(Tensors.maxDeviation(fromGreyJpeg, p, 77) <= 2);
    }

    @Test
    void oneByOneImageIsScaledUpToTheCrop() throws Exception {
        float[] out = PREPROCESSOR.preprocess(TestImages.encode(TestImages.solid(1, 1, new Color(10, 200, 30)), "png"));

        assertEquals(3 * 224 * 224, out.length);
        assertEquals(0, Tensors.maxError(out, IMAGENET, 10, 200, 30), 1e-5);
    }

    @Test
    void gifGivesTheFirstFrame() throws Exception {
        float[] out = PREPROCESSOR.preprocess(TestImages.twoFrameGif(40, 40, Color.RED, Color.BLUE));

        assertEquals(0, Tensors.maxError(out, IMAGENET, 255, 0, 0), 1e-5);
    }

    @Test
    void preprocessIntoFillsABatchSlotAndNothingElse() throws Exception {
        byte[] red = TestImages.encode(TestImages.solid(60, 60, Color.RED), "png");
        byte[] blue = TestImages.encode(TestImages.solid(60, 60, Color.BLUE), "png");
        int size = PREPROCESSOR.outputSize();
        float[] batch = new float[2 * size + 2];
        batch[0] = 42f;
        batch[batch.length - 1] = 43f;

        PREPROCESSOR.preprocessInto(red, batch, 1);
        PREPROCESSOR.preprocessInto(blue, batch, 1 + size);

        assertEquals(42f, batch[0]);
        assertEquals(43f, batch[batch.length - 1]);
        assertArrayEquals(PREPROCESSOR.preprocess(red), Arrays.copyOfRange(batch, 1, 1 + size));
        assertArrayEquals(PREPROCESSOR.preprocess(blue), Arrays.copyOfRange(batch, 1 + size, 1 + 2 * size));
    }

    @Test
    void preprocessIntoRefusesARangeOutsideTheBufferBeforeDecoding() {
        float[] small = new float[PREPROCESSOR.outputSize()];
        byte[] garbage = {1, 2, 3};

        assertThrows(IndexOutOfBoundsException.class, () -> PREPROCESSOR.preprocessInto(garbage, small, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> PREPROCESSOR.preprocessInto(garbage, small, -1));
        assertThrows(NullPointerException.class, () -> PREPROCESSOR.preprocessInto(garbage, null, 0));
    }

    @Test
    void probeSizeReadsTheHeader() throws Exception {
        assertArrayEquals(new int[] {123, 45},
                PREPROCESSOR.probeSize(TestImages.encode(TestImages.solid(123, 45, PINK), "png")));
        assertArrayEquals(new int[] {77, 300}, PREPROCESSOR.probeSize(TestImages.jpeg(TestImages.solid(77, 300, PINK),
                0.9f)));
        assertArrayEquals(new int[] {100_000, 100_000},
                PREPROCESSOR.probeSize(TestImages.pngHeaderOnly(100_000, 100_000)));
    }

    @Test
    void concurrentCallsGiveTheSameResultsAsSequentialOnes() throws Exception {
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            inputs.add(TestImages.jpeg(TestImages.noisy(90 + 10 * i, 120, i), 0.9f));
        }
        List<float[]> sequential = new ArrayList<>();
        for (byte[] input : inputs) {
            sequential.add(PREPROCESSOR.preprocess(input));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (byte[] input : inputs) {
                    futures.add(pool.submit(() -> PREPROCESSOR.preprocess(input)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertArrayEquals(sequential.get(i % inputs.size()), futures.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
