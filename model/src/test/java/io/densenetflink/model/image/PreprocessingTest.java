package io.densenetflink.model.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import org.junit.jupiter.api.Test;

class PreprocessingTest {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    @Test
    void imagenetIsTorchvisionsEvaluationTransform() {
        Preprocessing p = Preprocessing.imagenet();

        assertEquals(3, p.channels());
        assertEquals(256, p.resizeShorter());
        assertEquals(224, p.cropHeight());
        assertEquals(224, p.cropWidth());
        assertArrayEquals(MEAN, p.mean());
        assertArrayEquals(STD, p.std());
        assertEquals(50_000_000L, p.maxPixels());
        assertEquals(3 * 224 * 224, p.outputSize());
        assertEquals(p, Preprocessing.of(3, 256, 224, 224, MEAN, STD));
    }

    @Test
    void invalidFieldsAreNamed() {
        assertInvalid("preprocessing.mean: expected 3 values, got 2",
                () -> Preprocessing.of(3, 256, 224, 224, new float[2], STD));
        assertInvalid("preprocessing.std: expected 1 values, got 3",
                () -> Preprocessing.of(1, 28, 28, 28, new float[1], STD));
        assertInvalid("preprocessing.std[1]: must be > 0", () -> Preprocessing.of(3, 256, 224, 224, MEAN,
                new float[] {0.2f, 0f, 0.2f}));
        assertInvalid("preprocessing.std[0]: must be > 0", () -> Preprocessing.of(3, 256, 224, 224, MEAN,
                new float[] {-1f, 1f, 1f}));
        assertInvalid("preprocessing.mean[2]: must be finite", () -> Preprocessing.of(3, 256, 224, 224,
                new float[] {0, 0, Float.NaN}, STD));
        assertInvalid("preprocessing.mean: missing", () -> Preprocessing.of(3, 256, 224, 224, null, STD));
        assertInvalid("preprocessing.channels: expected 1 or 3, got 2",
                () -> Preprocessing.of(2, 256, 224, 224, new float[2], new float[] {1, 1}));
        assertInvalid("preprocessing.cropHeight: must be > 0", () -> Preprocessing.of(3, 256, 0, 224, MEAN, STD));
        assertInvalid("preprocessing.cropWidth: must be > 0", () -> Preprocessing.of(3, 256, 224, -1, MEAN, STD));
        assertInvalid("preprocessing.resizeShorter: must be >= 0",
                () -> Preprocessing.of(3, -1, 224, 224, MEAN, STD));
        assertInvalid("preprocessing.maxPixels: must be > 0", () -> Preprocessing.imagenet().withMaxPixels(0));
        assertInvalid("does not fit a Java array", () -> Preprocessing.of(3, 0, 50_000, 50_000, MEAN, STD));
    }

    @Test
    void withMaxPixelsReturnsAChangedCopy() {
        Preprocessing base = Preprocessing.imagenet();
        Preprocessing limited = base.withMaxPixels(1_000);

        assertEquals(1_000, limited.maxPixels());
        assertEquals(50_000_000L, base.maxPixels());
        assertNotEquals(base, limited);
        assertEquals(base.outputSize(), limited.outputSize());
    }

    @Test
    void arraysAreCopiedInAndOut() {
        float[] mean = {0.5f};
        Preprocessing p = Preprocessing.of(1, 28, 28, 28, mean, new float[] {0.5f});
        mean[0] = 9f;
        p.mean()[0] = 9f;
        p.std()[0] = 9f;

        assertArrayEquals(new float[] {0.5f}, p.mean());
        assertArrayEquals(new float[] {0.5f}, p.std());
    }

    @Test
    void equalsHashCodeAndToStringCoverEveryField() {
        Preprocessing a = Preprocessing.of(1, 28, 28, 28, new float[] {0.5f}, new float[] {0.25f});
        Preprocessing b = Preprocessing.of(1, 28, 28, 28, new float[] {0.5f}, new float[] {0.25f});

        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, Preprocessing.of(1, 28, 28, 28, new float[] {0.4f}, new float[] {0.25f}));
        assertNotEquals(a, Preprocessing.of(1, 28, 28, 28, new float[] {0.5f}, new float[] {0.2f}));
        assertNotEquals(a, Preprocessing.of(1, 32, 28, 28, new float[] {0.5f}, new float[] {0.25f}));
        assertNotEquals(a, Preprocessing.of(1, 28, 27, 28, new float[] {0.5f}, new float[] {0.25f}));
        assertNotEquals(a, Preprocessing.of(1, 28, 28, 27, new float[] {0.5f}, new float[] {0.25f}));
        assertNotEquals(a, a.withMaxPixels(5));
        assertEquals("Preprocessing{channels=1, resizeShorter=28, crop=28x28, mean=[0.5], std=[0.25], "
                + "maxPixels=50000000}", a.toString());
    }

    @Test
    void gsonRoundTripsAndFillsOmittedFieldsWithImagenetDefaults() {
        Gson gson = new Gson();
        Preprocessing grey = Preprocessing.of(1, 32, 28, 28, new float[] {0.1307f}, new float[] {0.3081f})
                .withMaxPixels(1_000_000);

        assertEquals(grey, gson.fromJson(gson.toJson(grey), Preprocessing.class));

        Preprocessing partial = gson.fromJson("{\"cropHeight\": 192, \"cropWidth\": 160}", Preprocessing.class);
        assertEquals(3, partial.channels());
        assertEquals(256, partial.resizeShorter());
        assertEquals(192, partial.cropHeight());
        assertEquals(160, partial.cropWidth());
        assertArrayEquals(MEAN, partial.mean());
        assertEquals(Preprocessing.DEFAULT_MAX_PIXELS, partial.maxPixels());
    }

    @Test
    void invalidJsonIsCaughtByValidateAndByThePreprocessor() {
        Preprocessing bad = new Gson().fromJson("{\"channels\": 1}", Preprocessing.class);

        assertInvalid("preprocessing.mean: expected 1 values, got 3", bad::validate);
        assertInvalid("preprocessing.mean: expected 1 values, got 3", () -> new ImagePreprocessor(bad));
    }

    private static void assertInvalid(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
