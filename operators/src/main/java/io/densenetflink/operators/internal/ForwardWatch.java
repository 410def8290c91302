package io.densenetflink.operators.internal;

import java.time.Duration;

/** The forward the slot's inference thread is running, if any, and since when: read by the slot's watchdog. */
final class ForwardWatch {

    private record Running(long startNanos, int frames) {}

    private volatile Running running;

    void started(int frames) {
        running = new Running(System.nanoTime(), frames);
    }

    void ended() {
        running = null;
    }

    /** What runs longer than {@code limit}, described for the task's failure; null when nothing does. */
    String overdue(Duration limit) {
        Running r = running;
        if (r == null) {
            return null;
        }
        long nanos = System.nanoTime() - r.startNanos();
        if (nanos <= limit.toNanos()) {
            return null;
        }
        return String.format("a forward of %d frame(s) has run for %.1f s, longer than forwardTimeout %s: the model,"
                + " its device or the native library hangs", r.frames(), nanos / 1e9, limit);
    }
}
