package io.densenetflink.operators.internal;

import ai.djl.Device;
import io.densenetflink.model.inference.Prediction;
import io.densenetflink.operators.SlotClassifier;
import io.densenetflink.operators.SlotClassifierFactory;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions a slot holds, each with its batch runner: the serving one, and during a swap the
 * candidate beside it or the previous one until its last frame is answered. Never more than two: a newer
 * candidate is loaded only when the slot holds one version.
 *
 * <p>Lives on the slot's inference thread, which loads, runs and closes every version (MXNet state belongs to
 * the thread that made it). A candidate is loaded beside the serving version, checked (same label count and
 * input as the serving one, a one-frame canary forward whose scores are finite, a warm-up forward of a full
 * batch) and only then {@linkplain VersionSwitch#ready offered}; one that fails to load, fails its check or
 * would take the slot over {@code maxSwapBytes} of weights is refused, with a log line and {@link
 * BatchListener#modelRejected}, and the serving version stays.
 */
final class LoadedVersions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedVersions.class);

    /** Everything a candidate needs to be loaded and checked. */
    record Loading(SlotClassifierFactory factory, Device device, long maxSwapBytes, int warmUpBatch, String name) {}

    /** A loaded version; {@code weightBytes} weighed when it was loaded, as its files may be deleted since. */
    private record Loaded(SlotClassifier classifier, BatchRunner runner, long weightBytes) {}

    private final Loading loading;
    private final VersionSwitch versions;
    private final Function<SlotClassifier, BatchRunner> runners;
    private final BatchListener listener;
    private final Map<Long, Loaded> loaded = new LinkedHashMap<>();

    LoadedVersions(Loading loading, VersionSwitch versions, Function<SlotClassifier, BatchRunner> runners,
            BatchListener listener) {
        this.loading = loading;
        this.versions = versions;
        this.runners = runners;
        this.listener = listener;
    }

    /**
     * Opens the version a slot starts with, on the calling (inference) thread: the one a checkpoint recorded
     * ({@code restored}), else the newest that loads, else the factory's fixed model.
     * <ul>
     *   <li>A recorded version that does not load (deleted) gives way to the newest, with a warning: replayed frames
     *       may then be classified differently than before.
     *   <li>A recorded version whose files now have another digest (its number reused) is refused: replayed frames
     *       would be classified by another model.
     *   <li>A newest version that does not load gives way to the highest below it that does, each refusal warned
     *       about and counted ({@link BatchListener#modelRejected}); it is tried again only once its files change.
     * </ul>
     */
    static LoadedVersions open(Loading loading, RecordedModel restored, Function<SlotClassifier, BatchRunner> runners,
            BatchListener listener) throws Exception {
        SlotClassifierFactory factory = loading.factory();
        long newest = factory.latestVersion().orElse(0);
        long version = newest;
        SlotClassifier classifier = restored.version() > 0 && newest > 0 ? openRecorded(loading, restored) : null;
        if (classifier != null) {
            version = restored.version();
        } else if (newest > 0) {
            var start = openNewestThatLoads(loading, newest, listener);
            classifier = start.classifier();
            version = start.version();
        } else {
            classifier = factory.open(loading.device());
        }
        try {
            VersionSwitch switching = new VersionSwitch(version, classifier.modelDigest());
            if (newest != version && version != restored.version()) {
                switching.attempted(newest, factory.filesStamp(newest)); // failed here: retried once its files change
            }
            LoadedVersions loaded = new LoadedVersions(loading, switching, runners, listener);
            loaded.add(version, classifier);
            return loaded;
        } catch (RuntimeException | Error e) {
            classifier.close();
            throw e;
        }
    }

    /** The version a checkpoint recorded, or null when it does not load; refused when its digest changed. */
    private static SlotClassifier openRecorded(Loading loading, RecordedModel restored) {
        SlotClassifier classifier;
        try {
            classifier = loading.factory().open(loading.device(), restored.version());
        } catch (Exception e) {
            LOG.warn("{}: model version {}, which the checkpoint recorded, does not load; starting with the newest,"
                    + " so replayed frames may be classified differently than before: {}", loading.name(),
                    restored.version(), e.toString());
            return null;
        }
        if (!restored.matches(classifier.modelDigest())) {
            String now = classifier.modelDigest();
            classifier.close();
            throw new IllegalStateException("model version " + restored.version() + " is not the model the"
                    + " checkpoint recorded: its files now record " + (now.isEmpty() ? "no digest" : now)
                    + ", the checkpoint " + restored.digest() + " (the number was reused for other files)."
                    + " Refused: replayed frames would be classified by another model. Put the recorded"
                    + " version's files back, or start the job without this checkpoint");
        }
        return classifier;
    }

    private record Opened(SlotClassifier classifier, long version) {}

    /** Opens {@code newest}, or the highest version below it that loads; throws the newest's failure when none does. */
    private static Opened openNewestThatLoads(Loading loading, long newest, BatchListener listener) throws Exception {
        SlotClassifierFactory factory = loading.factory();
        Exception first = null;
        for (OptionalLong v = OptionalLong.of(newest); v.isPresent(); v = factory.latestVersionBelow(v.getAsLong())) {
            try {
                return new Opened(factory.open(loading.device(), v.getAsLong()), v.getAsLong());
            } catch (Exception e) {
                first = first == null ? e : first;
                OptionalLong below = factory.latestVersionBelow(v.getAsLong());
                LOG.warn("{}: model version {} does not load{}: {}", loading.name(), v.getAsLong(),
                        below.isPresent() ? ", falling back to version " + below.getAsLong() : " and none below it does",
                        e.toString());
                listener.modelRejected(v.getAsLong(), "it does not load: " + e);
            }
        }
        throw first;
    }

    /** Which version serves, and when that changes. */
    VersionSwitch versions() {
        return versions;
    }

    /** The model of the version serving now. */
    SlotClassifier serving() {
        return loaded.get(versions.serving()).classifier();
    }

    /** Adds the version the slot starts with (loaded by the caller). */
    void add(long version, SlotClassifier classifier) {
        long bytes;
        try {
            bytes = loading.factory().weightBytes(version);
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot weigh model version {}'s files: {}", loading.name(), version, e.getMessage());
            bytes = 0;
        }
        add(version, classifier, bytes);
    }

    private void add(long version, SlotClassifier classifier, long weightBytes) {
        loaded.put(version, new Loaded(classifier, runners.apply(classifier), weightBytes));
    }

    /** The runner of {@code version}, which is loaded as long as a frame tagged with it is in flight. */
    BatchRunner runner(long version) {
        Loaded l = loaded.get(version);
        if (l == null) {
            throw new IllegalStateException(loading.name() + ": model version " + version + " is not loaded");
        }
        return l.runner();
    }

    /** Loads and checks the newest version the poll noticed, if there is one and the slot holds only one version. */
    void loadCandidate() {
        long candidate = versions.candidate();
        if (candidate == 0 || loaded.size() != 1) {
            return;
        }
        versions.attempted(candidate, loading.factory().filesStamp(candidate));
        long serving = versions.serving();
        SlotClassifier current = loaded.get(serving).classifier();
        long candidateBytes;
        try {
            // The serving version's weight as loaded: its directory may have been deleted since, which is no
            // fault of the candidate's.
            candidateBytes = loading.factory().weightBytes(candidate);
        } catch (RuntimeException e) {
            refuse(candidate, "its files cannot be read: " + e.getMessage());
            return;
        }
        long bytes = loaded.get(serving).weightBytes() + candidateBytes;
        if (loading.maxSwapBytes() > 0 && bytes > loading.maxSwapBytes()) {
            refuse(candidate, "serving it beside version " + serving + " takes " + bytes + " bytes of weights,"
                    + " more than maxSwapBytes " + loading.maxSwapBytes());
            return;
        }
        long start = System.nanoTime();
        SlotClassifier next;
        try {
            next = loading.factory().open(loading.device(), candidate);
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            refuse(candidate, "it does not load: " + e);
            return;
        }
        String wrong;
        try {
            wrong = check(next, current);
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            wrong = "its canary forward failed: " + e;
        }
        if (wrong != null) {
            closeQuietly(candidate, next);
            refuse(candidate, wrong);
            return;
        }
        add(candidate, next, candidateBytes);
        versions.ready(candidate, next.modelDigest());
        LOG.info("{}: model version {} loaded and checked in {} ms beside version {}; it serves the frames after"
                + " the next checkpoint", loading.name(), candidate, (System.nanoTime() - start) / 1_000_000, serving);
    }

    /** Why {@code next} cannot replace {@code current}, or null when it can (runs two forwards). */
    private String check(SlotClassifier next, SlotClassifier current) throws Exception {
        if (next.numClasses() != current.numClasses()) {
            return "it scores " + next.numClasses() + " classes, the serving version " + current.numClasses();
        }
        if (!next.preprocessing().equals(current.preprocessing())) {
            return "its input (preprocessing " + next.preprocessing() + ") differs from the serving version's ("
                    + current.preprocessing() + ")";
        }
        int imageSize = next.preprocessing().outputSize();
        List<Prediction> canary = next.classify(new float[imageSize], 1, 1);
        if (canary.size() != 1 || canary.get(0).logits().length != next.numClasses()) {
            return "its canary forward gave " + canary.size() + " predictions";
        }
        for (float logit : canary.get(0).logits()) {
            if (!Float.isFinite(logit)) {
                return "its canary forward scored " + logit;
            }
        }
        int warmUp = loading.warmUpBatch();
        if (next.classify(new float[imageSize * warmUp], warmUp, 1).size() != warmUp) {
            return "its warm-up forward of " + warmUp + " frames did not answer each";
        }
        return null;
    }

    private void refuse(long version, String why) {
        LOG.warn("{}: model version {} is refused, version {} keeps serving: {}", loading.name(), version,
                versions.serving(), why);
        listener.modelRejected(version, why);
    }

    /**
     * Closes every version that neither serves, nor is ready to, nor has a frame in flight: the previous
     * version once its last frame is answered.
     */
    void closeUnneeded(Collection<InFlightFrame> inFlight) {
        if (loaded.size() < 2) {
            return;
        }
        for (Iterator<Map.Entry<Long, Loaded>> it = loaded.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            long version = e.getKey();
            if (versions.isCurrentOrReady(version) || inFlight.stream().anyMatch(f -> f.version() == version)) {
                continue;
            }
            it.remove();
            closeQuietly(version, e.getValue().classifier());
            LOG.info("{}: model version {} closed, its last frame is answered", loading.name(), version);
        }
    }

    private void closeQuietly(long version, SlotClassifier classifier) {
        try {
            classifier.close();
        } catch (Throwable t) {
            LOG.warn("{}: closing model version {} failed", loading.name(), version, t);
        }
    }

    /** Closes every version held. */
    @Override
    public void close() {
        loaded.forEach((version, l) -> closeQuietly(version, l.classifier()));
        loaded.clear();
    }
}
