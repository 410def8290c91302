package io.densenetflink.operators;

import ai.djl.Device;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.inference.EngineMode;
import io.densenetflink.model.inference.Prediction;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps the real DenseNet classifier to inject the failures the operator must survive or report: a forward
 * that throws whenever one particular input (an all-white image) is in the batch, out-of-memory errors above
 * a batch size (for ever or a number of times), a slow forward, a model that breaks for every input after a
 * number of batches (with an exception, or with a JNA-style {@link Error}), a forward that hangs, a
 * forward that waits at a {@link Gate}, and a slow repository listing. Counts the models opened and closed, the forwards tried and the
 * batches and images each model classified.
 *
 * <p>The counters and gates are static: MiniCluster tasks run a deserialized copy of the factory in this JVM.
 */
public final class FaultyClassifierFactory implements SlotClassifierFactory {

    private static final long serialVersionUID = 1L;

    /** Batches classified per opened model instance, by instance number. */
    public static final Map<Integer, AtomicInteger> BATCHES_BY_MODEL = new ConcurrentHashMap<>();
    /** Every call of {@code classify}, successful or not. */
    public static final AtomicInteger FORWARDS = new AtomicInteger();
    /** Images classified successfully, all models together. */
    public static final AtomicInteger IMAGES = new AtomicInteger();
    /** Models opened and not yet closed. */
    public static final AtomicInteger OPEN_MODELS = new AtomicInteger();
    private static final AtomicInteger OPENED = new AtomicInteger();
    private static final AtomicInteger OOMS_THROWN = new AtomicInteger();
    private static final AtomicInteger LISTINGS = new AtomicInteger();

    /** How a broken model fails every forward. */
    public enum Breakage {
        NONE,
        /** An engine exception, as MXNet raises for a bad input: the operator first suspects the frames. */
        EXCEPTION,
        /** A {@code java.lang.Error}, as JNA raises when native code faults ("Invalid memory access"). */
        ERROR,
        /** The forward never returns (until interrupted). */
        HANG
    }

    private final DenseNetClassifierFactory real;
    private boolean failOnWhite;
    private int oomAbove = -1;
    private int oomTimes;
    private long sleepMillisPerBatch;
    private Breakage breakage = Breakage.NONE;
    private int breakAfterBatches;
    private String gate;
    private boolean gateIgnoresInterrupts;
    private long listingMillis;

    public FaultyClassifierFactory(String modelDir) {
        this.real = new DenseNetClassifierFactory(modelDir, EngineMode.COMPILED);
    }

    /** Every forward with an all-white image in the batch throws. */
    public FaultyClassifierFactory failOnWhite() {
        this.failOnWhite = true;
        return this;
    }

    /** Forwards of more than {@code frames} images throw {@link OutOfMemoryError}. */
    public FaultyClassifierFactory oomAbove(int frames) {
        return oomAbove(frames, 0);
    }

    /** Like {@link #oomAbove(int)}, but only the first {@code times} such forwards (0 = always): a transient shortage. */
    public FaultyClassifierFactory oomAbove(int frames, int times) {
        this.oomAbove = frames;
        this.oomTimes = times;
        return this;
    }

    public FaultyClassifierFactory sleepPerBatch(long millis) {
        this.sleepMillisPerBatch = millis;
        return this;
    }

    /** After {@code batches} successful batches (of all models together), every forward fails as {@code how}. */
    public FaultyClassifierFactory breakAfter(int batches, Breakage how) {
        this.breakAfterBatches = batches;
        this.breakage = how;
        return this;
    }

    /** Every forward waits at the named gate until the test opens it (an interrupt ends the wait with an exception). */
    public FaultyClassifierFactory gatedBy(String gateName) {
        this.gate = gateName;
        return this;
    }

    /** Like {@link #gatedBy}, but the wait ignores interrupts, as a forward in native code does. */
    public FaultyClassifierFactory gatedUninterruptiblyBy(String gateName) {
        this.gateIgnoresInterrupts = true;
        return gatedBy(gateName);
    }

    /**
     * Looking for a newer version (a repository listing on a slow file system) takes {@code millis} after the first
     * look (the slot's load); finds none.
     */
    public FaultyClassifierFactory slowListing(long millis) {
        this.listingMillis = millis;
        return this;
    }

    @Override
    public java.util.OptionalLong latestVersion() {
        if (listingMillis > 0 && LISTINGS.getAndIncrement() > 0) {
            try {
                Thread.sleep(listingMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return java.util.OptionalLong.empty();
    }

    public static void reset() {
        BATCHES_BY_MODEL.clear();
        FORWARDS.set(0);
        IMAGES.set(0);
        OPEN_MODELS.set(0);
        OPENED.set(0);
        OOMS_THROWN.set(0);
        LISTINGS.set(0);
        Gate.GATES.clear();
    }

    private static int batchesSoFar() {
        return BATCHES_BY_MODEL.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public SlotClassifier open(Device device) throws Exception {
        SlotClassifier inner = real.open(device);
        int instance = OPENED.incrementAndGet();
        OPEN_MODELS.incrementAndGet();
        AtomicInteger batches = BATCHES_BY_MODEL.computeIfAbsent(instance, i -> new AtomicInteger());
        return new SlotClassifier() {
            @Override
            public String modelName() {
                return inner.modelName();
            }

            @Override
            public String modelVersion() {
                return inner.modelVersion();
            }

            @Override
            public int numClasses() {
                return inner.numClasses();
            }

            @Override
            public Preprocessing preprocessing() {
                return inner.preprocessing();
            }

            @Override
            public List<Prediction> classify(float[] pixels, int count, int topK) throws Exception {
                FORWARDS.incrementAndGet();
                if (gate != null) {
                    Gate.named(gate).pass(gateIgnoresInterrupts);
                }
                if (sleepMillisPerBatch > 0) {
                    Thread.sleep(sleepMillisPerBatch);
                }
                if (breakage != Breakage.NONE && batchesSoFar() >= breakAfterBatches) {
                    switch (breakage) {
                        case EXCEPTION -> throw new IllegalStateException("injected: the model is broken");
                        case ERROR -> throw new Error("injected: Invalid memory access");
                        case HANG -> Thread.sleep(TimeUnit.HOURS.toMillis(1));
                        default -> throw new AssertionError(breakage);
                    }
                }
                if (oomAbove >= 0 && count > oomAbove && (oomTimes == 0 || OOMS_THROWN.incrementAndGet() <= oomTimes)) {
                    throw new OutOfMemoryError("injected: batch of " + count + " does not fit");
                }
                if (failOnWhite && containsWhiteImage(pixels, count)) {
                    throw new IllegalStateException("injected: the network cannot process an all-white image");
                }
                List<Prediction> out = inner.classify(pixels, count, topK);
                batches.incrementAndGet();
                IMAGES.addAndGet(count);
                return out;
            }

            private boolean containsWhiteImage(float[] pixels, int count) {
                Preprocessing p = inner.preprocessing();
                int size = p.outputSize();
                float white = (1f - p.mean()[0]) / p.std()[0];
                for (int i = 0; i < count; i++) {
                    boolean all = true;
                    for (int j = 0; j < size && all; j++) {
                        all = Math.abs(pixels[i * size + j] - white) < 1e-4f;
                    }
                    if (all) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public void close() {
                inner.close();
                OPEN_MODELS.decrementAndGet();
            }
        };
    }

    @Override
    public String describe() {
        return "faulty(" + real.describe() + ")";
    }

    /** A barrier forwards wait at: the test sees them arrive and decides when they may go on. */
    public static final class Gate {
        static final Map<String, Gate> GATES = new ConcurrentHashMap<>();

        private final AtomicInteger arrived = new AtomicInteger();
        private final CountDownLatch open = new CountDownLatch(1);

        public static Gate named(String name) {
            return GATES.computeIfAbsent(name, n -> new Gate());
        }

        void pass(boolean ignoringInterrupts) throws InterruptedException {
            arrived.incrementAndGet();
            if (!ignoringInterrupts) {
                open.await();
                return;
            }
            boolean interrupted = false;
            while (true) {
                try {
                    open.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits until {@code forwards} forwards have arrived at the gate. */
        public void awaitArrivals(int forwards, long timeoutMillis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (arrived.get() < forwards) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError(arrived.get() + " forward(s) reached the gate, expected " + forwards);
                }
                Thread.sleep(10);
            }
        }

        public int arrivals() {
            return arrived.get();
        }

        public void open() {
            open.countDown();
        }
    }
}
