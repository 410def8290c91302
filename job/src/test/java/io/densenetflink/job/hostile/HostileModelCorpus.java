package io.densenetflink.job.hostile;

import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.inference.GraphModels;
import io.densenetflink.model.weights.TorchvisionImporter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the hostile-model corpus that {@link HostileModelCorpusTest} runs (committed under
 * {@code job/src/test/resources/hostile-models}): model directories a careless or hostile publisher can make, each
 * with {@code case.properties} saying what is wrong ({@code about}) and what the one-line refusal must contain
 * ({@code refusal}). Regenerate with {@code main(DIR)}; the cases are small (a 3-class DenseNet of a few hundred
 * parameters), so the corpus stays a few hundred KB.
 */
public final class HostileModelCorpus {

    private HostileModelCorpus() {}

    /** A case: how its directory is made from the base model, and the refusal it must get. */
    private interface Mutation {
        void apply(Path dir) throws IOException;
    }

    private record Case(String about, String refusal, Mutation mutation) {}

    public static void main(String[] args) throws Exception {
        write(Path.of(args[0]));
    }

    /** Writes every case (and the good base it mutates, as {@code good}) under {@code root}. */
    public static void write(Path root) throws Exception {
        Path base = root.resolve("good");
        TorchvisionImporter.writeRandomArtifact(ModelArtifact.builder().directory(base).name("hostile-base")
                .version("1").architecture(DenseNetConfig.builder().growthRate(2).blocks(1, 1).initFeatures(4)
                        .bnSize(2).numClasses(3).inputChannels(1).stem(DenseNetConfig.Stem.CIFAR).build())
                .labels(List.of("a", "b", "c"))
                .preprocessing(Preprocessing.of(1, 16, 16, 16, new float[] {0.5f}, new float[] {0.25f})).build());
        Path graphSource = Files.createTempDirectory("hostile-graph");
        GraphModels.export(ModelArtifact.read(base), graphSource, "g");
        GraphModels.importGraph(graphSource.resolve("g-symbol.json"), graphSource.resolve("g-0000.params"),
                "hostile-graph", "1", ModelArtifact.read(base).preprocessing(), List.of("a", "b", "c"),
                root.resolve("good-graph"));
        Files.copy(base.resolve(ModelArtifact.DEFAULT_WEIGHTS), root.resolve("outside.safetensors"));

        for (Map.Entry<String, Case> c : cases().entrySet()) {
            Case hostile = c.getValue();
            Path dir = root.resolve(c.getKey());
            boolean graph = c.getKey().startsWith("graph-");
            Path from = graph ? root.resolve("good-graph") : base;
            Files.createDirectories(dir);
            try (var files = Files.list(from)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
            hostile.mutation().apply(dir);
            // Written by hand, not Properties.store: no date line, so that regenerating changes only what changed.
            Files.writeString(dir.resolve("case.properties"), "about=" + hostile.about() + "\nrefusal="
                    + hostile.refusal() + "\n");
        }
    }

    private static Map<String, Case> cases() {
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("growth-320", new Case("DenseNet-121's blocks with growth_rate 320 instead of 32: ~800 M parameters,"
                + " gigabytes if allocated", "more than the limit of 200000000",
                dir -> descriptor(dir, json -> json.replace("\"growth_rate\": 2", "\"growth_rate\": 320")
                        .replace("\"blocks\": [\n      1,\n      1\n    ]", "\"blocks\": [6, 12, 24, 16]")
                        .replace("\"init_features\": 4", "\"init_features\": 64")
                        .replace("\"bn_size\": 2", "\"bn_size\": 4"))));
        cases.put("growth-max-int", new Case("growth_rate 2147483647", "'growth_rate' must be at most",
                dir -> descriptor(dir, json -> json.replace("\"growth_rate\": 2", "\"growth_rate\": 2147483647"))));
        cases.put("growth-wraps", new Case("growth_rate 4294967298 (2^32 + 2, whose low 32 bits read as 2)",
                "architecture.growth_rate: expected a whole number",
                dir -> descriptor(dir, json -> json.replace("\"growth_rate\": 2", "\"growth_rate\": 4294967298"))));
        cases.put("huge-float", new Case("init_features 1e300", "architecture.init_features: expected a whole number",
                dir -> descriptor(dir, json -> json.replace("\"init_features\": 4", "\"init_features\": 1e300"))));
        cases.put("negative-classes", new Case("num_classes -3", "'num_classes' must be > 0",
                dir -> descriptor(dir, json -> json.replace("\"num_classes\": 3", "\"num_classes\": -3"))));
        cases.put("layers-per-block", new Case("a block of 2,000,000,000 layers", "must have at most 10000 layers",
                dir -> descriptor(dir, json -> json.replace("\"blocks\": [\n      1,", "\"blocks\": [\n      2000000000,"))));
        cases.put("wrong-type", new Case("growth_rate a string", "architecture.growth_rate: expected a whole number",
                dir -> descriptor(dir, json -> json.replace("\"growth_rate\": 2", "\"growth_rate\": \"wide\""))));
        cases.put("labels-not-a-list", new Case("labels an object instead of a list", "malformed",
                dir -> descriptor(dir, json -> json.replaceAll("(?s)\"labels\": \\[[^\\]]*\\]",
                        "\"labels\": {\"a\": 1}"))));
        cases.put("labels-mismatch", new Case("5 labels for an architecture of 3 classes", "5 labels for 3 classes",
                dir -> descriptor(dir, json -> json.replaceAll("(?s)\"labels\": \\[[^\\]]*\\]",
                        "\"labels\": [\"a\", \"b\", \"c\", \"d\", \"e\"]"))));
        cases.put("format-version", new Case("format_version 999", "format_version 999 is not supported",
                dir -> descriptor(dir, json -> json.replace("\"format_version\": 1", "\"format_version\": 999"))));
        cases.put("not-json", new Case("model.json is not JSON", "malformed",
                dir -> Files.writeString(dir.resolve(ModelArtifact.DESCRIPTOR), "{\"format_version\": 1, \"name\": ")));
        cases.put("weights-escape", new Case("weights ../outside.safetensors (a valid file outside the directory)",
                "outside the model directory",
                dir -> descriptor(dir, json -> json.replace("\"weights\": \"weights.safetensors\"",
                        "\"weights\": \"../outside.safetensors\""))));
        cases.put("weights-absolute", new Case("weights an absolute path", "outside the model directory",
                dir -> descriptor(dir, json -> json.replace("\"weights\": \"weights.safetensors\"",
                        "\"weights\": \"/etc/hostname\""))));
        cases.put("digest-mismatch", new Case("one weight byte changed after model.json recorded the digest",
                "no longer match the content_digest", dir -> flipLastByte(dir.resolve(ModelArtifact.DEFAULT_WEIGHTS))));
        cases.put("truncated", new Case("weights cut in half (model.json without a digest)", "safetensors",
                weightsWithoutDigest(HostileModelCorpus::cut)));
        cases.put("header-length-huge", new Case("safetensors header length 2^62", "header",
                weightsWithoutDigest(file -> headerLength(file, 1L << 62))));
        cases.put("header-garbage", new Case("safetensors header not JSON", "header",
                weightsWithoutDigest(HostileModelCorpus::garbleHeader)));
        cases.put("shape-lies", new Case("a tensor's shape claims 10^12 values", "safetensors",
                weightsWithoutDigest(HostileModelCorpus::lieAboutShape)));
        cases.put("graph-labels-mismatch", new Case("an imported graph of 3 outputs whose model.json lists 5 labels"
                + " (hand-edited, no digest)", "gives 3 class scores per image but model.json lists 5 labels",
                dir -> descriptor(dir, json -> withoutDigest(json).replaceAll("(?s)\"labels\": \\[[^\\]]*\\]",
                        "\"labels\": [\"a\", \"b\", \"c\", \"d\", \"e\"]"))));
        cases.put("graph-prefix-escape", new Case("graph_prefix ../good-graph/graph", "outside the model directory",
                dir -> descriptor(dir, json -> json.replace("\"graph_prefix\": \"graph\"",
                        "\"graph_prefix\": \"../good-graph/graph\""))));
        return cases;
    }

    /**
     * A model.json without a digest (as written by hand, or before digests) whose weight file {@code edit} damages: the
     * weight file's own checks, not the digest, must refuse it.
     */
    private static Mutation weightsWithoutDigest(Mutation edit) {
        return dir -> {
            descriptor(dir, HostileModelCorpus::withoutDigest);
            edit.apply(dir.resolve(ModelArtifact.DEFAULT_WEIGHTS));
        };
    }

    private interface Edit {
        String apply(String json);
    }

    private static void descriptor(Path dir, Edit edit) throws IOException {
        Path file = dir.resolve(ModelArtifact.DESCRIPTOR);
        String before = Files.readString(file);
        String after = edit.apply(before);
        if (after.equals(before)) {
            throw new IllegalStateException("the edit changed nothing in " + file);
        }
        Files.writeString(file, after);
    }

    private static String withoutDigest(String json) {
        return json.replaceAll("\"content_digest\": \"[^\"]*\",\\s*", "");
    }

    private static void flipLastByte(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x5a;
        Files.write(file, bytes);
    }

    private static void cut(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    }

    private static void headerLength(Path file, long length) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        Files.write(file, bytes);
    }

    private static void garbleHeader(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 8; i < 40; i++) {
            bytes[i] = (byte) '#';
        }
        Files.write(file, bytes);
    }

    /** Rewrites the first tensor's shape as [1000000, 1000000]; the header's length follows, the data is kept. */
    private static void lieAboutShape(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int length = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(bytes, 8, length, StandardCharsets.UTF_8);
        byte[] lied = header.replaceFirst("\"shape\":\\s*\\[[^\\]]*\\]", "\"shape\":[1000000,1000000]")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + lied.length + bytes.length - 8 - length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(lied.length).put(lied).put(bytes, 8 + length, bytes.length - 8 - length);
        Files.write(file, out.array());
    }
}
