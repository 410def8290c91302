package io.densenetflink.job.settings;

/** Where the source starts reading when there is no checkpoint to resume from. */
public enum StartingOffsets {
    /** The consumer group's committed offsets; the earliest where the group has none. */
    COMMITTED,
    EARLIEST,
    LATEST
}
