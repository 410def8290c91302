package io.densenetflink.model.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.io.ByteArrayInputStream;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: decoding had a pixel limit but no memory budget (a 400 KB 16-bit RGBA PNG of 50 Mpx decodes to about
 * 550 MB). {@link ImagePreprocessor#decodedBytes} tells from the header how much heap a decode takes, at least the
 * decoded raster, for every layout a producer can send.
 */
class DecodedBytesTest {

    private final ImagePreprocessor preprocessor = new ImagePreprocessor(Preprocessing.imagenet());

    @Test
    void theEstimateCoversTheDecodedRasterOfEveryLayout() throws Exception {
        Map<String, byte[]> images = Map.of(
                "8-bit RGB JPEG", TestImages.jpeg(TestImages.noisy(640, 480, 1), 0.9f),
                "8-bit grey PNG", TestImages.encode(TestImages.grey(640, 480, 90), "png"),
                "16-bit grey PNG", TestImages.encode(TestImages.ushortGrey(640, 480, 3000), "png"),
                "16-bit RGBA PNG", TestImages.encode(TestImages.component(ColorSpace.CS_sRGB, true,
                        DataBuffer.TYPE_USHORT, 640, 480, 1000, 2000, 3000, 65535), "png"),
                "palette GIF", TestImages.encode(TestImages.indexed(TestImages.solid(640, 480, Color.RED)), "gif"),
                "RGB BMP", TestImages.encode(TestImages.noisy(640, 480, 2), "bmp"));
        for (Map.Entry<String, byte[]> image : images.entrySet()) {
            long estimate = preprocessor.decodedBytes(image.getValue());
            long raster = rasterBytes(ImageIO.read(new ByteArrayInputStream(image.getValue())));
            assertTrue(estimate >= raster, image.getKey() + ": estimated " + estimate + " < raster " + raster);
            assertTrue(estimate <= raster * 3 + 640 * 480 * 4, image.getKey() + ": estimated " + estimate
                    + ", raster " + raster);
        }
    }

    @Test
    void aSixteenBitRgbaPngIsWeighedFromItsHeaderAtEightBytesAPixel() throws Exception {
        // The frame: 7071 x 7071, 16 bits x 4 bands; only the header is read, no pixel decoded.
        long estimate = preprocessor.decodedBytes(TestImages.pngWithoutPixels(7071, 7071, 16, 6));
        assertTrue(estimate >= 7071L * 7071 * 8, "16-bit RGBA: " + estimate);
        long rgb = preprocessor.decodedBytes(TestImages.pngWithoutPixels(7071, 7071, 8, 2));
        assertTrue(rgb >= 7071L * 7071 * 3 && rgb < estimate, "8-bit RGB: " + rgb);
    }

    /**
     * A header claiming more pixels than the model's limit is TOO_LARGE from the weighing too (BadInputTest saw
     * CORRUPT: the PNG reader reads every chunk before the pixels to say its layout, and a header-only file ends).
     */
    @Test
    void theWeighingRefusesAboveThePixelLimitAndWeighsAFileCutAfterItsHeader() throws Exception {
        ImageDecodeException e = org.junit.jupiter.api.Assertions.assertThrows(ImageDecodeException.class,
                () -> preprocessor.decodedBytes(TestImages.pngHeaderOnly(100_000, 100_000)));
        org.junit.jupiter.api.Assertions.assertEquals(ImageErrorReason.TOO_LARGE, e.reason());
        assertTrue(preprocessor.decodedBytes(TestImages.pngHeaderOnly(1000, 1000)) >= 1000L * 1000 * 3,
                "a file that ends after its header is weighed, and its decode says what is wrong");
    }

    private static long rasterBytes(BufferedImage image) {
        DataBuffer buffer = image.getRaster().getDataBuffer();
        return (long) buffer.getSize() * buffer.getNumBanks() * DataBuffer.getDataTypeSize(buffer.getDataType()) / 8;
    }
}
