package io.densenetflink.model.image;

import java.io.IOException;

/**
 * Runs decoder work so that nothing but an {@link ImageDecodeException} leaves it. ImageIO and Java2D throw a wide
 * range of unchecked exceptions and errors on hostile input (index errors in GIF/BMP parsers, CMM failures for bad
 * colour profiles, OOM for large frames); one bad record must not bring down a streaming job.
 */
final class Guarded {

    /** Work that may fail in any of the ways ImageIO fails. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws IOException, ImageDecodeException;
    }

    private Guarded() {}

    static <T> T call(Work<T> work) throws ImageDecodeException {
        try {
            return work.run();
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageDecodeException(ImageErrorReason.CORRUPT, "cannot decode image: " + describe(e), e);
        } catch (OutOfMemoryError e) {
            // Only an image too big for the heap gets here: the header check normally refuses it first.
            throw new ImageDecodeException(ImageErrorReason.TOO_LARGE, "ran out of memory while decoding the image"
                    + " (lower Preprocessing.maxPixels or raise the heap)", e);
        } catch (RuntimeException | Error e) {
            throw new ImageDecodeException(ImageErrorReason.CORRUPT, "image decoder failed: " + describe(e), e);
        }
    }

    /** The failure and its root cause, since ImageIO often wraps the informative exception. */
    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (root != t) {
            text += " (" + (root.getMessage() == null ? root.getClass().getSimpleName()
                    : root.getClass().getSimpleName() + ": " + root.getMessage()) + ")";
        }
        return text;
    }
}
