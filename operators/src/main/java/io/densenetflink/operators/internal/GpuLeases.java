package io.densenetflink.operators.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The GPUs of this task manager that its slots have leased. Flink's external resource framework gives every
 * slot of a task manager the same list of GPU indices; each slot leases the GPU the fewest slots hold (the
 * lowest index on a tie) and gives it back when it closes. Two slots of a task manager with two GPUs thus
 * get different GPUs whatever their subtask indices (which {@code subtask % gpus} cannot promise: subtasks 0
 * and 2 of a job may share a task manager).
 *
 * <p>The table lives in this class, so it is shared by what one class loader loaded: the slots of a job in
 * a task manager (Flink keeps one user-code class loader per job and task manager). Slots of another job in
 * the same task manager lease from their own table.
 */
final class GpuLeases {

    /** Slots holding each GPU, by index. Guarded by the class. */
    private static final Map<Integer, Integer> HOLDERS = new HashMap<>();

    private GpuLeases() {}

    /** Leases the least-held of {@code gpus} (not empty); close the lease when the slot closes. */
    static synchronized Lease lease(List<Integer> gpus) {
        int best = gpus.get(0);
        for (int gpu : gpus) {
            int holders = HOLDERS.getOrDefault(gpu, 0);
            int bestHolders = HOLDERS.getOrDefault(best, 0);
            if (holders < bestHolders || (holders == bestHolders && gpu < best)) {
                best = gpu;
            }
        }
        HOLDERS.merge(best, 1, Integer::sum);
        return new Lease(best);
    }

    private static synchronized void release(int gpu) {
        HOLDERS.computeIfPresent(gpu, (g, n) -> n > 1 ? n - 1 : null);
    }

    /** One slot's hold on a GPU. */
    static final class Lease implements AutoCloseable {
        private final int gpu;
        private boolean released;

        private Lease(int gpu) {
            this.gpu = gpu;
        }

        int gpu() {
            return gpu;
        }

        /** Gives the GPU back (once). */
        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                release(gpu);
            }
        }
    }
}
