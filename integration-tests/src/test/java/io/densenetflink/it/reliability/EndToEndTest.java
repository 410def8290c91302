package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SourceFrames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import io.densenetflink.it.ProjectRoot;
import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.model.data.FashionMnist;
import io.densenetflink.model.data.LabeledImages;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.train.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6, test 1: 2,000 labeled Fashion-MNIST test frames from 4 sources through the job with the shipped model
 * give exactly 2,000 results, each frame once, each source's results in the order it sent them, and the accuracy
 * the model itself reaches on the same images (within 0.5 points).
 *
 * <p>Needs the shipped model ({@code models/fashion-mnist-densenet}) and the Debian package {@code
 * dataset-fashion-mnist} (installed by {@code .ci/run}); without them it fails and says so.
 */
@ExtendWith(SharedKafkaBroker.class)
class EndToEndTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final int FRAMES = 2_000;
    private static final int SOURCES = 4;

    @Test
    void twoThousandFramesFromFourSourcesAreClassifiedOnceInOrderAtTheModelsAccuracy(EmbeddedKafkaBroker broker)
            throws Exception {
        Path model = ProjectRoot.path().resolve("models/fashion-mnist-densenet");
        assertTrue(Files.isRegularFile(model.resolve("model.json")), "the shipped model is missing: " + model);
        assertTrue(Files.isDirectory(FashionMnist.DEBIAN_DIR), "the Fashion-MNIST test set is missing: "
                + FashionMnist.DEBIAN_DIR + " (apt-get install dataset-fashion-mnist)");
        JobSettings s = Pipeline.settings(broker, "end-to-end", model, SOURCES);
        s.set(JobOptions.PARALLELISM, 2);
        s.set(JobOptions.BATCH_SIZE, 32);

        List<FrameInput> test = FrameInput.ofFashionMnist(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TEST, FRAMES);
        Map<String, List<FrameInput>> bySource = new LinkedHashMap<>();
        Map<String, String> sourceOf = new HashMap<>();
        List<String> keys = SourceFrames.keysOnDistinctPartitions(SOURCES, SOURCES);
        for (int i = 0; i < test.size(); i++) {
            String key = keys.get(i % SOURCES);
            bySource.computeIfAbsent(key, k -> new ArrayList<>()).add(test.get(i));
            sourceOf.put(test.get(i).frameId(), key);
        }

        JobClient job = Pipeline.start(s);
        Deliveries delivered;
        try {
            Pipeline.send(s.get(JobOptions.BOOTSTRAP_SERVERS), s.get(JobOptions.INPUT_TOPIC), bySource);
            delivered = Deliveries.read(s, FRAMES, Duration.ofMinutes(5));
        } finally {
            job.cancel().get();
        }
        delivered.assertEachExactlyOnce(SourceFrames.ids(bySource));
        assertEquals(FRAMES, delivered.results().size(), "results (dead letters: "
                + delivered.deadLetterReasons() + ")");
        assertOrderKeptPerSource(delivered.results(), sourceOf);

        long correct = delivered.results().stream().filter(r -> r.get("correct").getAsBoolean()).count();
        double pipeline = (double) correct / FRAMES;
        double direct = directAccuracy(model);
        System.out.printf("end to end: %d results, accuracy %.4f through the job, %.4f classified directly%n",
                delivered.results().size(), pipeline, direct);
        assertEquals(direct, pipeline, 0.005, "accuracy through the job vs the model on the same " + FRAMES
                + " images");
    }

    /** Within a source, results come in the order its frames were sent (the frame ids count up). */
    private static void assertOrderKeptPerSource(List<JsonObject> results, Map<String, String> sourceOf) {
        Map<String, String> lastBySource = new HashMap<>();
        for (JsonObject r : results) {
            String id = r.get("frame_id").getAsString();
            String source = r.get("source").getAsString();
            assertEquals(sourceOf.get(id), source, "source of " + id);
            String last = lastBySource.put(source, id);
            assertTrue(last == null || last.compareTo(id) < 0, source + ": " + id + " arrived after " + last);
        }
        assertEquals(SOURCES, lastBySource.size(), "sources with results");
    }

    /** The shipped model's accuracy on the same images, classified directly (no Kafka, no Flink). */
    private static double directAccuracy(Path model) throws Exception {
        LabeledImages images = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TEST).first(FRAMES);
        try (DenseNetClassifier classifier = DenseNetClassifier.load(model, Device.cpu())) {
            return Evaluator.evaluate(classifier, images, 64, null).accuracy();
        }
    }
}
