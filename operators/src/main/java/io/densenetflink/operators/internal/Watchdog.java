package io.densenetflink.operators.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Fails a slot whose forward runs longer than {@code forwardTimeout} (with the inference thread's stack: where it
 * hangs) or whose inference loop is gone, checking a few times per timeout on a thread of its own.
 */
final class Watchdog implements AutoCloseable {

    /** What the watchdog watches. */
    interface Watched {
        /** False before the model loaded and once the slot closed or failed: nothing to watch. */
        boolean running();

        boolean loopEnded();

        Thread inferenceThread();
    }

    private final ScheduledExecutorService thread;

    private Watchdog(ScheduledExecutorService thread) {
        this.thread = thread;
    }

    static Watchdog start(Duration forwardTimeout, String name, ForwardWatch forwards, Watched slot,
            BiConsumer<String, Throwable> fail) {
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
                DaemonThreads.named(() -> name + "-watchdog"));
        long period = Math.max(10, Math.min(1000, forwardTimeout.toMillis() / 4));
        thread.scheduleWithFixedDelay(() -> check(forwardTimeout, forwards, slot, fail), period, period,
                TimeUnit.MILLISECONDS);
        return new Watchdog(thread);
    }

    private static void check(Duration forwardTimeout, ForwardWatch forwards, Watched slot,
            BiConsumer<String, Throwable> fail) {
        if (!slot.running()) {
            return;
        }
        String overdue = forwards.overdue(forwardTimeout);
        if (overdue != null) {
            TimeoutException hung = new TimeoutException(overdue);
            Thread inference = slot.inferenceThread();
            if (inference != null) {
                hung.setStackTrace(inference.getStackTrace()); // where it hangs
            }
            fail.accept(overdue, hung);
        } else if (slot.loopEnded()) {
            fail.accept("the inference loop is gone", new IllegalStateException("the inference loop ended"));
        }
    }

    void awaitTermination(long nanos) throws InterruptedException {
        thread.awaitTermination(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
