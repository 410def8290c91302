package io.densenetflink.model.train;

import io.densenetflink.model.artifact.ModelArtifact;
import java.util.List;

/**
 * What a {@link DenseNetTrainer#train} call did.
 *
 * @param firstEpoch the first epoch this call trained (1, or the one after the resumed checkpoint's)
 * @param epochsCompleted epochs the model has now been trained, counting resumed ones
 * @param history every epoch's statistics, resumed ones included
 * @param artifact the model artifact written into the output directory
 * @param trainingSeconds wall time of all epochs, across resumes
 */
public record TrainingResult(int firstEpoch, int epochsCompleted, List<EpochStats> history, ModelArtifact artifact,
        double trainingSeconds) {

    /** The last epoch's statistics. */
    public EpochStats last() {
        return history.get(history.size() - 1);
    }

    /** Epochs this call trained (0 when the checkpoint had already reached the requested count). */
    public int epochsTrainedNow() {
        return epochsCompleted - firstEpoch + 1;
    }
}
