package io.densenetflink.model.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Resize and centre-crop geometry, through the public API and the planner. */
class ResizeCropTest {

    private static final Preprocessing IMAGENET = Preprocessing.imagenet();
    private static final ImagePreprocessor PREPROCESSOR = new ImagePreprocessor(IMAGENET);

    @Test
    void wideImageIsCroppedToItsMiddle() throws Exception {
        // 512x256 is already 256 on its shorter side: the crop is x 144..367 of red 0..169 | green 170..339 |
        // blue 340..511, so red ends at output column 25 and blue starts at 196.
        float[] out = PREPROCESSOR.preprocess(
                TestImages.encode(TestImages.columns(512, 256, Color.RED, Color.GREEN, Color.BLUE), "png"));

        assertEquals(3 * 224 * 224, out.length);
        for (int y : new int[] {0, 111, 223}) {
            assertColour(out, y, 0, 255, 0, 0);
            assertColour(out, y, 25, 255, 0, 0);
            assertColour(out, y, 26, 0, 255, 0);
            assertColour(out, y, 195, 0, 255, 0);
            assertColour(out, y, 196, 0, 0, 255);
            assertColour(out, y, 223, 0, 0, 255);
        }
    }

    @Test
    void largeWideImageIsShrunkThenCroppedToItsMiddle() throws Exception {
        // 2048x1024 (thirds at 682 and 1364) shrinks 4x to 512x256 (one halving, then bilinear): the thirds end
        // at 170.5 and 341 there, so in the crop from x 144 red covers columns up to 25 and blue starts at 197.
        float[] out = PREPROCESSOR.preprocess(
                TestImages.encode(TestImages.columns(2048, 1024, Color.RED, Color.GREEN, Color.BLUE), "png"));

        for (int y : new int[] {0, 111, 223}) {
            assertColour(out, y, 0, 255, 0, 0);
            assertColour(out, y, 24, 255, 0, 0);
            assertColour(out, y, 28, 0, 255, 0);
            assertColour(out, y, 195, 0, 255, 0);
            assertColour(out, y, 198, 0, 0, 255);
            assertColour(out, y, 223, 0, 0, 255);
        }
    }

    @Test
    void tallImageIsCroppedToItsMiddleRows() throws Exception {
        float[] out = PREPROCESSOR.preprocess(
                TestImages.encode(TestImages.rows(256, 512, Color.RED, Color.GREEN, Color.BLUE), "png"));

        for (int x : new int[] {0, 111, 223}) {
            assertColour(out, 25, x, 255, 0, 0);
            assertColour(out, 26, x, 0, 255, 0);
            assertColour(out, 195, x, 0, 255, 0);
            assertColour(out, 196, x, 0, 0, 255);
        }
    }

    @Test
    void bigReductionsAreAntialiased() throws Exception {
        // Stripes 3 px on, 3 px off, shrunk 4x. Bilinear alone samples 2 source columns per output column and
        // swings between black and white; halving first keeps every output column within 0.25 of mid grey.
        BufferedImage stripes = new BufferedImage(1024, 1024, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 1024; y++) {
            for (int x = 0; x < 1024; x++) {
                stripes.getRaster().setSample(x, y, 0, (x / 3) % 2 == 0 ? 255 : 0);
            }
        }
        float[] out = PREPROCESSOR.preprocess(TestImages.encode(stripes, "png"));

        for (int x = 0; x < 224; x++) {
            double v = Tensors.pixel(out, IMAGENET, 0, 100, x);
            assertTrue(Math.abs(v - 127.5) <= 0.25 * 255 + 1, "column " + x + " = " + v);
        }
    }

    @Test
    void plannerFollowsTorchvisionSizes() {
        CropGeometry wide = CropGeometry.plan(640, 480, IMAGENET);
        // Shorter side 480 -> 256, longer floor(256 * 640 / 480) = 341; crop offsets (341-224)/2, (256-224)/2.
        assertEquals(341.0 / 640, wide.scaleX(), 1e-12);
        assertEquals(256.0 / 480, wide.scaleY(), 1e-12);
        assertEquals(58, wide.cropX());
        assertEquals(16, wide.cropY());

        CropGeometry same = CropGeometry.plan(256, 300, IMAGENET);
        assertTrue(same.keepsSize());
        assertEquals(16, same.cropX());
        assertEquals(38, same.cropY());
    }

    @Test
    void plannerScalesUpInsteadOfPadding() {
        // No resize requested, 100x50 is narrower and shorter than the 224x224 crop: scaled up to 448x224.
        Preprocessing noResize = Preprocessing.of(3, 0, 224, 224, new float[3], new float[] {1, 1, 1});
        CropGeometry g = CropGeometry.plan(100, 50, noResize);
        assertEquals(4.48, g.scaleX(), 1e-9);
        assertEquals(4.48, g.scaleY(), 1e-9);
        assertEquals(112, g.cropX());
        assertEquals(0, g.cropY());

        // A resize smaller than the crop (shorter side 32 < 64) is also lifted to cover the crop.
        Preprocessing smallResize = Preprocessing.of(3, 32, 64, 64, new float[3], new float[] {1, 1, 1});
        CropGeometry lifted = CropGeometry.plan(200, 100, smallResize);
        assertEquals(0.64, lifted.scaleX(), 1e-9);
        assertEquals(0.64, lifted.scaleY(), 1e-9);
    }

    @Test
    void extremeAspectRatioOnlyRendersTheCrop() throws Exception {
        // 1 x 4000 resized to 256 wide would be 256 x 1,024,000: far too big to render whole.
        float[] out = PREPROCESSOR.preprocess(TestImages.encode(TestImages.solid(1, 4000, Color.GREEN), "png"));

        assertEquals(0, Tensors.maxError(out, IMAGENET, 0, 255, 0), 1e-5);
    }

    private static void assertColour(float[] out, int y, int x, int r, int g, int b) {
        for (int c = 0; c < 3; c++) {
            double got = Tensors.pixel(out, IMAGENET, c, y, x);
            int want = c == 0 ? r : c == 1 ? g : b;
            assertEquals(want, got, 1.0, "channel " + c + " at y=" + y + " x=" + x);
        }
    }
}
