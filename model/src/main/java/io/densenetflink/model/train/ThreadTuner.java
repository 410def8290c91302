package io.densenetflink.model.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Picks the OpenMP thread count for the next training step by measuring, for {@code --threads auto}.
 *
 * <p>On a machine shared with other work, more threads are not always faster: when another process takes a core,
 * OpenMP's barriers wait for a descheduled thread and a two-thread step can become several times slower than a
 * one-thread step, while on an idle machine two threads are nearly twice as fast. So the tuner alternates short
 * probes of each candidate count (a few steps each, abandoned early when clearly slower) with long stretches on
 * the winner, re-probing after a while or as soon as the step time drifts well above what the probe measured.
 *
 * <p>Pure bookkeeping, no engine calls: the caller applies {@link #next()} before each step and reports the
 * step's wall time with {@link #record(double)}.
 */
final class ThreadTuner {

    private static final int PROBE_STEPS = 5;
    private static final int MIN_HOLD = 150;
    private static final int MAX_HOLD = 600;
    private static final double SLOWER = 1.5;

    private final int[] candidates;
    private int best;
    private double bestSeconds = Double.NaN;
    private int hold = MIN_HOLD;

    // probing state
    private boolean probing = true;
    private int probeIndex;
    private final List<Double> samples = new ArrayList<>();
    private boolean warmedUp;
    private final double[] probeMedian;

    // holding state
    private int heldSteps;
    private final List<Double> recent = new ArrayList<>();

    /** Tunes between 1 and {@code maxThreads} (nothing to tune when that is 1). */
    ThreadTuner(int maxThreads) {
        this.candidates = maxThreads <= 1 ? new int[] {1} : new int[] {maxThreads, 1};
        this.best = candidates[0];
        this.probeMedian = new double[candidates.length];
        if (candidates.length == 1) {
            probing = false;
        }
    }

    /** The thread count to use for the next step. */
    int next() {
        return probing ? candidates[probeIndex] : best;
    }

    /** The count the last probe chose (the maximum until a probe has finished). */
    int best() {
        return best;
    }

    /** Reports the wall time of the step run with the last {@link #next()} value. */
    void record(double seconds) {
        if (candidates.length == 1) {
            return;
        }
        if (probing) {
            recordProbe(seconds);
        } else {
            recordHold(seconds);
        }
    }

    private void recordProbe(double seconds) {
        if (!warmedUp) {
            warmedUp = true; // the first step after a switch pays for the change
            return;
        }
        samples.add(seconds);
        double median = median(samples);
        boolean clearlySlower = probeIndex > 0 && median > SLOWER * probeMedian[0];
        if (samples.size() >= PROBE_STEPS || clearlySlower) {
            probeMedian[probeIndex] = median;
            samples.clear();
            warmedUp = false;
            probeIndex++;
            if (probeIndex == candidates.length) {
                int winner = 0;
                for (int i = 1; i < candidates.length; i++) {
                    if (probeMedian[i] < probeMedian[winner]) {
                        winner = i;
                    }
                }
                int previous = best;
                best = candidates[winner];
                bestSeconds = probeMedian[winner];
                hold = previous == best && !Double.isNaN(bestSeconds) ? Math.min(MAX_HOLD, hold * 2) : MIN_HOLD;
                probing = false;
                heldSteps = 0;
                recent.clear();
                probeIndex = 0;
                // probe the current winner first next time, so a switch back is measured against it
                if (winner != 0) {
                    int t = candidates[0];
                    candidates[0] = candidates[winner];
                    candidates[winner] = t;
                }
            }
        }
    }

    private void recordHold(double seconds) {
        heldSteps++;
        recent.add(seconds);
        if (recent.size() > 20) {
            recent.remove(0);
        }
        boolean drifted = recent.size() >= 10 && median(recent) > SLOWER * bestSeconds;
        if (heldSteps >= hold || drifted) {
            if (drifted) {
                hold = MIN_HOLD;
            }
            probing = true;
            probeIndex = 0;
            samples.clear();
            warmedUp = true; // the winner is probed first and is already running
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
