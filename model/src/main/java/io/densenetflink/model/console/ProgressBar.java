package io.densenetflink.model.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with loss and accuracy. On a terminal it redraws in place (carriage return) at most
 * a few times a second; into a file or pipe it prints a plain line every {@code logEverySeconds} so a log
 * stays readable.
 */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String prefix;
    private final long total;
    private final boolean interactive;
    private final long minNanosBetween;
    private final long start = System.nanoTime();
    private long lastPrint;
    private boolean printed;

    ProgressBar(PrintStream out, String prefix, long total, boolean interactive, double logEverySeconds) {
        this.out = out;
        this.prefix = prefix;
        this.total = total;
        this.interactive = interactive;
        this.minNanosBetween = interactive ? 200_000_000L : (long) (logEverySeconds * 1e9);
        this.lastPrint = start;
    }

    /** True when stderr is a terminal (no console = redirected). */
    static boolean stderrIsTerminal() {
        return System.console() != null;
    }

    /**
     * Reports {@code done} of {@code total} steps with running loss and accuracy (0..1) after {@code images}
     * images; NaN values are left out of the line.
     */
    void update(long done, double loss, double accuracy, long images, float learningRate) {
        update(done, loss, accuracy, images, learningRate, "");
    }

    /** Like {@link #update(long, double, double, long, float)} with a note at the end of the line. */
    void update(long done, double loss, double accuracy, long images, float learningRate, String note) {
        long now = System.nanoTime();
        if (out == null || (done < total && now - lastPrint < minNanosBetween)) {
            return;
        }
        lastPrint = now;
        double seconds = (now - start) / 1e9;
        double rate = images / Math.max(seconds, 1e-9);
        double eta = done == 0 ? 0 : seconds * (total - done) / done;
        StringBuilder b = new StringBuilder(prefix).append(' ').append(bar(done)).append(' ').append(done)
                .append('/').append(total);
        if (!Double.isNaN(loss)) {
            b.append(String.format(Locale.ROOT, " loss %.4f", loss));
        }
        if (!Double.isNaN(accuracy)) {
            b.append(String.format(Locale.ROOT, " acc %.2f%%", 100 * accuracy));
        }
        if (!Float.isNaN(learningRate)) {
            b.append(String.format(Locale.ROOT, " lr %.4f", learningRate));
        }
        b.append(String.format(Locale.ROOT, " %.0f img/s ", rate))
                .append(done < total ? "eta " + duration(eta) : "in " + duration(seconds));
        if (!note.isEmpty()) {
            b.append(' ').append(note);
        }
        String line = b.toString();
        if (interactive) {
            out.print("\r" + line + "\u001b[K");
            printed = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the in-place line (terminal only). */
    void finish() {
        if (out != null && interactive && printed) {
            out.println();
            out.flush();
        }
    }

    private String bar(long done) {
        int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
        StringBuilder b = new StringBuilder(WIDTH + 2).append('[');
        for (int i = 0; i < WIDTH; i++) {
            b.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        return b.append(']').toString();
    }

    static String duration(double seconds) {
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
