package io.densenetflink.job.local.demo;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.densenetflink.job.DenseNetJob;
import io.densenetflink.job.Preflight;
import io.densenetflink.job.kafka.FrameHeaders;
import io.densenetflink.job.kafka.ResultEvaluator;
import io.densenetflink.job.local.EmbeddedKafkaBroker;
import io.densenetflink.job.kafka.client.CommittedReader;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.kafka.client.FrameProducer;
import io.densenetflink.job.kafka.internal.HeaderText;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import io.densenetflink.job.settings.StartingOffsets;
import io.densenetflink.model.inference.EngineMode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The embedded default end to end: an in-process Kafka broker, the job on a local MiniCluster, frames
 * produced, results consumed (read_committed) until every frame is accounted for, and a summary.
 */
public final class Demo {

    static final String WARM_UP_ID = "demo-warm-up";
    static final String INPUT = "frames";
    static final String OUTPUT = "results";
    static final String DEAD_LETTERS = "dead-letters";

    /** What to run. */
    public record Plan(String modelDir, List<FrameInput> frames, String framesNote, int batchSize, long maxDelayMs,
            int parallelism, String engineMode, boolean follow, boolean listEachFrame, Duration timeout) {}

    /** What happened. */
    public record Outcome(int sent, ResultEvaluator.Summary summary, double imagesPerSecond, boolean complete,
            Map<String, String> perFrame) {}

    private final Plan plan;
    private final PrintWriter err;

    public Demo(Plan plan, PrintWriter err) {
        this.plan = plan;
        this.err = err;
    }

    public Outcome run() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopics(plan.parallelism(), INPUT, OUTPUT, DEAD_LETTERS);
            say("broker up at %s; topics %s -> %s, dead letters %s", broker.bootstrapServers(), INPUT, OUTPUT,
                    DEAD_LETTERS);
            JobSettings settings = settings(broker.bootstrapServers());
            StreamExecutionEnvironment env = DenseNetJob.localEnvironment(settings);
            DenseNetJob.build(env, settings, Preflight.check(settings));
            JobClient job = env.executeAsync(settings.get(JobOptions.JOB_NAME));
            try (FrameProducer producer = new FrameProducer(broker.bootstrapServers(), Map.of());
                    CommittedReader reader = new CommittedReader(broker.bootstrapServers(), Map.of(),
                            List.of(OUTPUT, DEAD_LETTERS))) {
                say("job started (batch %d, max delay %d ms, parallelism %d, %s engine); loading the model...",
                        plan.batchSize(), plan.maxDelayMs(), plan.parallelism(), plan.engineMode());
                producer.send(INPUT, "demo", List.of(DemoFrames.warmUp(plan.frames())), 0, (a, t) -> { });
                awaitWarmUp(reader);
                say("model ready; sending %d frames (%s)", plan.frames().size(), plan.framesNote());
                producer.send(INPUT, "demo", plan.frames(), 0, (a, t) -> { });
                Outcome outcome = collect(reader);
                if (plan.follow()) {
                    say("--follow: the job keeps running; send frames to %s at %s (Ctrl-C to stop)", INPUT,
                            broker.bootstrapServers());
                    reader.readAll(0, Duration.ofDays(365), r -> say("%s", describe(r)));
                }
                return outcome;
            } finally {
                job.cancel().get();
            }
        }
    }

    private JobSettings settings(String bootstrap) {
        JobSettings s = new JobSettings()
                .set(JobOptions.BOOTSTRAP_SERVERS, bootstrap)
                .set(JobOptions.INPUT_TOPIC, INPUT)
                .set(JobOptions.OUTPUT_TOPIC, OUTPUT)
                .set(JobOptions.DLQ_TOPIC, DEAD_LETTERS)
                .set(JobOptions.MODEL, plan.modelDir())
                .set(JobOptions.BATCH_SIZE, plan.batchSize())
                .set(JobOptions.MAX_DELAY, Duration.ofMillis(plan.maxDelayMs()))
                .set(JobOptions.PARALLELISM, plan.parallelism())
                .set(JobOptions.ENGINE_MODE, EngineMode.parse(plan.engineMode()))
                // Results become visible to read_committed consumers when a checkpoint completes: keep that short.
                .set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                .set(JobOptions.STARTING_OFFSETS, StartingOffsets.EARLIEST)
                .set(JobOptions.JOB_NAME, "densenet-demo");
        return s.validate();
    }

    private void awaitWarmUp(CommittedReader reader) {
        long deadline = System.nanoTime() + plan.timeout().toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                if (WARM_UP_ID.equals(frameId(r))) {
                    return;
                }
            }
        }
        throw new IllegalStateException("the job produced no result within " + plan.timeout()
                + " (see the log above for the reason)");
    }

    private Outcome collect(CommittedReader reader) {
        ResultEvaluator evaluator = new ResultEvaluator();
        Map<String, String> perFrame = new LinkedHashMap<>();
        List<Long> processed = new ArrayList<>();
        int expected = plan.frames().size();
        long deadline = System.nanoTime() + plan.timeout().toNanos();
        long lastReport = 0;
        while (perFrame.size() < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                String id = frameId(r);
                if (WARM_UP_ID.equals(id)) {
                    continue;
                }
                if (evaluator.accept(r) == ResultEvaluator.Kind.RESULT) {
                    processed.add(r.timestamp());
                }
                perFrame.put(id, describe(r));
            }
            if (System.nanoTime() - lastReport > 1_000_000_000L) {
                err.printf("\rframes accounted for: %d / %d", perFrame.size(), expected);
                err.flush();
                lastReport = System.nanoTime();
            }
        }
        err.printf("\rframes accounted for: %d / %d%n", perFrame.size(), expected);
        err.flush();
        processed.sort(Long::compare);
        double rate = processed.size() > 1
                ? (processed.size() - 1) * 1000.0 / Math.max(1, processed.get(processed.size() - 1) - processed.get(0))
                : 0;
        return new Outcome(expected, evaluator.summary(), rate, perFrame.size() >= expected, perFrame);
    }

    /** The frame id of a result (JSON field) or a dead letter (its original frame-id header). */
    private static String frameId(ConsumerRecord<byte[], byte[]> r) {
        if (r.headers().lastHeader(FrameHeaders.ERROR_REASON) != null) {
            String id = HeaderText.last(r.headers(), FrameHeaders.FRAME_ID);
            return id != null ? id : r.topic() + "-" + HeaderText.last(r.headers(), FrameHeaders.SOURCE_OFFSET);
        }
        return json(r).get("frame_id").getAsString();
    }

    private static String describe(ConsumerRecord<byte[], byte[]> r) {
        if (r.headers().lastHeader(FrameHeaders.ERROR_REASON) != null) {
            return "dead letter " + HeaderText.last(r.headers(), FrameHeaders.ERROR_REASON) + ": "
                    + HeaderText.last(r.headers(), FrameHeaders.ERROR_DETAIL);
        }
        JsonObject o = json(r);
        return String.format(java.util.Locale.ROOT, "%s (%.1f%%, model version %s)", o.get("label").getAsString(),
                100 * o.get("score").getAsDouble(), o.getAsJsonObject("model").get("version").getAsString());
    }

    private static JsonObject json(ConsumerRecord<byte[], byte[]> r) {
        return JsonParser.parseString(new String(r.value(), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private void say(String format, Object... args) {
        err.printf("demo: " + format + "%n", args);
        err.flush();
    }
}
