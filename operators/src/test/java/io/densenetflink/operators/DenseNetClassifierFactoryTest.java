package io.densenetflink.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.inference.EngineMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DenseNetClassifierFactoryTest {

    @TempDir
    Path repository;

    /**
     * Issue 19: max-swap-bytes weighed a version by its files' sizes only, while a network built from model.json's
     * architecture allocates every parameter whatever the weight file holds: a few bytes of weights for a
     * DenseNet-121 counted as a few bytes.
     */
    @Test
    void aVersionWeighsWhatItsArchitectureAllocatesNotJustItsFiles() throws Exception {
        Path version = Files.createDirectories(repository.resolve("1"));
        ModelArtifact artifact = ModelArtifact.builder().directory(version).name("n").version("1")
                .architecture(DenseNetConfig.preset("densenet121"))
                .labels(IntStream.range(0, 1000).mapToObj(Integer::toString).toList())
                .preprocessing(Preprocessing.imagenet())
                .build();
        artifact.writeDescriptor(version);
        Files.writeString(version.resolve(ModelArtifact.DEFAULT_WEIGHTS), "truncated");

        long bytes = new DenseNetClassifierFactory(repository.toString(), EngineMode.COMPILED).weightBytes(1);

        assertEquals(7_978_856, ModelArtifact.read(version).parameterCount(), "torchvision's DenseNet-121");
        assertTrue(bytes >= 4L * 7_978_856, "weighed " + bytes + " bytes");
    }
}
