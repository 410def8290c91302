package io.densenetflink.model.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.image.Preprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactTest {

    @TempDir
    Path tmp;

    private ModelArtifact sample(Path dir) {
        return ModelArtifact.builder().directory(dir).name("fmnist").version("3")
                .architecture(DenseNetConfig.preset("densenet-bc-40-12").toBuilder().inputChannels(1).build())
                .labels(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"))
                .preprocessing(Preprocessing.of(1, 28, 28, 28, new float[] {0.28f}, new float[] {0.35f}))
                .provenance(Map.of("source", "test"))
                .metrics(Map.of("validation_accuracy", 0.9))
                .build();
    }

    @Test
    void writesAndReadsBack() throws Exception {
        ModelArtifact written = sample(tmp);
        written.writeDescriptor(tmp);
        Files.writeString(tmp.resolve(ModelArtifact.DEFAULT_WEIGHTS), "weights");
        ModelArtifact read = ModelArtifact.read(tmp);
        assertEquals(written.architecture(), read.architecture());
        assertEquals(written.labels(), read.labels());
        assertEquals(written.preprocessing(), read.preprocessing());
        assertEquals("fmnist", read.name());
        assertEquals("3", read.version());
        assertEquals("test", read.provenance().get("source"));
        assertEquals(0.9, ((Number) read.metrics().get("validation_accuracy")).doubleValue(), 1e-9);
        String json = Files.readString(tmp.resolve("model.json"));
        assertTrue(json.contains("\"growth_rate\": 12") && json.contains("\"crop_height\": 28"), json);
    }

    @Test
    void missingThingsAreNamed() throws Exception {
        assertMessage(tmp.resolve("absent"), "model directory not found");
        assertMessage(tmp, "model.json is missing");
        sample(tmp).writeDescriptor(tmp);
        assertMessage(tmp, "weights.safetensors named in");
    }

    @Test
    void malformedDescriptorsAreRefusedWithTheField() throws Exception {
        sample(tmp).writeDescriptor(tmp);
        Files.writeString(tmp.resolve(ModelArtifact.DEFAULT_WEIGHTS), "weights");
        String good = Files.readString(tmp.resolve("model.json"));

        Files.writeString(tmp.resolve("model.json"), good.substring(0, good.length() / 2));
        assertMessage(tmp, "malformed");
        Files.writeString(tmp.resolve("model.json"), good.replace("\"bn_size\": 4,", ""));
        assertMessage(tmp, "architecture.bn_size is missing");
        Files.writeString(tmp.resolve("model.json"), good.replace("\"growth_rate\": 12", "\"growth_rate\": -1"));
        assertMessage(tmp, "'growth_rate'");
        Files.writeString(tmp.resolve("model.json"), good.replace("\"j\"", "\"j\", \"k\""));
        assertMessage(tmp, "11 labels for 10 classes");
        Files.writeString(tmp.resolve("model.json"), good.replace("\"name\": \"fmnist\",", ""));
        assertMessage(tmp, "'name' is missing");
        Files.writeString(tmp.resolve("model.json"), good.replace("\"format_version\": 1", "\"format_version\": 7"));
        assertMessage(tmp, "format_version 7 is not supported");
        Files.writeString(tmp.resolve("model.json"), "[1, 2]");
        assertMessage(tmp, "expected a JSON object");
    }

    /** model.json comes from whoever publishes a model: the files it names must lie inside its directory. */
    @Test
    void filesNamedInTheDescriptorMustLieInsideTheModelDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("models/1"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("weights.safetensors"), "weights");
        Files.writeString(outside.resolve("net-symbol.json"), "{}");
        Files.writeString(outside.resolve("net-0000.params"), "params");
        sample(dir).writeDescriptor(dir);
        String good = Files.readString(dir.resolve("model.json"));
        String weights = "\"weights\": \"weights.safetensors\"";
        assertTrue(good.contains(weights), good);

        Files.writeString(dir.resolve("model.json"), good.replace(weights, "\"weights\": \"../../outside/weights.safetensors\""));
        assertMessage(dir, "outside the model directory");
        Files.writeString(dir.resolve("model.json"), good.replace(weights,
                "\"weights\": \"" + outside.resolve("weights.safetensors").toAbsolutePath() + "\""));
        assertMessage(dir, "outside the model directory");
        Files.writeString(dir.resolve("model.json"), good.replace(weights, "\"graph_prefix\": \"../../outside/net\""));
        assertMessage(dir, "outside the model directory");
        Files.createSymbolicLink(dir.resolve("linked.safetensors"), outside.resolve("weights.safetensors"));
        Files.writeString(dir.resolve("model.json"), good.replace(weights, "\"weights\": \"linked.safetensors\""));
        assertMessage(dir, "is a link to " + outside.toRealPath().resolve("weights.safetensors"));
        Files.createSymbolicLink(dir.resolve("linked-dir"), outside);
        Files.writeString(dir.resolve("model.json"), good.replace(weights, "\"weights\": \"linked-dir/weights.safetensors\""));
        assertMessage(dir, "outside the model directory");

        // Inside is fine: a sub-folder, and a link to a file of the model itself.
        Files.createDirectories(dir.resolve("w"));
        Files.writeString(dir.resolve("w/weights.safetensors"), "weights");
        Files.writeString(dir.resolve("model.json"), good.replace(weights, "\"weights\": \"w/../w/weights.safetensors\""));
        assertEquals(dir.resolve("w/../w/weights.safetensors"), ModelArtifact.read(dir).weightsPath());
        Files.createSymbolicLink(dir.resolve("same.safetensors"), dir.resolve("w/weights.safetensors"));
        Files.writeString(dir.resolve("model.json"), good.replace(weights, "\"weights\": \"same.safetensors\""));
        assertEquals("same.safetensors", ModelArtifact.read(dir).weightsFile());
    }

    /**
     * Issue 19: every parameter of model.json's architecture was allocated (and initialised) before the weights
     * were compared: a growth_rate of 320 instead of 32 allocated gigabytes beside the serving model.
     */
    @Test
    void architecturesOverTheParameterLimitAreRefusedBeforeAllocation() throws Exception {
        ModelArtifact densenet121 = sample(tmp).toBuilder().architecture(DenseNetConfig.preset("densenet121")
                .toBuilder().inputChannels(1).numClasses(10).build()).build();
        densenet121.writeDescriptor(tmp);
        Files.writeString(tmp.resolve(ModelArtifact.DEFAULT_WEIGHTS), "weights");
        assertEquals(7_978_856 - 2 * 64 * 49 - (1024 * 990 + 990), ModelArtifact.read(tmp).parameterCount(),
                "torchvision's DenseNet-121 with 1 input channel instead of 3 and 10 classes instead of 1,000");
        String good = Files.readString(tmp.resolve("model.json"));

        Files.writeString(tmp.resolve("model.json"), good.replace("\"growth_rate\": 32", "\"growth_rate\": 320"));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelArtifact.read(tmp));
        assertTrue(e.getMessage().matches(".*has \\d+ parameters, more than the limit of 200000000.*"),
                e.getMessage());
        assertMessageWithin(tmp, new ModelLimits(1_000_000), "more than the limit of 1000000");
        Files.writeString(tmp.resolve("model.json"), good.replace("\"growth_rate\": 32", "\"growth_rate\": 2147483647"));
        assertMessage(tmp, "'growth_rate' must be at most");
        Files.writeString(tmp.resolve("model.json"), good.replace("\"growth_rate\": 32", "\"growth_rate\": 4294967328"));
        assertMessage(tmp, "architecture.growth_rate: expected a whole number"); // Gson's getAsInt read 32
        Files.writeString(tmp.resolve("model.json"), good.replace("\"growth_rate\": 32", "\"growth_rate\": 1e30"));
        assertMessage(tmp, "architecture.growth_rate: expected a whole number");
        Files.writeString(tmp.resolve("model.json"), good.replace("\"growth_rate\": 32", "\"growth_rate\": \"wide\""));
        assertMessage(tmp, "malformed");
        Files.writeString(tmp.resolve("model.json"), good.replace("\"num_classes\": 10", "\"num_classes\": -10"));
        assertMessage(tmp, "'num_classes'");
    }

    @Test
    void aWeightFileLargerThanTheArchitectureCanTakeIsRefused() throws Exception {
        sample(tmp).writeDescriptor(tmp);
        long parameters = sample(tmp).parameterCount();
        Files.write(tmp.resolve(ModelArtifact.DEFAULT_WEIGHTS), new byte[(int) ModelArtifact.maxWeightFileBytes(parameters) + 1]);
        assertMessage(tmp, "more than the " + ModelArtifact.maxWeightFileBytes(parameters));
    }

    @Test
    void aGraphParameterFileOverTheLimitIsRefused() throws Exception {
        Files.writeString(tmp.resolve("net-symbol.json"), "{}");
        Files.write(tmp.resolve("net-0000.params"), new byte[5_000_000]);
        sample(tmp).toBuilder().architecture(null).graphPrefix("net").build().writeDescriptor(tmp);
        ModelArtifact.read(tmp);
        assertMessageWithin(tmp, new ModelLimits(1_000), "more than the " + new ModelLimits(1_000).maxGraphParameterBytes());
    }

    /**
     * Issue 19: version numbers can be reused, and checkpoints recorded only the number: model.json now records a
     * digest of what the model computes, written with the model and checked at every load.
     */
    @Test
    void theRecordedContentDigestCatchesChangedWeightsAndLabelsButNotARenumbering() throws Exception {
        Files.write(tmp.resolve(ModelArtifact.DEFAULT_WEIGHTS), new byte[] {1, 2, 3, 4});
        sample(tmp).writeDescriptor(tmp);
        ModelArtifact written = ModelArtifact.read(tmp);
        assertTrue(written.contentDigest().matches("sha256:[0-9a-f]{64}"), written.contentDigest());
        written.verifyContent();
        assertEquals(written.contentDigest(), written.toBuilder().version("9").directory(tmp).build().contentDigest());
        assertEquals(null, written.toBuilder().labels(List.of("z", "b", "c", "d", "e", "f", "g", "h", "i", "j")).build()
                .contentDigest(), "changed in memory: no recorded digest to check (quantize's converted model had its"
                + " source's digest and was refused)");

        String json = Files.readString(tmp.resolve("model.json"));
        Files.writeString(tmp.resolve("model.json"), json.replace("\"version\": \"3\"", "\"version\": \"9\"")
                .replace("\"source\": \"test\"", "\"source\": \"elsewhere\""));
        ModelArtifact.read(tmp).verifyContent(); // name, version, provenance and metrics are not what it computes

        Files.writeString(tmp.resolve("model.json"), json.replace("\"j\"", "\"z\""));
        ModelLoadException relabelled = assertThrows(ModelLoadException.class, () -> ModelArtifact.read(tmp).verifyContent());
        assertTrue(relabelled.getMessage().contains("no longer match the content_digest"), relabelled.getMessage());

        Files.writeString(tmp.resolve("model.json"), json);
        Files.write(tmp.resolve(ModelArtifact.DEFAULT_WEIGHTS), new byte[] {1, 2, 3});
        ModelLoadException cut = assertThrows(ModelLoadException.class, () -> ModelArtifact.read(tmp).verifyContent());
        assertTrue(cut.getMessage().contains("recorded " + written.contentDigest() + ", now sha256:"), cut.getMessage());

        Files.writeString(tmp.resolve("model.json"), json.replace(written.contentDigest(), "md5:abc"));
        assertMessage(tmp, "content_digest must be sha256:");
    }

    @Test
    void aDescriptorWrittenBeforeItsFilesRecordsNoDigest() throws Exception {
        sample(tmp).writeDescriptor(tmp);
        Files.writeString(tmp.resolve(ModelArtifact.DEFAULT_WEIGHTS), "weights");
        assertEquals(null, ModelArtifact.read(tmp).contentDigest());
        ModelArtifact.read(tmp).verifyContent();
    }

    private static void assertMessageWithin(Path dir, ModelLimits limits, String fragment) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelArtifact.read(dir, limits));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    private static void assertMessage(Path dir, String fragment) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelArtifact.read(dir));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
