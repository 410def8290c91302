package io.densenetflink.operators.internal;

import io.densenetflink.operators.SlotClassifierFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks for a newer model version every {@code modelPollInterval} and tells the slot's {@link VersionSwitch}, on a
 * thread of its own: a listing of a slow file system (two directory listings and a model.json parse) must never
 * delay the watchdog that fails a hung forward.
 */
final class RepositoryPoll implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RepositoryPoll.class);

    private final ScheduledExecutorService thread;

    private RepositoryPoll(ScheduledExecutorService thread) {
        this.thread = thread;
    }

    /**
     * Polls {@code factory} every {@code interval} (never when it is zero) for the switch {@code versions} gives (null
     * until the model is loaded), unless {@code stopped}.
     */
    static RepositoryPoll start(SlotClassifierFactory factory, Duration interval, String name,
            Supplier<VersionSwitch> versions, BooleanSupplier stopped) {
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
                DaemonThreads.named(() -> name + "-repository-poll"));
        long millis = interval.toMillis();
        if (millis > 0) {
            thread.scheduleWithFixedDelay(() -> poll(factory, name, versions.get(), stopped), millis, millis,
                    TimeUnit.MILLISECONDS);
        }
        return new RepositoryPoll(thread);
    }

    private static void poll(SlotClassifierFactory factory, String name, VersionSwitch switching,
            BooleanSupplier stopped) {
        if (switching == null || stopped.getAsBoolean()) {
            return;
        }
        try {
            factory.latestVersion().ifPresent(v -> switching.noticed(v, factory.filesStamp(v)));
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot look for a newer model version: {}", name, e.getMessage());
        }
    }

    void awaitTermination(long nanos) throws InterruptedException {
        thread.awaitTermination(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** Stops polling (interrupting a poll under way). */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
