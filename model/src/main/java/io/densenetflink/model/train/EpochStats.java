package io.densenetflink.model.train;

/**
 * One finished epoch: mean training loss and accuracy over its (augmented) batches, validation loss and
 * accuracy (NaN without a validation split), the learning rate at its end and its wall time.
 */
public record EpochStats(int epoch, double trainLoss, double trainAccuracy, double validationLoss,
        double validationAccuracy, double learningRate, double seconds) {}
