package io.densenetflink.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.it.ProjectRoot;
import io.densenetflink.it.reliability.harness.BrokerProcess;
import io.densenetflink.it.reliability.harness.Deliveries;
import io.densenetflink.it.reliability.harness.JobProcess;
import io.densenetflink.it.reliability.harness.Pipeline;
import io.densenetflink.it.reliability.harness.TinyModel;
import io.densenetflink.job.JobTestSupport;
import io.densenetflink.job.kafka.client.FrameInput;
import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23: the broker ({@code bin/densenet broker --data-dir}, its own process) SIGKILLed mid-stream and started
 * again on the same port and data after an outage, while {@code bin/densenet produce} sends frames at a steady rate
 * and {@code bin/densenet run} (default restart strategy and timeouts) classifies them: the producer keeps every
 * frame it had acknowledged and ends with all of them acknowledged, the job is still running (riding the outage
 * out, or restarting itself within its restart strategy), and a read_committed consumer sees every frame exactly
 * once. The outage is {@value #DEFAULT_OUTAGE_SECONDS} s in CI; {@code job/bench/kafka-faults.sh} runs it with 90 s
 * ({@code -Ddensenet.outage.seconds=90}).
 */
@ExtendWith(TinyModel.Shared.class)
class BrokerOutageTest {

    static final int DEFAULT_OUTAGE_SECONDS = 15;
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("densenet.outage.seconds",
            DEFAULT_OUTAGE_SECONDS));
    private static final double RATE = 20;
    private static final int FRAMES = (int) (RATE * (40 + OUTAGE.toSeconds()));

    @Test
    void aBrokerKilledMidStreamAndBackAfterAnOutageCostsNoFrameAndDuplicatesNone(TinyModel model, @TempDir Path tmp)
            throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(tmp.resolve("kafka"),
                List.of("outage-frames", "outage-results", "outage-dead-letters"), 1)) {
            JobSettings s = JobTestSupport.settings(broker.bootstrapServers(), "outage", model.dir());
            List<String> ids = writeFrames(tmp.resolve("frames"));
            Path jobLog = tmp.resolve("job.log");
            Process job = JobProcess.start(s, tmp.resolve("state"), jobLog, List.of("--checkpoint-interval", "2s",
                    "--batch-size", "8", "--max-delay", "20ms"), Map.of("DENSENET_LOG_LEVEL", "info"));
            Process producer = null;
            try {
                JobProcess.awaitRetainedCheckpoint(job, tmp.resolve("state"), jobLog);
                producer = produce(s, tmp.resolve("frames"), tmp.resolve("produce.log"));
                Thread.sleep(10_000); // frames flowing, transactions open
                broker.kill();
                long killed = System.nanoTime();
                Thread.sleep(OUTAGE.toMillis());
                Duration restart = broker.restart();
                double unavailable = (System.nanoTime() - killed) / 1e9;

                assertTrue(producer.waitFor(5, TimeUnit.MINUTES), "produce did not finish");
                String produced = Files.readString(tmp.resolve("produce.log"));
                assertEquals(0, producer.exitValue(), "produce lost frames:\n"
                        + Pipeline.tail(tmp.resolve("produce.log"), 20));
                assertTrue(produced.contains("sent " + FRAMES + " frames"), produced);

                Deliveries delivered = Deliveries.read(s, FRAMES, Duration.ofMinutes(5));
                assertTrue(job.isAlive(), "the job exited:\n" + Pipeline.tail(jobLog, 60));
                String log = Files.readString(jobLog);
                long restarts = log.lines().filter(l -> l.contains("switched from state RUNNING to RESTARTING"))
                        .count();
                String firstCause = log.lines().filter(l -> l.contains("switched from RUNNING to FAILED"))
                        .map(l -> l.substring(l.indexOf("switched from RUNNING to FAILED"))).findFirst().orElse("none");
                System.out.printf("[broker-outage] outage %d s: broker killed, started again after %d s, accepting "
                        + "clients %.1f s later (unavailable %.1f s); job restarts %d (first cause: %s); %d frames%n",
                        OUTAGE.toSeconds(), OUTAGE.toSeconds(), restart.toMillis() / 1e3, unavailable, restarts,
                        firstCause.length() > 300 ? firstCause.substring(0, 300) : firstCause, FRAMES);
                delivered.assertEachExactlyOnce(ids);
            } finally {
                if (producer != null) {
                    producer.destroyForcibly();
                }
                job.destroy();
                job.waitFor(1, TimeUnit.MINUTES);
            }
        }
    }

    /** Noise PNGs as files, named in sending order; their names are the frame ids. */
    private static List<String> writeFrames(Path dir) throws Exception {
        Files.createDirectories(dir);
        List<String> ids = new ArrayList<>();
        for (FrameInput frame : JobTestSupport.pngFrames("unused", FRAMES, 23)) {
            String name = String.format("outage-%05d.png", ids.size());
            Files.write(dir.resolve(name), frame.bytes().read());
            ids.add(name);
        }
        return ids;
    }

    /** {@code bin/densenet produce} at {@link #RATE} frames per second, in its own JVM. */
    private static Process produce(JobSettings s, Path frames, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ProjectRoot.path().resolve("bin/densenet").toString(), "produce",
                "--bootstrap-servers", s.get(JobOptions.BOOTSTRAP_SERVERS), "--topic", s.get(JobOptions.INPUT_TOPIC),
                "--source", "camera-1", "--rate", String.valueOf(RATE), frames.toString());
        pb.environment().put("DENSENET_SKIP_BUILD", "1");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }
}
