package io.densenetflink.job.cli;

import io.densenetflink.model.artifact.ModelRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densenet publish}: a model directory into a repository of numbered versions, visible in one rename. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        header = "Publish a model directory as the next version of a model repository.",
        description = "Publish a model directory as the next version of a model repository (DIR/1, DIR/2, ...). The "
                + "copy is written under a hidden name inside the repository and renamed to its number, so a running "
                + "job sees all of it or nothing; the job switches to it at a checkpoint.")
final class PublishCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "SRC", description = "The model directory to publish.")
    Path model;

    @Option(names = "--repository", required = true, paramLabel = "DIR",
            description = "The repository (created if missing; must not be a model directory itself).")
    Path repository;

    @Option(names = "--version", paramLabel = "N", description = "Version number (default: one above the highest).")
    Long version;

    @Override
    public Integer call() throws Exception {
        if (ModelRepository.isModelDirectory(repository)) {
            throw new IllegalArgumentException(repository + " is a model directory, not a repository of versions");
        }
        Files.createDirectories(repository);
        long published = ModelRepository.at(repository).publish(model,
                version == null ? OptionalLong.empty() : OptionalLong.of(version));
        spec.commandLine().getOut().printf("published %s as version %d: %s%n", model, published,
                repository.resolve(Long.toString(published)));
        return 0;
    }
}
