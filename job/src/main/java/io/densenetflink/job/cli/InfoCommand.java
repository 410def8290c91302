package io.densenetflink.job.cli;

import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.nn.DenseNetStats;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densenet info}: the layer layout, parameter count and multiply-adds of an architecture. */
@Command(name = "info", mixinStandardHelpOptions = true,
        header = "Print a DenseNet's layer layout, parameter count and MACs.",
        description = "Print the layer layout, parameter count and MACs of a DenseNet.")
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ArchitectureOptions architecture;

    @Mixin
    PreprocessingOptions input;

    @Option(names = "--model", paramLabel = "DIR", description = "Describe a model artifact instead.")
    Path model;

    @Option(names = "--classes", paramLabel = "N", description = "Number of classes (default: the preset's).")
    Integer classes;

    @Override
    public Integer call() throws Exception {
        DenseNetConfig config;
        int[] size;
        String title;
        if (model != null) {
            ModelArtifact artifact = ModelArtifact.read(model);
            if (artifact.isGraph()) {
                throw new IllegalArgumentException(model + " holds an imported MXNet graph, not a DenseNet"
                        + " architecture: info describes DenseNets");
            }
            config = artifact.architecture();
            size = new int[] {artifact.preprocessing().cropHeight(), artifact.preprocessing().cropWidth()};
            title = artifact.name() + " " + artifact.version();
        } else {
            DenseNetConfig.Builder b = architecture.toBuilder();
            if (classes != null) {
                b.numClasses(classes);
            }
            config = b.build();
            size = input.size(config);
            title = architecture.variant != null ? architecture.variant : "custom DenseNet";
        }
        DenseNetStats stats = DenseNetStats.of(config, size[0], size[1]);
        var out = spec.commandLine().getOut();
        out.printf("%s: %s%n", title, config);
        out.printf("input %dx%dx%d, depth %d%n%n", config.inputChannels(), size[0], size[1], config.depth());
        out.printf("%-12s %-58s %16s %14s %10s%n", "stage", "layers", "output (CxHxW)", "parameters", "MMACs");
        for (DenseNetStats.Stage s : stats.stages()) {
            out.printf("%-12s %-58s %16s %,14d %,10.1f%n", s.name(), s.description(),
                    s.channels() + "x" + s.height() + "x" + s.width(), s.parameters(), s.macs() / 1e6);
        }
        out.printf("%nparameters: %,d%n", stats.parameters());
        out.printf("MACs: %,d (%.2f G) per image%n", stats.macs(), stats.macs() / 1e9);
        return 0;
    }
}
