package io.densenetflink.operators.internal;

/** What one slot may take of its task manager when the options leave it open: inference threads, in-flight bytes. */
final class SlotSizing {

    /** The in-flight bytes a slot takes at most by default, however large the heap. */
    static final long MAX_DEFAULT_IN_FLIGHT_BYTES = 256L << 20;

    private SlotSizing() {}

    /** Slots sharing the task manager: the configured count, else the operator's parallelism (at most the cores). */
    static int slotsSharingTheTaskManager(int slotsPerTaskManager, int parallelism) {
        if (slotsPerTaskManager > 0) {
            return slotsPerTaskManager;
        }
        return Math.max(1, Math.min(parallelism, Runtime.getRuntime().availableProcessors()));
    }

    /** OpenMP threads for one slot: the configured count, else the cores shared by the slots. */
    static int inferenceThreads(int configured, int slotsPerTaskManager, int parallelism) {
        if (configured > 0) {
            return configured;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        return Math.max(1, cores / slotsSharingTheTaskManager(slotsPerTaskManager, parallelism));
    }

    /**
     * Encoded bytes one slot may hold: the configured bound, else a quarter of the JVM's heap divided by the
     * slots sharing it, at most {@link #MAX_DEFAULT_IN_FLIGHT_BYTES}.
     */
    static long maxInFlightBytes(long configured, int slotsPerTaskManager, int parallelism) {
        if (configured > 0) {
            return configured;
        }
        return Math.max(1, Math.min(MAX_DEFAULT_IN_FLIGHT_BYTES, heapShare(slotsPerTaskManager, parallelism)));
    }

    /**
     * Heap bytes one slot's decodes may take at once: the configured budget, else a quarter of the JVM's heap
     * divided by the slots sharing it (no upper bound: a larger heap decodes larger frames).
     */
    static long maxDecodeBytes(long configured, int slotsPerTaskManager, int parallelism) {
        if (configured > 0) {
            return configured;
        }
        return Math.max(1, heapShare(slotsPerTaskManager, parallelism));
    }

    private static long heapShare(int slotsPerTaskManager, int parallelism) {
        return Runtime.getRuntime().maxMemory() / 4 / slotsSharingTheTaskManager(slotsPerTaskManager, parallelism);
    }
}
