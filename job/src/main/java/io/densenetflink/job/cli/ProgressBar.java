package io.densenetflink.job.cli;

import java.io.PrintWriter;
import java.util.Locale;

/** A one-line progress bar redrawn in place ({@code \r}) on stderr, at most five times a second. Thread-safe. */
final class ProgressBar {

    private static final int WIDTH = 30;
    private static final long MIN_REDRAW_NANOS = 200_000_000L;

    private final PrintWriter err;
    private final String what;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintWriter err, String what) {
        this.err = err;
        this.what = what;
    }

    synchronized void update(long done, long total) {
        long now = System.nanoTime();
        if (done < total && drawn && now - lastDraw < MIN_REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        drawn = true;
        draw(done, total, now);
    }

    /** Ends the bar's line (call once, after the last update). */
    synchronized void finish() {
        if (drawn) {
            err.println();
            err.flush();
        }
    }

    private void draw(long done, long total, long now) {
        int filled = total <= 0 ? WIDTH : (int) Math.min(WIDTH, done * WIDTH / total);
        double seconds = (now - start) / 1e9;
        String bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
        err.print(String.format(Locale.ROOT, "\r[%s] %d/%d %s (%3.0f%%) %.1f/s ", bar, done, total, what,
                total <= 0 ? 100.0 : 100.0 * done / total, seconds > 0 ? done / seconds : 0.0));
        err.flush();
    }
}
