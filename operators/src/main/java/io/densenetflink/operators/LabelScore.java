package io.densenetflink.operators;

/** One class of a result: index, label and probability. */
public record LabelScore(int classIndex, String label, float score) {}
