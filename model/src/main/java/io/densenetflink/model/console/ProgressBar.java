package io.densenetflink.model.console;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The one progress bar of the project's commands (training, evaluation, producing frames): a line with the steps
 * done, what the caller adds (loss, accuracy, ...), the rate and the time left. On a terminal it redraws in place
 * (carriage return) at most five times a second; into a file or pipe it prints a plain line every {@code
 * logEverySeconds}, so that a log stays readable. Thread-safe.
 */
public final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final String prefix;
    private final long total;
    private final String unit;
    private final boolean interactive;
    private final long minNanosBetween;
    private final long start = System.nanoTime();
    private long lastPrint;
    private boolean printed;

    /**
     * @param out where the bar goes; null for none
     * @param unit what the rate counts ({@code img}, {@code frames})
     */
    public ProgressBar(PrintWriter out, String prefix, long total, String unit, boolean interactive,
            double logEverySeconds) {
        this.out = out;
        this.prefix = prefix;
        this.total = total;
        this.unit = unit;
        this.interactive = interactive;
        this.minNanosBetween = interactive ? 200_000_000L : (long) (logEverySeconds * 1e9);
        this.lastPrint = start;
    }

    /** True when stderr is a terminal (no console = redirected). */
    public static boolean stderrIsTerminal() {
        return System.console() != null;
    }

    /**
     * Reports {@code done} of the total steps, {@code units} of the rate's unit so far, and {@code details} (empty,
     * or text that starts with a space) after the count.
     */
    public synchronized void update(long done, long units, String details) {
        long now = System.nanoTime();
        if (out == null || (done < total && now - lastPrint < minNanosBetween)) {
            return;
        }
        lastPrint = now;
        double seconds = (now - start) / 1e9;
        double rate = units / Math.max(seconds, 1e-9);
        double eta = done == 0 ? 0 : seconds * (total - done) / done;
        String line = prefix + ' ' + bar(done) + ' ' + done + '/' + total + details
                + String.format(Locale.ROOT, " %.0f %s/s ", rate, unit)
                + (done < total ? "eta " + duration(eta) : "in " + duration(seconds));
        if (interactive) {
            out.print("\r" + line + "\u001b[K");
            printed = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the in-place line (terminal only); call once, after the last update. */
    public synchronized void finish() {
        if (out != null && interactive && printed) {
            out.println();
            out.flush();
        }
    }

    private String bar(long done) {
        int filled = total <= 0 ? WIDTH : (int) Math.min(WIDTH, WIDTH * done / total);
        StringBuilder b = new StringBuilder(WIDTH + 2).append('[');
        for (int i = 0; i < WIDTH; i++) {
            b.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        return b.append(']').toString();
    }

    /** {@code 42s}, {@code 3m05s}, {@code 1h02m03s}. */
    public static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}
