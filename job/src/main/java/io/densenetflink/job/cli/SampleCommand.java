package io.densenetflink.job.cli;

import io.densenetflink.model.data.FashionMnist;
import io.densenetflink.model.data.LabeledImages;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code densenet sample}: copies the first N Fashion-MNIST test images and labels into a gzipped IDX pair, the
 * labelled sample committed under {@code models/fashion-mnist-sample/}.
 */
@Command(name = "sample", mixinStandardHelpOptions = true,
        header = "Write the first Fashion-MNIST test images and labels as an IDX pair.",
        description = "Write the first --count Fashion-MNIST test images and labels as a gzipped IDX pair "
                + "(t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz), readable by eval --data-dir.")
final class SampleCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The full data set (default /usr/share/datasets/fashion-mnist).")
    Path dataDir = FashionMnist.DEBIAN_DIR;

    @Option(names = "--count", defaultValue = "1000", paramLabel = "N", description = "Images to copy (default 1000).")
    int count;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write the pair into.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (count <= 0) {
            throw new IllegalArgumentException("--count must be > 0, got " + count);
        }
        LabeledImages test = FashionMnist.load(dataDir, FashionMnist.Split.TEST);
        FashionMnist.writeSample(test, count, out, FashionMnist.Split.TEST);
        int[] perClass = test.first(count).classCounts(FashionMnist.CLASS_NAMES.size());
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote the first %d of %d test images and their labels to %s (%s, %s)%n", count,
                test.count(), out, FashionMnist.Split.TEST.imagesFile() + ".gz",
                FashionMnist.Split.TEST.labelsFile() + ".gz");
        StringBuilder classes = new StringBuilder("images per class:");
        for (int c = 0; c < perClass.length; c++) {
            classes.append(c == 0 ? " " : ", ").append(FashionMnist.CLASS_NAMES.get(c)).append(' ').append(perClass[c]);
        }
        w.println(classes);
        w.flush();
        return 0;
    }
}
