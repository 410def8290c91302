package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.FrameTap;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SourceFrames;
import io.densenetflink.it.reliability.harness.TinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.JobTestSupport;
import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.model.image.TestImages;
import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6, test 4: bad frames among good ones. Valid images, however odd (16-bit, CMYK, 1x1), give results; the
 * invalid ones land in the dead-letter topic with the right reason and their original bytes; the job never
 * restarts because of them (restarts are switched off, so any failure would end the job); counts add up.
 */
@ExtendWith({SharedKafkaBroker.class, TinyModel.Shared.class})
class BadInputTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).setConfiguration(Pipeline.noRestarts()).build());

    private static final int TWENTY_MB = 20 * 1024 * 1024;


    @Test
    void invalidFramesBecomeDeadLettersWithTheirReasonAndValidOnesResults(EmbeddedKafkaBroker broker, TinyModel model)
            throws Exception {
        JobSettings s = Pipeline.settings(broker, "bad-input", model.dir(), 1);
        Map<String, String> expectedReasons = new LinkedHashMap<>();
        List<FrameInput> frames = new ArrayList<>(JobTestSupport.pngFrames("good-before", 20, 11));
        bad(frames, expectedReasons, "empty", "EMPTY", new byte[0]);
        bad(frames, expectedReasons, "random-bytes", "UNSUPPORTED_FORMAT", randomBytes(4096, 1));
        byte[] jpeg = TestImages.jpeg(TestImages.noisy(64, 64, 2), 0.9f);
        bad(frames, expectedReasons, "truncated-jpeg", "CORRUPT", Arrays.copyOf(jpeg, jpeg.length / 2));
        bad(frames, expectedReasons, "png-100000x100000", "TOO_LARGE", TestImages.pngHeaderOnly(100_000, 100_000));
        bad(frames, expectedReasons, "twenty-mb", "UNSUPPORTED_FORMAT", randomBytes(TWENTY_MB, 2));
        bad(frames, expectedReasons, "text-file", "UNSUPPORTED_FORMAT",
                "frame,label\n1,Sneaker\n".repeat(50).getBytes(StandardCharsets.UTF_8));
        List<String> oddButValid = List.of("png-16-bit", "cmyk-jpeg", "one-by-one");
        frames.add(frame("png-16-bit", TestImages.encode(TestImages.ushortGrey(50, 40, 0x8080), "png")));
        frames.add(frame("cmyk-jpeg", TestImages.cmykJpeg(64, 64, 0, 255, 127, 0)));
        frames.add(frame("one-by-one", TestImages.encode(TestImages.solid(1, 1, Color.RED), "png")));
        frames.addAll(JobTestSupport.pngFrames("good-after", 20, 12));

        JobClient job = Pipeline.start(s, f -> FrameTap.recording(f, s.get(JobOptions.JOB_NAME)));
        try {
            Pipeline.send(s.get(JobOptions.BOOTSTRAP_SERVERS), s.get(JobOptions.INPUT_TOPIC), Map.of("mixed", frames));
            Deliveries delivered = Deliveries.read(s, frames.size(), Duration.ofMinutes(3));

            delivered.assertEachExactlyOnce(SourceFrames.idsOf(frames));
            assertEquals(expectedReasons, delivered.deadLetterReasons(), "dead letters and their error-reason");
            assertEquals(TWENTY_MB, delivered.deadLetterBytes().get("twenty-mb"),
                    "the dead letter carries the original 20 MB value");
            assertEquals(frames.size() - expectedReasons.size(), delivered.results().size(), "results");
            List<String> resultIds = delivered.results().stream().map(r -> r.get("frame_id").getAsString()).toList();
            oddButValid.forEach(id -> assertTrue(resultIds.contains(id), id + " has no result"));
            assertEquals(JobStatus.RUNNING, job.getJobStatus().get(), "the job is still running");
            assertEquals(0, FrameTap.log(s.get(JobOptions.JOB_NAME)).maxAttempt(), "the job restarted");
        } finally {
            job.cancel().get();
        }
    }

    private static void bad(List<FrameInput> frames, Map<String, String> reasons, String id, String reason,
            byte[] bytes) {
        frames.add(frame(id, bytes));
        reasons.put(id, reason);
    }

    private static FrameInput frame(String id, byte[] bytes) {
        return new FrameInput(id, null, null, () -> bytes);
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
