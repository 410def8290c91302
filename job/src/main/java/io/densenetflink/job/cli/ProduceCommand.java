package io.densenetflink.job.cli;

import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.kafka.client.FrameProducer;
import io.densenetflink.job.kafka.client.KafkaClients;
import io.densenetflink.job.kafka.client.SyntheticPhotos;
import io.densenetflink.model.console.ProgressBar;
import io.densenetflink.model.data.FashionMnist;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code densenet produce}: send image files, or Fashion-MNIST images as PNG, to an input topic. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        header = "Send images to a Kafka topic in the job's input format.",
        description = "Send images to a Kafka topic in the job's input format: key = --source, value = the image "
                + "bytes, headers frame-id (the file name), content-type (from the extension) and, for Fashion-MNIST, "
                + "label (the class index). A directory stands for its files, sorted by name. The topic must exist. "
                + "Idempotent producer (acks=all); prints how many frames the broker acknowledged.")
final class ProduceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaClientOptions kafka;

    @Option(names = "--topic", required = true, paramLabel = "T", description = "The input topic.")
    String topic;

    @Parameters(paramLabel = "DIR|FILE", arity = "0..*", description = "Image files, or directories of them.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--fashion-mnist", paramLabel = "DIR",
            description = "Send Fashion-MNIST images (IDX files in DIR, e.g. /usr/share/datasets/fashion-mnist) as"
                    + " 28x28 grey PNG with their label.")
    Path fashionMnist;

    @Option(names = "--synthetic", paramLabel = "N",
            description = "Send N synthetic photo-like JPEG frames (about 12 KB at 224x224, 32 distinct images).")
    Integer synthetic;

    @Option(names = "--size", defaultValue = "224", paramLabel = "PX", description = "Side of the --synthetic frames (default 224).")
    int size;

    @Option(names = "--split", defaultValue = "test", paramLabel = "test|train",
            description = "Fashion-MNIST split (default test: t10k-*).")
    String split;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Send at most N frames (default all).")
    int limit;

    @Option(names = "--source", paramLabel = "ID", description = "Source id, the records' key (default: none).")
    String source;

    @Option(names = "--save-frames", paramLabel = "DIR",
            description = "Also write every frame sent to DIR as FRAME-ID.EXT, for example to calibrate an int8 model"
                    + " on the very frames a benchmark sends (quantize --calibration DIR).")
    Path saveFrames;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "FPS",
            description = "Frames per second at most (default: as fast as possible).")
    double rate;

    @Override
    public Integer call() throws Exception {
        int inputs = (fashionMnist == null ? 0 : 1) + (paths.isEmpty() ? 0 : 1) + (synthetic == null ? 0 : 1);
        if (inputs != 1) {
            throw new IllegalArgumentException("give one of: image files / directories, --fashion-mnist DIR,"
                    + " --synthetic N");
        }
        if (synthetic != null && (synthetic <= 0 || size <= 0)) {
            throw new IllegalArgumentException("--synthetic and --size must be > 0");
        }
        if (limit < 0 || rate < 0) {
            throw new IllegalArgumentException("--limit and --rate must be >= 0");
        }
        List<FrameInput> frames;
        if (fashionMnist != null) {
            frames = FrameInput.ofFashionMnist(fashionMnist, parseSplit(split), limit);
        } else if (synthetic != null) {
            frames = SyntheticPhotos.frames(limit > 0 ? Math.min(limit, synthetic) : synthetic, size);
        } else {
            frames = FrameInput.ofPaths(paths);
            if (limit > 0 && frames.size() > limit) {
                frames = frames.subList(0, limit);
            }
        }
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("nothing to send: " + paths + " holds no files");
        }
        if (saveFrames != null) {
            Files.createDirectories(saveFrames);
            for (FrameInput frame : frames) {
                frame.saveTo(saveFrames);
            }
        }
        Map<String, String> props = kafka.properties();
        KafkaClients.requireTopic(kafka.bootstrapServers, props, topic);

        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar bar = new ProgressBar(err, "sent", frames.size(), "frames", ProgressBar.stderrIsTerminal(), 10);
        FrameProducer.Result result;
        try (FrameProducer producer = new FrameProducer(kafka.bootstrapServers, props)) {
            result = producer.send(topic, source, frames, rate, (acknowledged, total) -> bar.update(acknowledged,
                    acknowledged, ""));
        } finally {
            bar.finish();
        }
        out.printf(Locale.ROOT, "sent %d frames to %s in %.1f s (%.1f frames/s)%n", result.sent(), topic,
                result.seconds(), result.framesPerSecond());
        out.flush();
        if (result.failed() > 0) {
            err.printf(Locale.ROOT, "densenet produce: %d frames failed; first: %s%n", result.failed(),
                    result.firstError());
            return CliErrors.INTERNAL;
        }
        return 0;
    }

    private static FashionMnist.Split parseSplit(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "test", "t10k" -> FashionMnist.Split.TEST;
            case "train" -> FashionMnist.Split.TRAIN;
            default -> throw new IllegalArgumentException("--split must be test or train, got '" + s + "'");
        };
    }
}
