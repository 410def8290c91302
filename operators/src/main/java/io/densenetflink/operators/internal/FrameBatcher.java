package io.densenetflink.operators.internal;

import ai.djl.Device;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.image.ImageDecodeException;
import io.densenetflink.model.image.ImagePreprocessor;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.SlotClassifier;
import io.densenetflink.operators.SlotClassifierFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One slot's inference engine, free of Flink: a decode pool turns submitted frames into pixels while a
 * single inference thread, which owns the model, forms batches from the decoded frames and runs them.
 *
 * <p>Decoding of the next frames therefore overlaps the running inference; the model only waits when no
 * decoded frame is queued. A frame that fails to decode completes at once with its reason and never enters a
 * batch. Every submitted frame completes exactly once.
 */
public final class FrameBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FrameBatcher.class);

    private static final long IDLE_POLL_MILLIS = 100;

    /** Everything the batcher needs to start. */
    public record Settings(SlotClassifierFactory factory, Device device, int inferenceThreads, int decodeThreads,
            int maxBatchSize, Duration maxDelay, Duration latencyBudget, int topK, String name) {}

    private final Settings settings;
    private final BatchPolicy policy;
    private final BatchListener listener;
    private final ExecutorService decodePool;
    private final BlockingQueue<PendingFrame> decoded = new LinkedBlockingQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CompletableFuture<SlotClassifier> model = new CompletableFuture<>();
    private final Thread inferenceThread;
    private volatile boolean running = true;
    private volatile ImagePreprocessor preprocessor;
    private volatile BatchRunner runner;

    private FrameBatcher(Settings settings, BatchListener listener) {
        this.settings = settings;
        this.listener = listener;
        this.policy = new BatchPolicy(settings.maxBatchSize(), settings.maxDelay(), settings.latencyBudget());
        AtomicInteger decoderNumber = new AtomicInteger();
        this.decodePool = Executors.newFixedThreadPool(settings.decodeThreads(), r -> {
            Thread t = new Thread(r, settings.name() + "-decode-" + decoderNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.inferenceThread = new Thread(this::inferenceLoop, settings.name() + "-inference");
        this.inferenceThread.setDaemon(true);
    }

    /** Starts the inference thread, which loads the model; see {@link #awaitModel(Duration)}. */
    public static FrameBatcher start(Settings settings, BatchListener listener) {
        FrameBatcher batcher = new FrameBatcher(settings, listener);
        batcher.inferenceThread.start();
        return batcher;
    }

    /** Waits until the model is loaded; rethrows the reason when it could not be. */
    public SlotClassifier awaitModel(Duration timeout) throws Exception {
        try {
            return model.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("model " + settings.factory().describe() + " did not load within " + timeout);
        }
    }

    /** Frames submitted and not yet completed. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The current batch size limit (halved after out-of-memory errors). */
    public int maxBatchSize() {
        BatchRunner r = runner;
        return r == null ? settings.maxBatchSize() : r.maxBatchSize();
    }

    /** Queues a frame; its outcome is completed exactly once, from a batcher thread. */
    public void submit(Frame frame, Outcome outcome) {
        if (!running || preprocessor == null) {
            throw new IllegalStateException("the batcher is not running (model not loaded or closed)");
        }
        long arrival = System.nanoTime();
        inFlight.incrementAndGet();
        Outcome once = countingDown(outcome);
        decodePool.execute(() -> decode(frame, arrival, once));
    }

    private Outcome countingDown(Outcome outcome) {
        return Outcome.of(r -> {
            inFlight.decrementAndGet();
            outcome.classified(r);
        }, f -> {
            inFlight.decrementAndGet();
            outcome.failed(f);
        });
    }

    private void decode(Frame frame, long arrival, Outcome outcome) {
        try {
            float[] pixels = preprocessor.preprocess(frame.payload());
            decoded.add(new PendingFrame(frame, pixels, arrival, outcome));
        } catch (ImageDecodeException e) {
            outcome.failed(new FailedFrame(frame, e.reason().name(), e.detail(), System.currentTimeMillis()));
        } catch (RuntimeException | OutOfMemoryError e) {
            // The preprocessor maps every decoder failure to ImageDecodeException; anything else is ours.
            outcome.failed(new FailedFrame(frame, "CORRUPT", "decoder failure: " + e, System.currentTimeMillis()));
        }
    }

    private void inferenceLoop() {
        SlotClassifier classifier;
        try {
            if (!settings.device().isGpu()) {
                MxEngineSetup.useThreads(settings.inferenceThreads());
            }
            classifier = settings.factory().open(settings.device());
            preprocessor = new ImagePreprocessor(classifier.preprocessing());
            runner = new BatchRunner(classifier, preprocessor.outputSize(), settings.topK(), settings.maxBatchSize(),
                    listener);
            model.complete(classifier);
        } catch (Throwable t) {
            model.completeExceptionally(t);
            return;
        }
        try {
            while (running) {
                List<PendingFrame> batch = nextBatch();
                if (!batch.isEmpty()) {
                    runner.run(batch);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            classifier.close();
        }
    }

    /** Blocks for the first decoded frame, then fills the batch until it is full or its deadline passes. */
    private List<PendingFrame> nextBatch() throws InterruptedException {
        List<PendingFrame> batch = new ArrayList<>();
        PendingFrame first = decoded.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (first == null) {
            return batch;
        }
        batch.add(first);
        int limit = runner.maxBatchSize();
        long deadline = policy.deadlineNanos(first);
        while (batch.size() < limit) {
            long wait = deadline - System.nanoTime();
            PendingFrame next = wait > 0 ? decoded.poll(wait, TimeUnit.NANOSECONDS) : decoded.poll();
            if (next == null) {
                break;
            }
            batch.add(next);
        }
        return batch;
    }

    /**
     * Stops the threads and closes the model (on its own thread). Frames still queued are dropped: on a cancel
     * or failover Flink replays them from its checkpoint.
     */
    @Override
    public void close() throws InterruptedException {
        running = false;
        decodePool.shutdownNow();
        inferenceThread.join(TimeUnit.MINUTES.toMillis(1));
        if (inferenceThread.isAlive()) {
            LOG.warn("{} inference thread did not stop within a minute", settings.name());
        }
    }
}
