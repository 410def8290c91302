package io.densenetflink.model.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws an {@link Evaluation} as a PNG: the confusion matrix as a heat map (each row normalised by its class's
 * image count, counts written in the cells) and a bar chart of per-class accuracy. Works headless (it sets
 * {@code java.awt.headless=true} unless already set).
 */
public final class EvaluationReport {

    /** Width of the written image in pixels. */
    public static final int WIDTH = 1400;

    /** Height of the written image in pixels. */
    public static final int HEIGHT = 760;

    private static final int CELL = 52;
    private static final Color INK = new Color(0x20, 0x20, 0x20);

    private EvaluationReport() {}

    /** Renders the report image. */
    public static BufferedImage render(Evaluation evaluation, String title) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        int n = evaluation.classes();
        int cell = Math.min(CELL, 520 / Math.max(1, n));
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(INK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
            g.drawString(title, 30, 36);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            g.drawString(String.format(Locale.ROOT, "accuracy %.2f%%  (%d of %d images)", 100 * evaluation.accuracy(),
                    evaluation.correct(), evaluation.total()), 30, 60);
            drawMatrix(g, evaluation, 170, 150, cell);
            drawBars(g, evaluation, 900, 150, 450, n * cell);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Renders and writes the report as a PNG file (parent directories are created). */
    public static void write(Evaluation evaluation, String title, Path file) throws IOException {
        BufferedImage image = render(evaluation, title);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer available to write " + file);
        }
    }

    private static void drawMatrix(Graphics2D g, Evaluation e, int left, int top, int cell) {
        int n = e.classes();
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.setColor(INK);
        g.drawString("Confusion matrix (rows: true class, columns: predicted)", left - 140, top - 70);
        for (int t = 0; t < n; t++) {
            long support = e.support(t);
            for (int p = 0; p < n; p++) {
                long count = e.count(t, p);
                double share = support == 0 ? 0 : (double) count / support;
                g.setColor(heat(share, t == p));
                g.fillRect(left + p * cell, top + t * cell, cell, cell);
                g.setFont(small);
                g.setColor(share > 0.5 ? Color.WHITE : INK);
                String text = Long.toString(count);
                FontMetrics fm = g.getFontMetrics();
                g.drawString(text, left + p * cell + (cell - fm.stringWidth(text)) / 2,
                        top + t * cell + (cell + fm.getAscent()) / 2 - 2);
            }
        }
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(left, top, n * cell, n * cell);
        g.setFont(label);
        g.setColor(INK);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < n; i++) {
            String name = shorten(e.labels().get(i), 18);
            g.drawString(name, left - 8 - fm.stringWidth(name), top + i * cell + (cell + fm.getAscent()) / 2 - 2);
            AffineTransform saved = g.getTransform();
            g.translate(left + i * cell + (cell + fm.getAscent()) / 2 - 2, top - 6);
            g.rotate(-Math.PI / 4);
            g.drawString(name, 0, 0);
            g.setTransform(saved);
        }
    }

    private static void drawBars(Graphics2D g, Evaluation e, int left, int top, int width, int height) {
        int n = e.classes();
        double[] accuracy = e.perClassAccuracy();
        int rowHeight = height / Math.max(1, n);
        int nameWidth = 110;
        int barLeft = left + nameWidth;
        int barWidth = width - nameWidth - 70;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.setColor(INK);
        g.drawString("Per-class accuracy", left, top - 70);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        for (int c = 0; c < n; c++) {
            int y = top + c * rowHeight;
            double a = Double.isNaN(accuracy[c]) ? 0 : accuracy[c];
            g.setColor(new Color(0xEE, 0xEE, 0xEE));
            g.fillRect(barLeft, y + 6, barWidth, rowHeight - 12);
            g.setColor(new Color(0x2B, 0x6C, 0xB0));
            g.fillRect(barLeft, y + 6, (int) Math.round(barWidth * a), rowHeight - 12);
            g.setColor(INK);
            String name = shorten(e.labels().get(c), 14);
            g.drawString(name, barLeft - 8 - fm.stringWidth(name), y + (rowHeight + fm.getAscent()) / 2 - 2);
            String value = Double.isNaN(accuracy[c]) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * a);
            g.drawString(value, barLeft + barWidth + 8, y + (rowHeight + fm.getAscent()) / 2 - 2);
        }
        // grid lines at 0, 25, 50, 75, 100 %
        g.setColor(Color.GRAY);
        for (int i = 0; i <= 4; i++) {
            int x = barLeft + barWidth * i / 4;
            g.drawLine(x, top + n * rowHeight + 2, x, top + n * rowHeight + 8);
            String tick = (25 * i) + "%";
            g.drawString(tick, x - fm.stringWidth(tick) / 2, top + n * rowHeight + 24);
        }
    }

    /** White to blue for the diagonal, white to red elsewhere, by share of the row. */
    private static Color heat(double share, boolean diagonal) {
        double s = Math.sqrt(Math.max(0, Math.min(1, share)));
        int r0 = 255;
        int g0 = 255;
        int b0 = 255;
        int[] to = diagonal ? new int[] {0x1F, 0x4E, 0x96} : new int[] {0xC0, 0x39, 0x2B};
        return new Color((int) (r0 + (to[0] - r0) * s), (int) (g0 + (to[1] - g0) * s), (int) (b0 + (to[2] - b0) * s));
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "\u2026";
    }
}
