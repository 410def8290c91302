package io.densenetflink.operators.internal;

import ai.djl.Device;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.image.ImageDecodeException;
import io.densenetflink.model.image.ImageErrorReason;
import io.densenetflink.model.image.ImagePreprocessor;
import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.InferenceOptions;
import io.densenetflink.operators.SlotClassifier;
import io.densenetflink.operators.SlotClassifierFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One slot's inference engine, free of Flink: a decode pool turns submitted frames into pixels while a
 * single inference thread, which owns the model, forms batches from the decoded frames and runs them
 * ({@link BatchRunner}); a watchdog thread fails the slot when a forward hangs or the inference loop dies.
 * The inference thread is a {@linkplain InferenceCarriers carrier} that outlives the batcher, so that
 * native per-thread memory is reused by the next slot instead of leaking per restart.
 *
 * <p>Decoding of the next frames therefore overlaps the running inference; the model only waits when no
 * decoded frame is queued. A frame that fails to decode completes at once with its reason and never enters
 * a batch. Every submitted frame is answered at most once ({@link InFlightFrame}); a frame taken back by
 * {@link #withdraw} leaves the queues at once. When the slot fails (a systemic model failure, a dead or hung
 * inference thread, a completion that throws) every frame still in flight is {@linkplain Outcome#aborted
 * aborted} with the cause and no more frames are taken. After {@link #close()} nothing is answered: Flink
 * replays what was in flight.
 */
public final class FrameBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FrameBatcher.class);

    private static final long IDLE_POLL_MILLIS = 100;

    /**
     * Everything the batcher needs to start. {@code restored}: the model version a checkpoint recorded, which the
     * slot starts with ({@link RecordedModel#NONE}: the newest).
     */
    public record Settings(SlotClassifierFactory factory, Device device, int inferenceThreads, int decodeThreads,
            int topK, String name, BatchPolicy batching, FailurePolicy failures, long maxInFlightBytes,
            long maxDecodeBytes, Duration closeTimeout, Duration modelPollInterval, long maxSwapBytes, RecordedModel restored) {

        /** The settings {@code options} give a slot, with what was decided for it when it opened. */
        public static Settings of(InferenceOptions options, Device device, int inferenceThreads, long maxInFlightBytes,
                long maxDecodeBytes, Duration closeTimeout, String name) {
            return new Settings(options.classifier(), device, inferenceThreads, options.decodeThreads(),
                    options.topK(), name, BatchPolicy.of(options), FailurePolicy.of(options), maxInFlightBytes,
                    maxDecodeBytes, closeTimeout, options.modelPollInterval(), options.maxSwapBytes(), RecordedModel.NONE);
        }

        /** These settings, starting with the model version {@code model} a checkpoint recorded. */
        public Settings restored(RecordedModel model) {
            return new Settings(factory, device, inferenceThreads, decodeThreads, topK, name, batching, failures,
                    maxInFlightBytes, maxDecodeBytes, closeTimeout, modelPollInterval, maxSwapBytes, model);
        }
    }

    private final Settings settings;
    private final BatchListener listener;
    private final ThreadPoolExecutor decodePool;
    private final ScheduledExecutorService watchdog;
    private final LinkedBlockingDeque<PendingFrame> decoded = new LinkedBlockingDeque<>();
    private final Set<InFlightFrame> unanswered = ConcurrentHashMap.newKeySet();
    private final InFlightBytes bytes;
    private final DecodeBudget decodeBudget;
    private final ForwardWatch forwards = new ForwardWatch();
    private final CompletableFuture<SlotClassifier> model = new CompletableFuture<>();
    private final AtomicReference<SlotFailedException> failure = new AtomicReference<>();
    private final CompletableFuture<Void> loopEnded = new CompletableFuture<>();
    private final AtomicBoolean loopStarted = new AtomicBoolean();
    private volatile Future<?> loop;
    private volatile Thread inferenceThread;
    private volatile boolean closed;
    private volatile ImagePreprocessor preprocessor;
    /** The runner of the last batch, for {@link #maxBatchSize()}. */
    private volatile BatchRunner runner;
    private volatile VersionSwitch versions;
    private LoadedVersions loaded;

    private FrameBatcher(Settings settings, BatchListener listener) {
        this.settings = settings;
        this.listener = listener;
        this.bytes = new InFlightBytes(settings.maxInFlightBytes());
        this.decodeBudget = new DecodeBudget(settings.maxDecodeBytes());
        AtomicInteger decoderNumber = new AtomicInteger();
        this.decodePool = new ThreadPoolExecutor(settings.decodeThreads(), settings.decodeThreads(), 0L,
                TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                daemon(() -> settings.name() + "-decode-" + decoderNumber.incrementAndGet()));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon(() -> settings.name() + "-watchdog"));
    }

    private static ThreadFactory daemon(Supplier<String> name) {
        return r -> {
            Thread t = new Thread(r, name.get());
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts the inference loop, which loads the model (see {@link #awaitModel(Duration)}), and the watchdog. */
    public static FrameBatcher start(Settings settings, BatchListener listener) {
        FrameBatcher batcher = new FrameBatcher(settings, listener);
        int ompThreads = settings.device().isGpu() ? 0 : settings.inferenceThreads();
        batcher.loop = InferenceCarriers.run(settings.name() + "-inference", ompThreads, batcher::inferenceLoop);
        long period = Math.max(10, Math.min(1000, settings.failures().forwardTimeout().toMillis() / 4));
        batcher.watchdog.scheduleWithFixedDelay(batcher::watch, period, period, TimeUnit.MILLISECONDS);
        long poll = settings.modelPollInterval().toMillis();
        if (poll > 0) {
            batcher.watchdog.scheduleWithFixedDelay(batcher::pollRepository, poll, poll, TimeUnit.MILLISECONDS);
        }
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

    /** Frames submitted and not yet answered. */
    public int inFlight() {
        return unanswered.size();
    }

    /** Bytes of the frames held (see {@link InFlightBytes}). */
    public long inFlightBytes() {
        return bytes.held();
    }

    /** The current batch size limit (lowered after out-of-memory errors, raised again by runs of successes). */
    public int maxBatchSize() {
        BatchRunner r = runner;
        return r == null ? settings.batching().maxBatchSize() : r.maxBatchSize();
    }

    /** The model version frames submitted now are classified by (0: a fixed model); valid once the model loaded. */
    public long servingVersion() {
        VersionSwitch v = versions;
        return v == null ? 0 : v.serving();
    }

    /**
     * A checkpoint barrier, called by the task thread as it snapshots the operator: frames submitted before it
     * keep their version, and a newer version loaded and checked by now serves every frame submitted after it.
     */
    public VersionSwitch.Boundary checkpointBoundary() {
        return versions.boundary();
    }

    /** Why the slot failed; null while it works. */
    public SlotFailedException failure() {
        return failure.get();
    }

    /**
     * Queues a frame; its outcome is answered at most once, from a batcher thread. Waits while the slot holds
     * {@code maxInFlightBytes} (which backpressures the caller); throws {@link SlotFailedException} once the
     * slot has failed, {@link IllegalStateException} when it is not running.
     */
    public void submit(InFlightFrame frame) throws InterruptedException {
        checkAccepting();
        bytes.admit(frame, this::checkAccepting);
        // Tagged on the caller's (the task's) thread, the thread that also switches versions at a checkpoint.
        frame.version(versions.serving());
        unanswered.add(frame);
        SlotFailedException failed = failure.get();
        if (failed != null) {
            // The slot failed while the frame was admitted: it is aborted like every other frame in flight.
            answer(frame, o -> o.aborted(failed));
            return;
        }
        Runnable task = () -> decode(frame);
        frame.decodeTask(task);
        decodePool.execute(task);
    }

    private void checkAccepting() {
        SlotFailedException failed = failure.get();
        if (failed != null) {
            throw new SlotFailedException(settings.name() + " has failed: " + failed.getMessage(), failed);
        }
        if (closed || preprocessor == null) {
            throw new IllegalStateException("the batcher is not running (model not loaded or closed)");
        }
    }

    /**
     * Takes back a frame not answered yet (its timeout fired) and answers it with {@code answer}: it leaves
     * the queues at once, frees its place and bytes, and is never classified (unless its batch already runs,
     * whose answer is then dropped). Returns false, answering nothing, when the frame was answered already.
     */
    public boolean withdraw(InFlightFrame frame, Runnable answer) {
        if (!frame.claim()) {
            return false;
        }
        unanswered.remove(frame);
        Runnable task = frame.decodeTask();
        if (task != null) {
            decodePool.remove(task);
        }
        decoded.removeIf(p -> p.inFlight() == frame);
        try {
            answer.run();
        } finally {
            settle(frame);
        }
        return true;
    }

    /** The frame's answer is delivered (or dropped): its bytes may go. */
    private void settle(InFlightFrame frame) {
        frame.settle();
        bytes.released();
    }

    /**
     * Answers a frame unless someone did already. After close nothing is delivered (the task's mailbox is gone;
     * Flink replays the frame); a delivery that throws while the slot runs propagates, which fails the slot.
     * The frame's bytes are freed after the delivery: by then its result waits in the task's mailbox, which
     * emits it before the task takes the next input that the freed bytes let in.
     */
    private void answer(InFlightFrame frame, Consumer<Outcome> delivery) {
        if (!frame.claim()) {
            return;
        }
        unanswered.remove(frame);
        try {
            if (!closed) {
                delivery.accept(frame.outcome());
            }
        } catch (RuntimeException e) {
            if (!closed) {
                throw e;
            }
            LOG.debug("{}: an answer that arrived while closing was dropped: {}", settings.name(), e.toString());
        } finally {
            settle(frame);
        }
    }

    private void decode(InFlightFrame frame) {
        if (frame.isAnswered() || closed) {
            return;
        }
        try {
            float[] pixels;
            long cost;
            try {
                cost = preprocessor.decodedBytes(frame.frame().payload());
                if (cost > decodeBudget.capacity()) {
                    throw new ImageDecodeException(ImageErrorReason.TOO_LARGE, "decoding it takes about " + cost
                            + " bytes of heap, more than the slot's decode budget of " + decodeBudget.capacity()
                            + " (maxDecodeBytes)");
                }
                decodeBudget.acquire(cost);
                try {
                    pixels = preprocessor.preprocess(frame.frame().payload());
                } finally {
                    decodeBudget.release(cost);
                }
            } catch (ImageDecodeException e) {
                answer(frame, o -> o.failed(new FailedFrame(frame.frame(), e.reason().name(), e.detail(),
                        System.currentTimeMillis())));
                return;
            } catch (RuntimeException e) {
                // The preprocessor maps every decoder failure to ImageDecodeException; anything else is ours.
                answer(frame, o -> o.failed(new FailedFrame(frame.frame(), "CORRUPT", "decoder failure: " + e,
                        System.currentTimeMillis())));
                return;
            }
            // An OutOfMemoryError is not the frame's fault (it says what else the heap holds): it fails the slot
            // below, and the task replays the frame, never a dead letter for a good frame.
            if (!frame.isAnswered()) {
                decoded.addLast(new PendingFrame(frame, pixels));
            }
        } catch (Throwable t) {
            if (!closed) {
                failSlot("a decode thread failed", t);
            }
        }
    }

    private void inferenceLoop() {
        if (!loopStarted.compareAndSet(false, true)) {
            return; // closed before it started
        }
        inferenceThread = Thread.currentThread();
        try {
            if (loadModel()) {
                try {
                    runBatches();
                } finally {
                    loaded.close();
                }
            }
        } finally {
            inferenceThread = null;
            loopEnded.complete(null);
        }
    }

    /**
     * Loads the model on this thread (DJL's inference state belongs to one thread): the version a checkpoint
     * recorded, else the newest. Returns false when it failed.
     */
    private boolean loadModel() {
        try {
            if (!settings.device().isGpu()) {
                MxEngineSetup.useThreads(settings.inferenceThreads());
            }
            long version = settings.factory().latestVersion().orElse(0);
            SlotClassifier classifier = null;
            RecordedModel restored = settings.restored();
            if (restored.version() > 0 && version > 0) {
                try {
                    classifier = settings.factory().open(settings.device(), restored.version());
                    version = restored.version();
                } catch (Exception e) {
                    LOG.warn("{}: model version {}, which the checkpoint recorded, does not load; starting with the"
                            + " newest, version {}, so replayed frames may be classified differently than before: {}",
                            settings.name(), restored.version(), version, e.toString());
                }
                if (classifier != null && !restored.matches(classifier.modelDigest())) {
                    String now = classifier.modelDigest();
                    classifier.close();
                    throw new IllegalStateException("model version " + restored.version() + " is not the model the"
                            + " checkpoint recorded: its files now record " + (now.isEmpty() ? "no digest" : now)
                            + ", the checkpoint " + restored.digest() + " (the number was reused for other files)."
                            + " Refused: replayed frames would be classified by another model. Put the recorded"
                            + " version's files back, or start the job without this checkpoint");
                }
            }
            long newest = version;
            if (classifier == null && version > 0) {
                NewestThatLoads start = openNewestThatLoads(version);
                classifier = start.classifier();
                version = start.version();
            } else if (classifier == null) {
                classifier = settings.factory().open(settings.device());
            }
            try {
                ImagePreprocessor decoder = new ImagePreprocessor(classifier.preprocessing());
                VersionSwitch switching = new VersionSwitch(version, classifier.modelDigest());
                if (newest != version) { // the newest failed here: the poll tries it again only once its files change
                    switching.attempted(newest, settings.factory().filesStamp(newest));
                }
                int imageSize = decoder.outputSize();
                loaded = new LoadedVersions(new LoadedVersions.Loading(settings.factory(), settings.device(),
                        settings.maxSwapBytes(), settings.batching().maxBatchSize(), settings.name()), switching,
                        c -> new BatchRunner(c, imageSize, settings.topK(), settings.batching().maxBatchSize(),
                                settings.failures(), listener, new RunnerSlot()), listener);
                loaded.add(version, classifier);
                runner = loaded.runner(version);
                versions = switching;
                preprocessor = decoder; // last: it opens submit()
            } catch (Throwable t) {
                classifier.close();
                throw t;
            }
            model.complete(classifier);
            return true;
        } catch (Throwable t) {
            model.completeExceptionally(t);
            return false;
        }
    }

    private record NewestThatLoads(SlotClassifier classifier, long version) {}

    /**
     * Opens {@code newest}, or when it fails the highest version below it that loads, each refused one with a
     * warning and {@link BatchListener#modelRejected}: a bad newest version must not fail every fresh start while
     * a good one is there. Throws the newest version's failure when none loads.
     */
    private NewestThatLoads openNewestThatLoads(long newest) throws Exception {
        Exception first = null;
        for (OptionalLong v = OptionalLong.of(newest); v.isPresent();
                v = settings.factory().latestVersionBelow(v.getAsLong())) {
            try {
                return new NewestThatLoads(settings.factory().open(settings.device(), v.getAsLong()), v.getAsLong());
            } catch (Exception e) {
                first = first == null ? e : first;
                OptionalLong below = settings.factory().latestVersionBelow(v.getAsLong());
                LOG.warn("{}: model version {} does not load{}: {}", settings.name(), v.getAsLong(),
                        below.isPresent() ? ", falling back to version " + below.getAsLong() : " and none below it does",
                        e.toString());
                listener.modelRejected(v.getAsLong(), "it does not load: " + e);
            }
        }
        throw first;
    }

    /** Tells the inference thread about a newer version in the repository (runs on the watchdog thread). */
    private void pollRepository() {
        VersionSwitch switching = versions;
        if (closed || switching == null || failure.get() != null) {
            return;
        }
        try {
            settings.factory().latestVersion().ifPresent(v -> switching.noticed(v, settings.factory().filesStamp(v)));
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot look for a newer model version: {}", settings.name(), e.getMessage());
        }
    }

    private void runBatches() {
        try {
            while (!closed && failure.get() == null) {
                loaded.loadCandidate();
                List<PendingFrame> batch = nextBatch();
                if (!batch.isEmpty()) {
                    runner.run(batch);
                }
                loaded.closeUnneeded(unanswered);
            }
        } catch (InterruptedException e) {
            if (!closed) {
                failSlot("the inference thread was interrupted", e);
            }
        } catch (Throwable t) {
            // Whatever ends this loop (a JNA Error, an answer that throws) would strand every frame in flight.
            if (!closed) {
                failSlot("the inference thread died", t);
            }
        }
    }

    /**
     * Blocks for the first decoded frame, then fills the batch until it is full or its deadline passes, or the
     * next frame is for another model version (a batch runs through one version); sets {@link #runner} to the
     * batch's version's.
     */
    private List<PendingFrame> nextBatch() throws InterruptedException {
        List<PendingFrame> batch = new ArrayList<>();
        PendingFrame first = takeUnanswered(TimeUnit.MILLISECONDS.toNanos(IDLE_POLL_MILLIS));
        if (first == null) {
            return batch;
        }
        batch.add(first);
        long version = first.inFlight().version();
        runner = loaded.runner(version);
        int limit = runner.maxBatchSize();
        long deadline = settings.batching().deadlineNanos(first);
        while (batch.size() < limit) {
            PendingFrame next = takeUnanswered(deadline - System.nanoTime());
            if (next == null) {
                break;
            }
            if (next.inFlight().version() != version) {
                decoded.addFirst(next);
                break;
            }
            batch.add(next);
        }
        return batch;
    }

    /** The next decoded frame nobody answered yet, waiting up to {@code nanos}; null when none came. */
    private PendingFrame takeUnanswered(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (true) {
            long wait = deadline - System.nanoTime();
            PendingFrame p = wait > 0 ? decoded.pollFirst(wait, TimeUnit.NANOSECONDS) : decoded.pollFirst();
            if (p == null || !p.isAnswered()) {
                return p;
            }
        }
    }

    /** Checks, periodically, that the inference thread is alive and its forward within the limit. */
    private void watch() {
        if (closed || failure.get() != null || !model.isDone() || model.isCompletedExceptionally()) {
            return;
        }
        String overdue = forwards.overdue(settings.failures().forwardTimeout());
        if (overdue != null) {
            TimeoutException hung = new TimeoutException(overdue);
            Thread thread = inferenceThread;
            if (thread != null) {
                hung.setStackTrace(thread.getStackTrace()); // where it hangs
            }
            failSlot(overdue, hung);
        } else if (loopEnded.isDone()) {
            failSlot("the inference loop is gone", new IllegalStateException("the inference loop ended"));
        }
    }

    /** Fails the slot once: every frame in flight is aborted with the cause, no frame is taken any more. */
    private void failSlot(String what, Throwable cause) {
        SlotFailedException failed = cause instanceof SlotFailedException s ? s
                : new SlotFailedException(settings.name() + ": " + what + ": " + cause, cause);
        if (!failure.compareAndSet(null, failed)) {
            return;
        }
        LOG.error("{}: failing the task so that Flink restarts it and replays its frames from the last checkpoint",
                settings.name(), failed);
        for (InFlightFrame frame : unanswered) {
            try {
                answer(frame, o -> o.aborted(failed));
            } catch (Throwable t) {
                LOG.warn("{}: could not abort frame {}: {}", settings.name(), frame.frame().frameId(), t.toString());
            }
        }
        decoded.clear();
        bytes.clear();
        if (Thread.currentThread() != inferenceThread) {
            loop.cancel(true); // interrupts the loop: a hung forward in Java code may still end
        }
    }

    /** The runner's view of the slot. */
    private final class RunnerSlot implements BatchRunner.Slot {
        @Override
        public boolean stopped() {
            return closed || failure.get() != null;
        }

        @Override
        public void classified(PendingFrame frame, Classification result) {
            answer(frame.inFlight(), o -> o.classified(result));
        }

        @Override
        public void failed(PendingFrame frame, FailedFrame failed) {
            answer(frame.inFlight(), o -> o.failed(failed));
        }

        @Override
        public void retry(List<PendingFrame> frames) {
            for (ListIterator<PendingFrame> it = frames.listIterator(frames.size()); it.hasPrevious(); ) {
                decoded.addFirst(it.previous());
            }
        }

        @Override
        public void fail(SlotFailedException failed) {
            failSlot("systemic failure", failed);
        }

        @Override
        public ForwardWatch forwards() {
            return forwards;
        }
    }

    /**
     * Stops the threads and frees the model (on its own thread) before returning: interrupts the inference
     * loop and waits for it at most {@code closeTimeout}, also when the calling thread is interrupted (as
     * Flink does to a cancelled task). A forward stuck in native code can outlast that: it is logged, and the
     * model is freed when the forward returns. Frames still in flight are dropped: on a cancel or failover
     * Flink replays them from its checkpoint.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        decodePool.shutdownNow();
        watchdog.shutdownNow();
        if (loopStarted.compareAndSet(false, true)) {
            loopEnded.complete(null); // it never ran, and now never will
        }
        loop.cancel(true);
        decoded.clear();
        bytes.clear();
        boolean interrupted = false;
        long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                loopEnded.get(Math.max(0, left), TimeUnit.NANOSECONDS);
                decodePool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                watchdog.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting: the model must be freed before close returns
            } catch (ExecutionException | TimeoutException e) {
                break;
            }
        }
        if (!loopEnded.isDone()) {
            LOG.error("{}: the inference loop did not stop within {} (a forward stuck in native code?); its model"
                    + " is freed if the forward returns", settings.name(), settings.closeTimeout());
        }
        unanswered.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
