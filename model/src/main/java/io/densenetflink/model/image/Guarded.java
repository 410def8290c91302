package io.densenetflink.model.image;

import java.io.IOException;

/**
 * Runs decoder work so that nothing but an {@link ImageDecodeException} leaves it. ImageIO and Java2D throw a wide
 * range of unchecked exceptions and errors on hostile input (index errors in GIF/BMP parsers, CMM failures for bad
 * colour profiles); one bad record must not bring down a streaming job. {@link OutOfMemoryError} is not mapped: it
 * is a fault of the heap's state (what other threads hold), not proof that the frame is bad, and a good frame must
 * never become a dead letter for it; the caller fails and the frame is decoded again.
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
            rethrowOutOfMemory(e);
            throw new ImageDecodeException(ImageErrorReason.CORRUPT, "cannot decode image: " + describe(e), e);
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            rethrowOutOfMemory(e);
            throw new ImageDecodeException(ImageErrorReason.CORRUPT, "image decoder failed: " + describe(e), e);
        }
    }

    /** ImageIO wraps what its readers throw ("Caught exception during read"): an OutOfMemoryError inside still is one. */
    private static void rethrowOutOfMemory(Throwable t) {
        for (Throwable c = t.getCause(); c != null && c != t; t = c, c = c.getCause()) {
            if (c instanceof OutOfMemoryError oom) {
                throw oom;
            }
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
