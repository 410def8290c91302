package io.densenetflink.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class ThreadTunerTest {

    /** Runs {@code steps} steps whose time depends on the thread count; returns the count used last. */
    private static int run(ThreadTuner tuner, int steps, IntToDoubleFunction secondsFor) {
        int last = 0;
        for (int i = 0; i < steps; i++) {
            last = tuner.next();
            tuner.record(secondsFor.applyAsDouble(last));
        }
        return last;
    }

    @Test
    void prefersMoreThreadsOnAnIdleMachine() {
        ThreadTuner tuner = new ThreadTuner(2);
        assertEquals(2, run(tuner, 50, t -> t == 2 ? 0.8 : 1.3));
        assertEquals(2, tuner.best());
    }

    @Test
    void fallsBackToOneThreadUnderContentionAndReturnsWhenItEnds() {
        ThreadTuner tuner = new ThreadTuner(2);
        run(tuner, 50, t -> t == 2 ? 0.8 : 1.3);
        // another process takes a core: two threads become very slow; the tuner notices the drift
        assertEquals(1, run(tuner, 60, t -> t == 2 ? 6.0 : 1.4));
        // contention ends: found again at the next scheduled probe
        assertEquals(2, run(tuner, 400, t -> t == 2 ? 0.8 : 1.3));
    }

    @Test
    void spendsFewStepsOnTheLosingCount() {
        ThreadTuner tuner = new ThreadTuner(2);
        int[] used = new int[3];
        for (int i = 0; i < 1000; i++) {
            int t = tuner.next();
            used[t]++;
            tuner.record(t == 2 ? 9.0 : 1.3);
        }
        assertEquals(1, tuner.best());
        // each probe abandons the slow count after its warm-up step and one measured step
        assertTrue(used[2] < 40, "steps on the slow count: " + used[2]);
    }

    @Test
    void nothingToTuneWithOneThread() {
        ThreadTuner tuner = new ThreadTuner(1);
        assertEquals(1, run(tuner, 10, t -> 1.0));
    }
}
