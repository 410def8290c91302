package io.densenetflink.model.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;

/**
 * Collects decoder warnings. The JDK JPEG decoder does not fail on truncated data: it fills the missing part with
 * grey and only warns ("Premature end of JPEG file"), which would silently feed a half-grey image to the model. So
 * every warning counts as damage, except the few that only mean the decoder skipped something harmless.
 */
final class DecodeWarnings implements IIOReadWarningListener {

    /**
     * Warnings after which the pixels are still exact: ignored metadata (bad colour profile, misplaced JFIF
     * marker, both ending in "ignored") and stray bytes before a marker, which libjpeg skips to resynchronise.
     */
    private static final List<String> HARMLESS = List.of("ignored", "extraneous bytes");

    private final List<String> damage = new ArrayList<>();

    @Override
    public void warningOccurred(ImageReader source, String warning) {
        String text = warning == null ? "unnamed decoder warning" : warning;
        String lower = text.toLowerCase(Locale.ROOT);
        if (HARMLESS.stream().noneMatch(lower::contains)) {
            damage.add(text);
        }
    }

    /** Throws CORRUPT if any damaging warning was reported. */
    void check() throws ImageDecodeException {
        if (!damage.isEmpty()) {
            throw new ImageDecodeException(ImageErrorReason.CORRUPT,
                    "image data is truncated or damaged: " + String.join("; ", damage));
        }
    }
}
