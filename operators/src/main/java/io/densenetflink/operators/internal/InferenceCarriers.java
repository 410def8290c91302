package io.densenetflink.operators.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads slots run their models on, kept beyond a slot's life so that the next slot (after a failover,
 * a restart, a rescale) runs on a thread that ran a model before.
 *
 * <p>Why: native code keeps per-thread state. glibc gives each new thread that allocates its own malloc
 * arena, and the memory a closed model freed in one thread's arena is not reused by the next thread's
 * allocations. Measured here with a DenseNet-121-sized model (7 M parameters): loading, running and closing
 * it on a new thread each time grew the resident set by about 160 MB per round (until glibc's arena cap,
 * 8 per core); on one reused thread it stayed flat. A slot restarted by a failover loop would otherwise leak
 * that much per restart.
 *
 * <p>A carrier only ever runs slots with one OpenMP thread count: MXNet caches oneDNN primitives per thread
 * (thread-local maps keyed by the operator's shapes), built for the thread count set when they were made.
 * Set another count on the same thread and the next model reuses a cached primitive with more threads than
 * it was built for: the JVM dies with a SIGSEGV in an OpenMP worker (reproduced here: a DenseNet run with 1
 * thread, then with 2 on the same thread). So there is one pool per thread count.
 *
 * <p>An idle thread ends after {@link #KEEP_ALIVE_SECONDS}: a finished job leaves none behind for long (nor
 * its class loader, which the pool's class belongs to).
 */
final class InferenceCarriers {

    static final long KEEP_ALIVE_SECONDS = 120;

    private static final String IDLE_NAME = "densenet-inference-idle-";

    private static final AtomicInteger NUMBER = new AtomicInteger();

    /** Carriers by the OpenMP thread count they run with (0: never set, as on a GPU). */
    private static final Map<Integer, ThreadPoolExecutor> POOLS = new ConcurrentHashMap<>();

    private InferenceCarriers() {}

    private static ThreadPoolExecutor pool(int ompThreads) {
        return POOLS.computeIfAbsent(ompThreads, n -> new ThreadPoolExecutor(0, Integer.MAX_VALUE,
                KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(),
                DaemonThreads.named(() -> IDLE_NAME + n + "t-" + NUMBER.incrementAndGet())));
    }

    /**
     * Runs {@code loop} on an idle carrier of {@code ompThreads} OpenMP threads (or a new one), named {@code
     * name} while it runs. Cancelling the returned future with interruption interrupts the loop, and only it.
     */
    static Future<?> run(String name, int ompThreads, Runnable loop) {
        return pool(ompThreads).submit(() -> {
            Thread carrier = Thread.currentThread();
            String idle = carrier.getName();
            carrier.setName(name);
            try {
                loop.run();
            } finally {
                carrier.setName(idle);
            }
        });
    }
}
