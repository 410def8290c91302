package io.densenetflink.operators.internal;

import ai.djl.Device;
import io.densenetflink.model.inference.EngineMode;
import io.densenetflink.operators.DenseNetClassifierFactory;
import io.densenetflink.operators.InferenceOptions;
import io.densenetflink.operators.TestModels;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link DecodeOutOfMemoryTest} in a JVM of small heap: a slot whose decode budget is set far above that
 * heap gets the frame in the file {@code args[0]}, whose decode cannot fit, so decoding it really runs out of memory. Prints one line per outcome
 * ({@code classified}, {@code dead-letter REASON}, {@code aborted CAUSE}).
 */
public final class DecodeOutOfMemoryProbe {

    private DecodeOutOfMemoryProbe() {}

    public static void main(String[] args) throws Exception {
        byte[] frame = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(args[0]));
        CountDownLatch done = new CountDownLatch(1);
        Outcome outcome = Outcome.of(r -> {
            System.out.println("classified");
            done.countDown();
        }, f -> {
            System.out.println("dead-letter " + f.reason() + " " + f.detail());
            done.countDown();
        }, cause -> {
            System.out.println("aborted " + cause);
            done.countDown();
        });
        InferenceOptions options = InferenceOptions.builder(new DenseNetClassifierFactory(TestModels.tiny(),
                EngineMode.COMPILED)).maxBatchSize(1).decodeThreads(1).build();
        try (InferenceSlot batcher = InferenceSlot.start(options, new Placement(Device.cpu(), 1, Long.MAX_VALUE,
                1L << 40, "probe", Duration.ofSeconds(5), RecordedModel.NONE), BatchListener.NONE)) {
            batcher.awaitModel(Duration.ofMinutes(1));
            batcher.submit(new InFlightFrame(TestModels.frame("cam", "huge", frame), outcome));
            if (!done.await(2, TimeUnit.MINUTES)) {
                System.out.println("no outcome");
            }
        }
        System.exit(0);
    }
}
