package io.densenetflink.job.cli;

import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.inference.GraphModels;
import io.densenetflink.model.weights.TorchvisionImporter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densenet import}: a torchvision/timm DenseNet state dict becomes a model artifact. */
@Command(name = "import", mixinStandardHelpOptions = true,
        header = "Import DenseNet weights or an MXNet/Gluon graph into a model directory.",
        description = "Import torchvision/timm DenseNet weights (.safetensors or .npz) into a model directory, or "
                + "(--from gluon) an MXNet/Gluon-exported image classifier (--symbol X-symbol.json --params "
                + "X-0000.params).")
final class ImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--from", defaultValue = "torchvision", paramLabel = "torchvision|timm|gluon",
            description = "torchvision or timm (same key names): a DenseNet state dict; gluon: an MXNet symbol graph.")
    String from;

    @Option(names = "--weights", paramLabel = "FILE", description = ".safetensors or .npz file (torchvision/timm).")
    Path weights;

    @Option(names = "--symbol", paramLabel = "FILE", description = "X-symbol.json (gluon).")
    Path symbol;

    @Option(names = "--params", paramLabel = "FILE", description = "X-0000.params (gluon).")
    Path params;

    @Mixin
    ArchitectureOptions architecture;

    @Mixin
    PreprocessingOptions preprocessing;

    @Option(names = "--classes", paramLabel = "N", description = "Number of classes (default: read from classifier.weight).")
    Integer classes;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class labels, one per line (default class_0 ...).")
    Path labels;

    @Option(names = "--name", paramLabel = "NAME", description = "Model name (default: the variant or 'densenet').")
    String name;

    @Option(names = "--version", paramLabel = "V", defaultValue = "1", description = "Model version (default 1).")
    String version;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write the model into.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (from.equals("gluon")) {
            return importGraph();
        }
        if (!from.equals("torchvision") && !from.equals("timm")) {
            throw new IllegalArgumentException("--from: expected torchvision, timm or gluon, got '" + from + "'");
        }
        if (weights == null) {
            throw new IllegalArgumentException("--weights FILE is required with --from " + from);
        }
        DenseNetConfig config = TorchvisionImporter.completeArchitecture(architecture.toBuilder(), classes, weights);
        ModelArtifact.Builder target = ModelArtifact.builder()
                .name(name != null ? name : architecture.variant != null ? architecture.variant : "densenet")
                .version(version)
                .architecture(config)
                .preprocessing(preprocessing.toPreprocessing(config))
                .provenance(Map.of("source", from + "-state-dict"));
        if (labels != null) {
            target.labels(readLabels(labels));
        }
        ModelArtifact artifact = TorchvisionImporter.importWeights(weights, target.build(), out);
        spec.commandLine().getOut().printf("imported %s (%d classes, %s) into %s%n", weights,
                config.numClasses(), config, artifact.directory());
        return 0;
    }

    /** A foreign classifier as MXNet graph files; preprocessing from the options (default ImageNet 224). */
    private int importGraph() throws Exception {
        if (symbol == null || params == null) {
            throw new IllegalArgumentException("--from gluon needs --symbol X-symbol.json and --params X-0000.params");
        }
        // The preprocessing defaults follow an ImageNet-style network with the given input channels.
        DenseNetConfig imagenetLike = DenseNetConfig.builder().blocks(1)
                .inputChannels(architecture.inputChannels != null ? architecture.inputChannels : 3).build();
        ModelArtifact artifact = GraphModels.importGraph(symbol, params, name != null ? name : "gluon-model", version,
                preprocessing.toPreprocessing(imagenetLike), labels == null ? null : readLabels(labels), out);
        spec.commandLine().getOut().printf("imported MXNet graph %s (%d classes) into %s%n", symbol,
                artifact.numClasses(), out);
        return 0;
    }

    private static List<String> readLabels(Path file) throws java.io.IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("label file not found: " + file);
        }
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                .filter(l -> !l.isEmpty()).collect(Collectors.toList());
    }
}
