package io.densenetflink.model.train;

/**
 * Cosine annealing (Loshchilov and Hutter, SGDR) without restarts: {@code base * (1 + cos(pi * step / total)) / 2},
 * from {@code base} at step 0 down to 0 at the last step. A pure function of the step, so a resumed run picks up
 * the schedule exactly where it stopped.
 */
public final class LearningRateSchedule {

    private final float base;
    private final long totalSteps;

    public LearningRateSchedule(float base, long totalSteps) {
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("total steps must be > 0, got " + totalSteps);
        }
        this.base = base;
        this.totalSteps = totalSteps;
    }

    /** The learning rate of (0-based) update {@code step}. */
    public float at(long step) {
        double progress = Math.min(1.0, Math.max(0.0, (double) step / totalSteps));
        return (float) (base * 0.5 * (1.0 + Math.cos(Math.PI * progress)));
    }
}
