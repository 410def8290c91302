package io.densenetflink.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {

    private static Evaluation sample() {
        Evaluation e = new Evaluation(List.of("cat", "dog", "Ankle boot"));
        e.add(0, 0);
        e.add(0, 0);
        e.add(0, 1);
        e.add(1, 1);
        e.add(2, 2);
        e.add(2, 0);
        return e;
    }

    @Test
    void countsAccuracyPerClassAndConfusion() {
        Evaluation e = sample();
        assertEquals(6, e.total());
        assertEquals(4, e.correct());
        assertEquals(4 / 6.0, e.accuracy(), 1e-12);
        double[] perClass = e.perClassAccuracy();
        assertEquals(2 / 3.0, perClass[0], 1e-12);
        assertEquals(1.0, perClass[1], 1e-12);
        assertEquals(0.5, perClass[2], 1e-12);
        assertEquals(1, e.count(2, 0));
        assertEquals(3, e.support(0));
    }

    @Test
    void formatsTextWithEveryClassAndTheMatrix() {
        String text = sample().format();
        assertTrue(text.contains("accuracy: 66.67% (4 of 6)"), text);
        assertTrue(text.contains("Ankle boot"), text);
        assertTrue(text.contains("confusion matrix"), text);
        assertTrue(text.lines().anyMatch(l -> l.contains("[2] Ankle boot") && l.trim().endsWith("1    0    1")),
                text);
    }

    @Test
    void reportIsAValidPng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("sub/report.png");
        EvaluationReport.write(sample(), "test report", png);
        assertTrue(Files.size(png) > 1000);
        byte[] head = Files.readAllBytes(png);
        assertEquals((byte) 0x89, head[0]);
        assertEquals('P', head[1]);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(EvaluationReport.WIDTH, image.getWidth());
        assertEquals(EvaluationReport.HEIGHT, image.getHeight());
    }
}
