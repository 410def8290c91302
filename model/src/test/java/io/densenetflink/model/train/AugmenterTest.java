package io.densenetflink.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.model.data.LabeledImages;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AugmenterTest {

    private static LabeledImages ramp() {
        // one 4x5 image whose pixel (y, x) = 10 * y + x + 1, label 3
        byte[] pixels = new byte[20];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                pixels[y * 5 + x] = (byte) (10 * y + x + 1);
            }
        }
        return new LabeledImages(pixels, new byte[] {3}, 4, 5);
    }

    private static final PixelNormaliser IDENTITY = new PixelNormaliser(0f, 1f / 255f);

    @Test
    void withoutPaddingOrFlipItOnlyNormalises() {
        float[] out = new float[20];
        float[] labels = new float[1];
        new Augmenter(0, false, new PixelNormaliser(0.5f, 0.25f)).fill(ramp(), new int[] {0}, 0, 1, new Random(1), out,
                labels);
        assertEquals(3f, labels[0]);
        assertEquals((1 / 255f - 0.5f) / 0.25f, out[0], 1e-6);
        assertEquals((35 / 255f - 0.5f) / 0.25f, out[19], 1e-6);
    }

    @Test
    void everyOutputIsAShiftedPossiblyMirroredCopyPaddedWithBlack() {
        LabeledImages image = ramp();
        Augmenter augmenter = new Augmenter(2, true, IDENTITY);
        Random rng = new Random(11);
        boolean sawMirror = false;
        boolean sawShift = false;
        for (int trial = 0; trial < 200; trial++) {
            float[] out = new float[20];
            augmenter.fill(image, new int[] {0}, 0, 1, rng, out, new float[1]);
            boolean matched = false;
            for (int dy = -2; dy <= 2 && !matched; dy++) {
                for (int dx = -2; dx <= 2 && !matched; dx++) {
                    for (int m = 0; m < 2 && !matched; m++) {
                        if (matches(out, dy, dx, m == 1)) {
                            matched = true;
                            sawMirror |= m == 1;
                            sawShift |= dy != 0 || dx != 0;
                        }
                    }
                }
            }
            assertTrue(matched, "trial " + trial + " is not a shift/flip of the input");
        }
        assertTrue(sawMirror);
        assertTrue(sawShift);
    }

    private static boolean matches(float[] out, int dy, int dx, boolean mirror) {
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                int sy = y + dy;
                int sx = (mirror ? 4 - x : x) + dx;
                float expected = sy >= 0 && sy < 4 && sx >= 0 && sx < 5 ? 10 * sy + sx + 1 : 0;
                if (Math.abs(out[y * 5 + x] - expected) > 1e-3) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void sameSeedSameBatch() {
        LabeledImages image = ramp();
        Augmenter augmenter = new Augmenter(2, true, IDENTITY);
        float[] a = new float[20 * 3];
        float[] b = new float[20 * 3];
        augmenter.fill(image, new int[] {0, 0, 0}, 0, 3, new Random(5), a, new float[3]);
        augmenter.fill(image, new int[] {0, 0, 0}, 0, 3, new Random(5), b, new float[3]);
        assertArrayEquals(a, b);
    }

    @Test
    void cosineScheduleRunsFromBaseToZero() {
        LearningRateSchedule s = new LearningRateSchedule(0.1f, 100);
        assertEquals(0.1f, s.at(0), 1e-7);
        assertEquals(0.05f, s.at(50), 1e-6);
        assertEquals(0f, s.at(100), 1e-7);
        assertTrue(s.at(30) > s.at(31));
    }
}
