package io.densenetflink.model.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import javax.imageio.IIOException;
import org.junit.jupiter.api.Test;

/** Whatever the decoder throws leaves as an ImageDecodeException. */
class GuardedTest {

    @Test
    void resultPassesThrough() throws Exception {
        assertEquals("ok", Guarded.call(() -> "ok"));
    }

    @Test
    void decodeExceptionsPassThroughUnchanged() {
        ImageDecodeException original = new ImageDecodeException(ImageErrorReason.EMPTY, "nothing");

        assertSame(original, assertThrows(ImageDecodeException.class, () -> Guarded.call(() -> {
            throw original;
        })));
    }

    @Test
    void ioFailuresAreCorruptWithTheRootCause() {
        ImageDecodeException e = mapped(new IIOException("Error reading PNG image data",
                new EOFException("Unexpected end of ZLIB input stream")));

        assertEquals(ImageErrorReason.CORRUPT, e.reason());
        assertTrue(e.detail().contains("Error reading PNG image data"), e.detail());
        assertTrue(e.detail().contains("Unexpected end of ZLIB input stream"), e.detail());
    }

    @Test
    void runtimeExceptionsAndErrorsAreCorrupt() {
        assertEquals(ImageErrorReason.CORRUPT, mapped(new ArrayIndexOutOfBoundsException(7)).reason());
        assertEquals(ImageErrorReason.CORRUPT, mapped(new IllegalStateException()).reason());
        assertEquals(ImageErrorReason.CORRUPT, mapped(new StackOverflowError()).reason());
        assertEquals(ImageErrorReason.CORRUPT, mapped(new InternalError("native decoder")).reason());
    }

    /**
     * Issue 19: an OutOfMemoryError was mapped to a TOO_LARGE decode failure, so whichever frame allocated when the
     * heap ran short (another frame's fault, or another thread's) became a dead letter.
     */
    @Test
    void outOfMemoryIsNotTheFramesFaultAndPropagates() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> Guarded.call(() -> {
            throw oom;
        })));
        // The PNG reader wraps it: javax.imageio.IIOException("Caught exception during read", oom)
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> Guarded.call(() -> {
            throw new IIOException("Caught exception during read: ", oom);
        })));
    }

    private static ImageDecodeException mapped(Throwable failure) {
        return assertThrows(ImageDecodeException.class, () -> Guarded.call(() -> {
            if (failure instanceof IOException) {
                throw (IOException) failure;
            }
            if (failure instanceof RuntimeException) {
                throw (RuntimeException) failure;
            }
            throw (Error) failure;
        }));
    }
}
