package io.densenetflink.model.inference;

/** One class of a prediction: its index, label and softmax probability. */
public record ScoredLabel(int index, String label, float probability) {}
