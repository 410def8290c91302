package io.densenetflink.it.reliability;

import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.SourceFrames;
import io.densenetflink.it.reliability.harness.TinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.kafka.SharedKafkaBroker;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6, test 6: parallelism 2 on two slots. Each slot loads its own model (the operator's {@code modelLoadMs}
 * gauge, read through Flink's in-memory metric reporter, is set in two subtasks), both subtasks classify, and
 * every frame is classified exactly once.
 */
@ExtendWith({SharedKafkaBroker.class, TinyModel.Shared.class})
class ParallelismTest {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
            .setConfiguration(METRICS.addToConfiguration(new Configuration())).build());

    private static final int FRAMES = 600;

    @Test
    void twoSlotsLoadTwoModelsAndClassifyEveryFrameOnce(EmbeddedKafkaBroker broker, TinyModel model)
            throws Exception {
        JobSettings s = Pipeline.settings(broker, "parallel", model.dir(), 2);
        s.set(JobOptions.PARALLELISM, 2);
        Map<String, List<FrameInput>> frames = SourceFrames.spread(s.get(JobOptions.JOB_NAME), 4, 2, FRAMES);
        JobClient job = Pipeline.start(s);
        try {
            Pipeline.send(s.get(JobOptions.BOOTSTRAP_SERVERS), s.get(JobOptions.INPUT_TOPIC), frames);
            Deliveries delivered = Deliveries.read(s, FRAMES, Duration.ofMinutes(3));
            delivered.assertEachExactlyOnce(SourceFrames.ids(frames));
            assertEquals(FRAMES, delivered.results().size());

            Map<String, Metric> loads = METRICS.findMetrics(job.getJobID(), "modelLoadMs");
            assertEquals(2, loads.size(), "model load gauges: " + loads.keySet());
            loads.forEach((name, gauge) -> assertTrue(((Number) ((Gauge<?>) gauge).getValue()).longValue() > 0,
                    name + ": model not loaded"));
            Map<String, Metric> framesIn = METRICS.findMetrics(job.getJobID(), "framesIn");
            assertEquals(2, framesIn.size(), "framesIn counters: " + framesIn.keySet());
            long total = 0;
            for (Map.Entry<String, Metric> e : framesIn.entrySet()) {
                long n = ((Counter) e.getValue()).getCount();
                assertTrue(n > 0, e.getKey() + " classified nothing");
                total += n;
            }
            assertEquals(FRAMES, total, "frames into the two operator subtasks");
        } finally {
            job.cancel().get();
        }
    }
}
