package io.densenetflink.operators.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Finds which frames a failed batch failed for, once a probe showed that the model works: splits the batch in
 * halves, depth first, within a budget of forwards. A frame that fails alone is the frame's fault only if the model
 * worked after that failure (a later group succeeded, or a final probe); what failed after the model's last
 * success, when the final probe fails too, is the slot's (the device may be lost mid-bisection).
 */
final class Bisection {

    /** The forwards a bisection spends. */
    interface Forwards {
        /** Runs {@code group} and answers its frames; returns what it threw instead, answering none. */
        Throwable forward(List<PendingFrame> group);

        /** Whether the model classifies a known-good input. */
        boolean probe();
    }

    /**
     * What a bisection found: frames that failed alone while the model worked (dead letters), frames suspected of
     * failing for the slot's reasons (run again, counted towards a systemic failure), frames the budget did not
     * reach (run again), and whether the slot stopped meanwhile (then nothing is to be answered).
     */
    record Verdict(Map<PendingFrame, Throwable> deadLetters, List<PendingFrame> suspected,
            List<PendingFrame> notReached, boolean stopped) {}

    private final int budget;
    private final Forwards forwards;
    private final BatchSizeLimit limit;
    private final BooleanSupplier stopped;

    Bisection(int budget, Forwards forwards, BatchSizeLimit limit, BooleanSupplier stopped) {
        this.budget = budget;
        this.forwards = forwards;
        this.limit = limit;
        this.stopped = stopped;
    }

    /** Bisects {@code batch}, which failed with {@code error} before a probe that succeeded. */
    Verdict run(List<PendingFrame> batch, Throwable error) {
        Map<PendingFrame, Throwable> failedAlone = new LinkedHashMap<>();
        List<PendingFrame> failedSinceLastSuccess = new ArrayList<>();
        List<PendingFrame> notReached = new ArrayList<>();
        Deque<List<PendingFrame>> todo = new ArrayDeque<>();
        split(batch, error, todo, failedAlone, failedSinceLastSuccess);
        failedSinceLastSuccess.clear(); // the batch failed before the probe that just succeeded
        int spent = 0;
        while (!todo.isEmpty()) {
            List<PendingFrame> group = BatchRunner.unanswered(todo.pop());
            if (group.isEmpty()) {
                continue;
            }
            if (spent >= budget) {
                notReached.addAll(group);
                continue;
            }
            spent++;
            Throwable e = forwards.forward(group);
            if (e == null) {
                failedSinceLastSuccess.clear();
            } else if (stopped.getAsBoolean()) {
                return new Verdict(Map.of(), List.of(), List.of(), true);
            } else if (BatchRunner.isOutOfMemory(e)) {
                limit.outOfMemory(group.size(), e);
                notReached.addAll(group); // memory, not these frames: they run again later
            } else {
                split(group, e, todo, failedAlone, failedSinceLastSuccess);
            }
        }
        if (!failedSinceLastSuccess.isEmpty() && !forwards.probe()) {
            // The model broke while the batch was being split: what failed since it last worked is not the frames'
            // fault. What failed alone before a later success is.
            List<PendingFrame> suspected = new ArrayList<>(failedSinceLastSuccess);
            suspected.addAll(notReached);
            failedSinceLastSuccess.forEach(failedAlone::remove);
            return new Verdict(failedAlone, suspected, List.of(), false);
        }
        return new Verdict(failedAlone, List.of(), notReached, false);
    }

    /**
     * Queues the halves of a failed group (first half on top), or records a single frame as failed alone (and as
     * failed since the model last worked).
     */
    private static void split(List<PendingFrame> group, Throwable error, Deque<List<PendingFrame>> todo,
            Map<PendingFrame, Throwable> failedAlone, List<PendingFrame> failedSinceLastSuccess) {
        if (group.size() == 1) {
            failedAlone.put(group.get(0), error);
            failedSinceLastSuccess.add(group.get(0));
            return;
        }
        int middle = group.size() / 2;
        todo.push(new ArrayList<>(group.subList(middle, group.size())));
        todo.push(new ArrayList<>(group.subList(0, middle)));
    }
}
