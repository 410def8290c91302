package io.densenetflink.operators.internal;

/**
 * Which model version a slot's frames get, and when that changes: the one decision the task thread, the
 * inference thread and the repository poll share.
 *
 * <p>Frames are tagged with {@link #serving()} as the task thread submits them. A newer version the poll
 * {@linkplain #noticed noticed} is loaded and checked on the inference thread, which then marks it {@linkplain
 * #ready ready}; it becomes the serving version only at {@link #boundary()}, which the task thread calls when it
 * snapshots the operator at a checkpoint barrier. So every frame before barrier n carries the old version, every
 * frame after it the new one, and a version is never tried twice ({@link #attempted}), whether it was refused
 * or not. Version 0 stands for a fixed model without numbered versions.
 */
final class VersionSwitch {

    /**
     * What a checkpoint boundary did: the version of the frames before it (and that version's {@linkplain
     * io.densenetflink.operators.SlotClassifier#modelDigest digest}), and the version of those after it.
     */
    record Boundary(long before, String beforeDigest, long after) {
        boolean switched() {
            return before != after;
        }
    }

    private volatile long serving;
    private String servingDigest;
    private long ready;
    private String readyDigest;
    private long attempted;
    /** {@link io.densenetflink.operators.SlotClassifierFactory#filesStamp} of {@code attempted} when it was tried. */
    private String attemptedStamp = "";
    /** The attempted version's files changed since it was tried: try it once more. */
    private boolean retry;
    private long newestSeen;

    VersionSwitch(long serving, String digest) {
        this.serving = serving;
        this.servingDigest = digest;
        this.attempted = serving;
        this.newestSeen = serving;
    }

    /** The version frames submitted now are classified by. */
    long serving() {
        return serving;
    }

    /** The repository's highest complete version is {@code latest}, its files as {@code stamp} (from the poll). */
    synchronized void noticed(long latest, String stamp) {
        newestSeen = Math.max(newestSeen, latest);
        if (latest == attempted && latest != serving && latest != ready && !stamp.equals(attemptedStamp)) {
            retry = true; // refused, then its files changed: a copy that was still being written
        }
    }

    /**
     * A version newer than every one served, ready or tried so far (or the last one tried, refused, whose files
     * changed since), or 0 when there is none to load.
     */
    synchronized long candidate() {
        if (newestSeen > Math.max(attempted, Math.max(serving, ready))) {
            return newestSeen;
        }
        return retry && newestSeen == attempted ? attempted : 0;
    }

    /**
     * {@code version} (its files as {@code stamp}) was loaded, or refused: it is not tried again unless its files
     * change.
     */
    synchronized void attempted(long version, String stamp) {
        if (version >= attempted) {
            attempted = version;
            attemptedStamp = stamp;
            retry = false;
        }
    }

    /** {@code version} is loaded and checked: it serves from the next boundary on. */
    synchronized void ready(long version, String digest) {
        ready = version;
        readyDigest = digest;
    }

    /** Whether {@code version} serves now or will at the next boundary: its model must stay loaded. */
    synchronized boolean isCurrentOrReady(long version) {
        return version == serving || version == ready;
    }

    /** A checkpoint barrier (called by the task thread while it snapshots): the ready version starts serving. */
    synchronized Boundary boundary() {
        long before = serving;
        String beforeDigest = servingDigest;
        if (ready != 0) {
            serving = ready;
            servingDigest = readyDigest;
            ready = 0;
        }
        return new Boundary(before, beforeDigest, serving);
    }
}
