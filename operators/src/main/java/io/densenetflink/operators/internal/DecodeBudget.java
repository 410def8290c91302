package io.densenetflink.operators.internal;

/**
 * The heap a slot's decode threads may take at once, in bytes, as {@code ImagePreprocessor.decodedBytes} weighs a
 * frame from its header: a frame waits until the frames being decoded leave room for it. A frame that alone needs
 * more than the whole budget is refused before it is decoded (the caller's job), so every wait ends.
 *
 * <p>Without it a 400 KB 16-bit RGBA PNG of 50 Mpx decodes to about 550 MB; two at once exceed a small task
 * manager's heap, and the OutOfMemoryError lands on whichever frame or thread allocates next.
 */
final class DecodeBudget {

    private final long capacity;
    private long used;

    DecodeBudget(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("a decode budget must be > 0 bytes, got " + capacity);
        }
        this.capacity = capacity;
    }

    long capacity() {
        return capacity;
    }

    /** Takes {@code bytes} (at most {@link #capacity()}), waiting while the decodes under way leave too little. */
    synchronized void acquire(long bytes) throws InterruptedException {
        if (bytes > capacity) {
            throw new IllegalArgumentException(bytes + " bytes can never fit a decode budget of " + capacity);
        }
        while (used > 0 && used + bytes > capacity) {
            wait();
        }
        used += bytes;
    }

    synchronized void release(long bytes) {
        used -= bytes;
        notifyAll();
    }

    synchronized long used() {
        return used;
    }
}
