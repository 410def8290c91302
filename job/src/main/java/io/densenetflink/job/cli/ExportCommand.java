package io.densenetflink.job.cli;

import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.graph.MxGraphFiles;
import io.densenetflink.model.inference.GraphModels;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densenet export}: a DenseNet model directory as MXNet graph files (what compiled mode runs). */
@Command(name = "export", mixinStandardHelpOptions = true,
        header = "Write a DenseNet model as an MXNet symbolic graph.",
        description = "Write a DenseNet model as an MXNet symbolic graph: PREFIX-symbol.json + PREFIX-0000.params.")
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "DenseNet model directory.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the graph files.")
    Path out;

    @Option(names = "--prefix", defaultValue = "densenet", paramLabel = "NAME", description = "File prefix (default densenet).")
    String prefix;

    @Override
    public Integer call() throws Exception {
        GraphModels.export(ModelArtifact.read(model), out, prefix);
        spec.commandLine().getOut().printf("wrote %s and %s%n", MxGraphFiles.symbolFile(out, prefix),
                MxGraphFiles.paramsFile(out, prefix));
        return 0;
    }
}
