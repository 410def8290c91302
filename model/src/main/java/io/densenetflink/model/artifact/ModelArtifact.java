package io.densenetflink.model.artifact;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.graph.MxGraphFiles;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.nn.DenseNetNetwork;
import io.densenetflink.model.nn.DenseNetStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model on disk: a directory holding {@code model.json} (name, version, architecture, class labels,
 * preprocessing, provenance, metrics, content digest) and the files it names: a DenseNet's weights as
 * safetensors with torchvision key names, or an MXNet graph ({@code graph_prefix}: {@link MxGraphFiles}'s
 * symbol and parameter files) for imported and converted models.
 *
 * <p>{@link #read(Path)} validates everything it can without loading the weights: a missing directory or
 * file, malformed JSON, a missing field, labels that do not match the class count, a bad preprocessing
 * block, files outside the directory and sizes over the {@link ModelLimits} all fail with a message naming the
 * file and the field. {@link #verifyContent()} checks the files against the recorded digest.
 */
public final class ModelArtifact {

    /** The file that describes the model inside an artifact directory. */
    public static final String DESCRIPTOR = "model.json";

    /** The weight file name of a DenseNet model, unless model.json's {@code weights} names another. */
    public static final String DEFAULT_WEIGHTS = "weights.safetensors";

    static final int FORMAT_VERSION = 1;

    /** snake_case keys throughout model.json, including the preprocessing block. */
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .serializeSpecialFloatingPointValues().create();

    private final Path directory;
    private final String name;
    private final String version;
    private final DenseNetConfig architecture;
    private final String graphPrefix;
    private final List<String> labels;
    private final Preprocessing preprocessing;
    private final String weightsFile;
    private final Map<String, Object> provenance;
    private final Map<String, Object> metrics;
    private final Precision precision;
    private final Map<String, Object> lowPrecision;
    private final int maxForwardBatch;
    private final String contentDigest;

    private ModelArtifact(Builder b) {
        this.directory = b.directory;
        this.name = require(b.name, "name");
        this.version = require(b.version, "version");
        this.graphPrefix = b.graphPrefix;
        this.architecture = graphPrefix == null ? require(b.architecture, "architecture") : b.architecture;
        this.labels = List.copyOf(b.labels == null && architecture != null ? defaultLabels(architecture.numClasses())
                : require(b.labels, "labels"));
        this.preprocessing = require(b.preprocessing, "preprocessing");
        this.weightsFile = graphPrefix != null ? MxGraphFiles.paramsFileName(graphPrefix)
                : b.weightsFile == null ? DEFAULT_WEIGHTS : b.weightsFile;
        this.provenance = Collections.unmodifiableMap(new LinkedHashMap<>(b.provenance));
        this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(b.metrics));
        this.precision = b.precision;
        this.lowPrecision = Collections.unmodifiableMap(new LinkedHashMap<>(b.lowPrecision));
        this.maxForwardBatch = b.maxForwardBatch;
        this.contentDigest = b.contentDigest;
        if (contentDigest != null && !ContentDigest.FORMAT.matcher(contentDigest).matches()) {
            throw new IllegalArgumentException("content_digest must be sha256: and 64 hex digits, got "
                    + contentDigest);
        }
        if (maxForwardBatch < 0) {
            throw new IllegalArgumentException("max_forward_batch must be >= 0 (0 = no limit), got " + maxForwardBatch);
        }
        if (precision != Precision.FP32 && graphPrefix == null) {
            throw new IllegalArgumentException("precision " + precision.id() + " needs a graph (graph_prefix):"
                    + " low-precision models are stored as converted MXNet graphs");
        }
        preprocessing.validate();
        if (architecture == null) {
            return;
        }
        if (labels.size() != architecture.numClasses()) {
            throw new IllegalArgumentException("labels: " + labels.size() + " labels for "
                    + architecture.numClasses() + " classes");
        }
        if (preprocessing.channels() != architecture.inputChannels()) {
            throw new IllegalArgumentException("preprocessing.channels (" + preprocessing.channels()
                    + ") differs from architecture.input_channels (" + architecture.inputChannels() + ")");
        }
    }

    private static <T> T require(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return value;
    }

    /** {@code class_0 ... class_{n-1}}, for models imported without a label file. */
    public static List<String> defaultLabels(int classes) {
        List<String> out = new ArrayList<>(classes);
        for (int i = 0; i < classes; i++) {
            out.add("class_" + i);
        }
        return out;
    }

    /** {@link #read(Path, ModelLimits)} with the {@linkplain ModelLimits#DEFAULT default limits}. */
    public static ModelArtifact read(Path dir) throws ModelLoadException {
        return read(dir, ModelLimits.DEFAULT);
    }

    /**
     * Reads and validates {@code dir/model.json}; checks that the files it names exist inside {@code dir} (not
     * their contents) and that the model is within {@code limits}, from the architecture and the files' sizes.
     */
    public static ModelArtifact read(Path dir, ModelLimits limits) throws ModelLoadException {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("model directory not found: " + dir);
        }
        Path descriptor = dir.resolve(DESCRIPTOR);
        if (!Files.isRegularFile(descriptor)) {
            throw new ModelLoadException("not a model directory: " + descriptor + " is missing");
        }
        ModelArtifact artifact;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(descriptor, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) {
                throw new IllegalArgumentException("expected a JSON object");
            }
            artifact = fromJson(root.getAsJsonObject(), dir);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + descriptor + ": " + e.getMessage(), e);
        } catch (JsonParseException | IllegalArgumentException | IllegalStateException
                | UnsupportedOperationException | NullPointerException | ArithmeticException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse(""); // Gson adds a line with a link
            throw new ModelLoadException("malformed " + descriptor + ": " + why, e);
        }
        if (artifact.isGraph()) {
            requireInside(dir, descriptor, "graph_prefix", MxGraphFiles.symbolFileName(artifact.graphPrefix()), "graph file");
        }
        requireInside(dir, descriptor, artifact.isGraph() ? "graph_prefix" : "weights", artifact.weightsFile(),
                "weight file");
        requireWithin(artifact, descriptor, limits);
        return artifact;
    }

    /** Refuses, with the numbers, a model larger than {@code limits}: before any of it is allocated. */
    private static void requireWithin(ModelArtifact artifact, Path descriptor, ModelLimits limits)
            throws ModelLoadException {
        long weightBytes;
        try {
            weightBytes = Files.size(artifact.weightsPath());
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + artifact.weightsPath() + ": " + e.getMessage(), e);
        }
        if (artifact.isGraph()) {
            if (weightBytes > limits.maxGraphParameterBytes()) {
                throw new ModelLoadException("the graph's parameter file " + artifact.weightsPath() + " has "
                        + weightBytes + " bytes, more than the " + limits.maxGraphParameterBytes() + " allowed for "
                        + limits.maxParameters() + " parameters (the max-model-parameters limit): refused");
            }
            return;
        }
        long parameters = artifact.parameterCount();
        if (parameters > limits.maxParameters()) {
            throw new ModelLoadException("the architecture in " + descriptor + " has " + parameters
                    + " parameters, more than the limit of " + limits.maxParameters() + " (max-model-parameters;"
                    + " DenseNet-264 has 33,337,704): refused before allocating them");
        }
        long mostBytes = maxWeightFileBytes(parameters);
        if (weightBytes > mostBytes) {
            throw new ModelLoadException("the weight file " + artifact.weightsPath() + " has " + weightBytes
                    + " bytes, more than the " + mostBytes + " the architecture's " + parameters
                    + " parameters can take: refused");
        }
    }

    /**
     * The most bytes a weight file for {@code parameters} learnable parameters may have: BatchNorm's running
     * statistics at most double the count, eight bytes each (a float64 file), and 1 MiB for the header.
     */
    static long maxWeightFileBytes(long parameters) {
        return 2 * parameters * 8 + (1 << 20);
    }

    /**
     * The model's learnable parameters (weights and biases, as torchvision counts them), worked out from the
     * architecture; -1 for an imported graph, whose architecture is not described.
     */
    public long parameterCount() {
        if (architecture == null) {
            return -1;
        }
        int side = DenseNetNetwork.minimumInputSize(architecture);
        return DenseNetStats.of(architecture, side, side).parameters();
    }

    /** The most numbers (parameters and BatchNorm statistics) the weight file of this architecture holds. */
    public long maxStoredValues() {
        return architecture == null ? Long.MAX_VALUE : 2 * parameterCount();
    }

    /**
     * A file model.json names must exist and lie inside the model directory, also once links are followed:
     * a descriptor (written by whoever publishes a model) must not make the job read files elsewhere on the
     * machine ({@code ../../etc/...}, an absolute path, or a link that {@code publish} would copy through).
     */
    private static void requireInside(Path dir, Path descriptor, String field, String name, String what)
            throws ModelLoadException {
        Path named;
        try {
            named = Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ModelLoadException("'" + field + "' in " + descriptor + " is not a file name: " + e.getMessage(), e);
        }
        Path file = dir.resolve(named);
        if (named.isAbsolute() || !file.normalize().startsWith(dir.normalize())) {
            throw new ModelLoadException("'" + field + "' in " + descriptor + " names " + name
                    + ", outside the model directory: refused (files must lie inside " + dir + ")");
        }
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(what + " " + file + " named in " + descriptor + " is missing");
        }
        try {
            Path real = file.toRealPath();
            if (!real.startsWith(dir.toRealPath())) {
                throw new ModelLoadException(what + " " + file + " named in " + descriptor + " is a link to " + real
                        + ", outside the model directory: refused");
            }
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static ModelArtifact fromJson(JsonObject o, Path dir) {
        int format = ArchitectureJson.exactInt(field(o, "format_version"), "format_version");
        if (format != FORMAT_VERSION) {
            throw new IllegalArgumentException("format_version " + format + " is not supported (expected "
                    + FORMAT_VERSION + ")");
        }
        Builder b = builder()
                .directory(dir)
                .name(field(o, "name").getAsString())
                .version(field(o, "version").getAsString())
                .preprocessing(GSON.fromJson(field(o, "preprocessing"), Preprocessing.class));
        if (o.has("graph_prefix")) {
            b.graphPrefix(field(o, "graph_prefix").getAsString());
        } else {
            b.weightsFile(field(o, "weights").getAsString());
        }
        if (o.has("architecture") || !o.has("graph_prefix")) {
            b.architecture(ArchitectureJson.read(field(o, "architecture").getAsJsonObject()));
        }
        List<String> labels = new ArrayList<>();
        for (JsonElement label : field(o, "labels").getAsJsonArray()) {
            labels.add(label.getAsString());
        }
        b.labels(labels);
        if (o.has("provenance")) {
            b.provenance(GSON.fromJson(o.get("provenance"), Map.class));
        }
        if (o.has("metrics")) {
            b.metrics(GSON.fromJson(o.get("metrics"), Map.class));
        }
        if (o.has("precision")) {
            b.precision(Precision.parse(field(o, "precision").getAsString()));
        }
        if (o.has("low_precision")) {
            b.lowPrecision(GSON.fromJson(o.get("low_precision"), Map.class));
        }
        if (o.has("max_forward_batch")) {
            b.maxForwardBatch(ArchitectureJson.exactInt(field(o, "max_forward_batch"), "max_forward_batch"));
        }
        if (o.has("content_digest")) {
            b.contentDigest(field(o, "content_digest").getAsString());
        }
        return b.build();
    }

    private static JsonElement field(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("field '" + name + "' is missing");
        }
        return e;
    }

    /**
     * Writes {@code model.json} into {@code dir} (created if needed); weights are written by the caller, before:
     * when the files it names are in {@code dir}, model.json records their {@linkplain ContentDigest content
     * digest}, which every later load checks.
     */
    public void writeDescriptor(Path dir) throws IOException {
        Files.createDirectories(dir);
        JsonObject o = new JsonObject();
        o.addProperty("format_version", FORMAT_VERSION);
        o.addProperty("name", name);
        o.addProperty("version", version);
        JsonObject computing = computingFields();
        computing.entrySet().forEach(e -> o.add(e.getKey(), e.getValue()));
        if (!lowPrecision.isEmpty()) {
            // How the model was made, not what it computes (its graph is that): outside the digest, and its
            // numbers come back from JSON as doubles.
            o.add("low_precision", GSON.toJsonTree(lowPrecision));
        }
        if (dataFiles().stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)))) {
            o.addProperty("content_digest", digestOf(dir));
        }
        o.add("provenance", GSON.toJsonTree(provenance));
        o.add("metrics", GSON.toJsonTree(metrics));
        Files.writeString(dir.resolve(DESCRIPTOR), GSON.toJson(o) + "\n", StandardCharsets.UTF_8);
    }

    /** The model.json fields that decide what the model answers (all but name, version, provenance, metrics). */
    private JsonObject computingFields() {
        JsonObject o = new JsonObject();
        if (architecture != null) {
            o.add("architecture", ArchitectureJson.write(architecture));
        }
        JsonArray labelsJson = new JsonArray();
        labels.forEach(labelsJson::add);
        o.add("labels", labelsJson);
        o.add("preprocessing", GSON.toJsonTree(preprocessing));
        if (graphPrefix != null) {
            o.addProperty("graph_prefix", graphPrefix);
        } else {
            o.addProperty("weights", weightsFile);
        }
        o.addProperty("precision", precision.id());
        if (maxForwardBatch > 0) {
            o.addProperty("max_forward_batch", maxForwardBatch);
        }
        return o;
    }

    /** The files whose bytes the model is: its weight file, or its graph's symbol and parameter files. */
    private List<String> dataFiles() {
        return isGraph() ? List.of(MxGraphFiles.symbolFileName(graphPrefix), weightsFile) : List.of(weightsFile);
    }

    private String digestOf(Path dir) throws IOException {
        return ContentDigest.of(computingFields().toString(), dir, dataFiles());
    }

    /**
     * The SHA-256 of what the model computes that model.json recorded when the model was written ({@code
     * sha256:...}), or null for a model written before digests were recorded.
     */
    public String contentDigest() {
        return contentDigest;
    }

    /**
     * Checks the files against the recorded {@link #contentDigest()}: a model whose weights were changed, cut
     * short or replaced after it was written is refused. A model without a recorded digest passes.
     */
    public void verifyContent() throws ModelLoadException {
        if (contentDigest == null) {
            return;
        }
        String now;
        try {
            now = digestOf(directory);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read the files of " + directory + " to check their digest: "
                    + e.getMessage(), e);
        }
        if (!now.equals(contentDigest)) {
            throw new ModelLoadException("the files of " + directory + " no longer match the content_digest in its "
                    + DESCRIPTOR + " (recorded " + contentDigest + ", now " + now + "): changed or cut short after"
                    + " the model was written, refused");
        }
    }

    public Path directory() {
        return directory;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    /** The DenseNet architecture; null for an imported MXNet graph of another network. */
    public DenseNetConfig architecture() {
        return architecture;
    }

    /** True for an imported MXNet/Gluon graph ({@code PREFIX-symbol.json} + {@code PREFIX-0000.params}). */
    public boolean isGraph() {
        return graphPrefix != null;
    }

    /** The graph files' prefix inside the directory, or null for a DenseNet weight file. */
    public String graphPrefix() {
        return graphPrefix;
    }

    /** Number of classes (one label each). */
    public int numClasses() {
        return labels.size();
    }

    /** Image channels the model takes. */
    public int inputChannels() {
        return preprocessing.channels();
    }

    public List<String> labels() {
        return labels;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    public String weightsFile() {
        return weightsFile;
    }

    /** The weight file, resolved against the artifact directory. */
    public Path weightsPath() {
        return directory.resolve(weightsFile);
    }

    public Map<String, Object> provenance() {
        return provenance;
    }

    public Map<String, Object> metrics() {
        return metrics;
    }

    /** The arithmetic the graph runs in (fp32 unless the model was converted). */
    public Precision precision() {
        return precision;
    }

    /**
     * How a low-precision model was made (method, granularity, calibration set, the fp32 model it came from);
     * empty for fp32.
     */
    public Map<String, Object> lowPrecision() {
        return lowPrecision;
    }

    /**
     * The most images one forward runs (0: no limit); a larger batch runs as several forwards. Set where a
     * larger forward is slower per image (its feature maps outgrow the caches) and needs more memory.
     */
    public int maxForwardBatch() {
        return maxForwardBatch;
    }

    public Builder toBuilder() {
        return builder().directory(directory).name(name).version(version).architecture(architecture)
                .graphPrefix(graphPrefix).labels(labels).preprocessing(preprocessing).weightsFile(weightsFile)
                .provenance(provenance).metrics(metrics).precision(precision).lowPrecision(lowPrecision)
                .maxForwardBatch(maxForwardBatch).contentDigest(contentDigest);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private Path directory = Path.of(".");
        private String name;
        private String version;
        private DenseNetConfig architecture;
        private String graphPrefix;
        private List<String> labels;
        private Preprocessing preprocessing;
        private String weightsFile;
        private final Map<String, Object> provenance = new LinkedHashMap<>();
        private final Map<String, Object> metrics = new LinkedHashMap<>();
        private Precision precision = Precision.FP32;
        private final Map<String, Object> lowPrecision = new LinkedHashMap<>();

        private int maxForwardBatch;
        private String contentDigest;

        private Builder() {}

        /**
         * The digest model.json recorded (set when read; {@link ModelArtifact#writeDescriptor} works it out).
         * Setting anything it covers (architecture, labels, preprocessing, files, precision, forward batch) after
         * it drops it: an artifact changed in memory has no recorded digest until it is written and read again.
         */
        public Builder contentDigest(String digest) {
            this.contentDigest = digest;
            return this;
        }

        public Builder maxForwardBatch(int images) {
            this.maxForwardBatch = images;
            this.contentDigest = null; // what it computes changed: the recorded digest no longer says
            return this;
        }

        public Builder precision(Precision p) {
            this.precision = p;
            this.contentDigest = null; // what it computes changed: the recorded digest no longer says
            return this;
        }

        /** Replaces the low-precision record (see {@link ModelArtifact#lowPrecision()}). */
        public Builder lowPrecision(Map<String, ?> record) {
            this.lowPrecision.clear();
            this.lowPrecision.putAll(record);
            return this;
        }

        public Builder directory(Path dir) {
            this.directory = dir;
            return this;
        }

        public Builder name(String n) {
            this.name = n;
            return this;
        }

        public Builder version(String v) {
            this.version = v;
            return this;
        }

        /** Makes this an MXNet graph artifact with files {@code PREFIX-symbol.json} and {@code PREFIX-0000.params}. */
        public Builder graphPrefix(String prefix) {
            this.graphPrefix = prefix;
            this.contentDigest = null; // what it computes changed: the recorded digest no longer says
            return this;
        }

        public Builder architecture(DenseNetConfig c) {
            this.architecture = c;
            this.contentDigest = null; // what it computes changed: the recorded digest no longer says
            return this;
        }

        public Builder labels(List<String> l) {
            this.labels = l;
            this.contentDigest = null; // what it computes changed: the recorded digest no longer says
            return this;
        }

        public Builder preprocessing(Preprocessing p) {
            this.preprocessing = p;
            this.contentDigest = null; // what it computes changed: the recorded digest no longer says
            return this;
        }

        public Builder weightsFile(String f) {
            this.weightsFile = f;
            this.contentDigest = null; // what it computes changed: the recorded digest no longer says
            return this;
        }

        public Builder provenance(Map<String, ?> p) {
            this.provenance.putAll(p);
            return this;
        }

        public Builder metrics(Map<String, ?> m) {
            this.metrics.putAll(m);
            return this;
        }

        public ModelArtifact build() {
            return new ModelArtifact(this);
        }
    }
}
