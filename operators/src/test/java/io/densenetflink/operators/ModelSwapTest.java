package io.densenetflink.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.artifact.ModelRepository;
import io.densenetflink.model.artifact.ScratchDirectory;
import io.densenetflink.operators.internal.InferenceFunction;
import io.densenetflink.operators.types.FrameSerializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * New model versions while the operator runs, with real models in a real {@link ModelRepository} and the operator
 * under Flink's AsyncWaitOperator: a new version takes over at exactly one checkpoint, frames before it keep the
 * old one; broken versions and swaps beyond the memory bound are refused while the old version serves; a restore
 * from the switch checkpoint replays with the version the checkpoint recorded.
 */
class ModelSwapTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path scratch;

    private ModelRepository repository() throws Exception {
        Path dir = Files.createDirectories(scratch.resolve("repository"));
        ModelRepository repository = ModelRepository.at(dir);
        repository.publish(Path.of(TestModels.tiny()), OptionalLong.empty());
        return repository;
    }

    private static OperatorHarness harness(ModelRepository repository, long maxSwapBytes) throws Exception {
        // Batches wait up to 100 ms, longer than a round: a batch would span a checkpoint unless the version splits it.
        return OperatorHarness.of(InferenceOptions.builder(repository.directory().toString()).maxBatchSize(8)
                .maxDelay(Duration.ofMillis(100)).inferenceThreads(1).device("cpu")
                .modelPollInterval(Duration.ofMillis(50)).maxSwapBytes(maxSwapBytes).build());
    }

    /** Feeds frames in rounds of three, each round followed by a checkpoint, and remembers where each checkpoint fell. */
    private static final class Rounds {
        final OperatorHarness operator;
        final List<Integer> framesBeforeCheckpoint = new ArrayList<>();
        final List<OperatorSubtaskState> states = new ArrayList<>();
        /** The index (into the two lists) of the checkpoint at which modelSwaps first grew; -1 while none did. */
        int switchCheckpoint = -1;
        int frames;
        long checkpointId;

        Rounds(OperatorHarness operator) {
            this.operator = operator;
        }

        void round() throws Exception {
            for (int i = 0; i < 3; i++) {
                operator.process(TestModels.frame("cam", "f" + frames, TestModels.png(frames)));
                frames++;
            }
            long swapsBefore = operator.counter("modelSwaps");
            states.add(operator.snapshot(++checkpointId));
            framesBeforeCheckpoint.add(frames);
            if (switchCheckpoint < 0 && operator.counter("modelSwaps") > swapsBefore) {
                switchCheckpoint = framesBeforeCheckpoint.size() - 1;
            }
            operator.drainMailbox();
            Thread.sleep(20);
        }

        void until(BooleanSupplier condition, String what) throws Exception {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not within " + LIMIT + ": " + what);
                }
                round();
            }
        }

        /** The model version of every result, in input order; fails on a dead letter. */
        List<String> versions() {
            List<String> out = new ArrayList<>();
            for (Either<Classification, FailedFrame> e : operator.outputs()) {
                assertTrue(e.isLeft(), () -> "a frame failed: " + e.right());
                out.add(e.left().modelVersion());
            }
            return out;
        }
    }

    /** Where the versions change in {@code versions}: indices i with versions[i] != versions[i - 1]. */
    private static List<Integer> changes(List<String> versions) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i < versions.size(); i++) {
            if (!versions.get(i).equals(versions.get(i - 1))) {
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void aPublishedVersionTakesOverAtOneCheckpointAndFramesBeforeItKeepTheOldOne() throws Exception {
        ModelRepository repository = repository();
        try (OperatorHarness operator = harness(repository, 0)) {
            operator.open();
            Rounds rounds = new Rounds(operator);
            for (int i = 0; i < 3; i++) {
                rounds.round();
            }
            assertEquals(1L, operator.gauge("modelVersion"));
            repository.publish(Path.of(TestModels.tiny()), OptionalLong.empty());
            rounds.until(() -> rounds.switchCheckpoint >= 0, "version 2 takes over");
            for (int i = 0; i < 3; i++) {
                rounds.round();
            }
            operator.endInput();

            List<String> versions = rounds.versions();
            assertEquals(rounds.frames, versions.size(), "every frame answered once");
            assertEquals("1", versions.get(0));
            assertEquals("2", versions.get(versions.size() - 1));
            int boundary = rounds.framesBeforeCheckpoint.get(rounds.switchCheckpoint);
            assertEquals(List.of(boundary), changes(versions), "one switch, at the frames before checkpoint "
                    + (rounds.switchCheckpoint + 1) + ": " + versions);
            assertEquals(2L, operator.gauge("modelVersion"));
            assertEquals(1, operator.counter("modelSwaps"));
            assertEquals(0, operator.counter("modelRejected"));
        }
    }

    @Test
    void brokenVersionsAreRefusedOnceEachWhileTheServingOneKeepsServing() throws Exception {
        ModelRepository repository = repository();
        Path badWeights = TestModels.tinyModel(scratch.resolve("bad-weights"));
        Files.write(ModelArtifact.read(badWeights).weightsPath(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        ModelArtifact.read(badWeights).writeDescriptor(badWeights); // its digest says these bytes: it passes publish
        Path fiveClasses = TestModels.tinyModel(scratch.resolve("five-classes"), 5);
        try (OperatorHarness operator = harness(repository, 0)) {
            operator.open();
            Rounds rounds = new Rounds(operator);
            rounds.round();
            repository.publish(badWeights, OptionalLong.empty());
            rounds.until(() -> operator.counter("modelRejected") == 1, "the version with bad weights is refused");
            repository.publish(fiveClasses, OptionalLong.empty());
            rounds.until(() -> operator.counter("modelRejected") == 2, "the version with 5 classes is refused");
            long until = System.nanoTime() + Duration.ofMillis(500).toNanos(); // ten polls: no retry
            while (System.nanoTime() < until) {
                rounds.round();
            }
            operator.endInput();

            List<String> versions = rounds.versions();
            assertEquals(rounds.frames, versions.size());
            assertEquals(List.of(), changes(versions), "version 1 classified every frame: " + versions);
            assertEquals("1", versions.get(0));
            assertEquals(2, operator.counter("modelRejected"), "each refused once, not retried");
            assertEquals(0, operator.counter("modelSwaps"));
            assertEquals(1L, operator.gauge("modelVersion"));
        }
    }

    /**
     * Issue 19: refusals were forgotten at restart, so a bad highest version failed open() on every fresh start
     * although the version below it was good.
     */
    @Test
    void aFreshStartFallsBackBelowANewestVersionThatDoesNotLoad() throws Exception {
        ModelRepository repository = repository();
        Path badWeights = TestModels.tinyModel(scratch.resolve("bad-weights"));
        Files.write(ModelArtifact.read(badWeights).weightsPath(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        ModelArtifact.read(badWeights).writeDescriptor(badWeights);
        repository.publish(badWeights, OptionalLong.empty());
        try (OperatorHarness operator = harness(repository, 0)) {
            operator.open();
            assertEquals(1L, operator.gauge("modelVersion"), "version 2 does not load: version 1 serves");
            assertEquals(1, operator.counter("modelRejected"));
            Rounds rounds = new Rounds(operator);
            long until = System.nanoTime() + Duration.ofMillis(500).toNanos(); // ten polls: no retry
            while (System.nanoTime() < until) {
                rounds.round();
            }
            operator.endInput();
            assertEquals(List.of(), changes(rounds.versions()));
            assertEquals("1", rounds.versions().get(0));
            assertEquals(1, operator.counter("modelRejected"), "refused once, not again by the poll");
        }
        ScratchDirectory.adopt(repository.versionDirectory(1)).close();
        try (OperatorHarness operator = harness(repository, 0)) {
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, operator::open);
            assertTrue(causes(e).contains("does not load") || causes(e).contains("safetensors"), causes(e));
        }
    }

    /**
     * Issue 19: with the serving version's directory deleted, every later version was refused until a restart
     * ("its files cannot be read" was blamed on the candidate: the swap bound re-read the serving version's files).
     */
    @Test
    void aNewVersionTakesOverWhenTheServingVersionsDirectoryWasDeleted() throws Exception {
        ModelRepository repository = repository();
        try (OperatorHarness operator = harness(repository, 1L << 30)) {
            operator.open();
            Rounds rounds = new Rounds(operator);
            rounds.round();
            ScratchDirectory.adopt(repository.versionDirectory(1)).close();
            repository.publish(Path.of(TestModels.tiny()), OptionalLong.empty());
            rounds.until(() -> operator.counter("modelSwaps") == 1, "version 2 takes over");
            rounds.round();
            assertEquals(0, operator.counter("modelRejected"));
            operator.endInput();
            assertEquals(1, changes(rounds.versions()).size(), rounds.versions().toString());
        }
    }

    /**
     * Issue 19: a version copied in by hand (cp -r) could be seen half-written, and was then refused forever; it is
     * tried again once its files change, and never while they stay as they were.
     */
    @Test
    void aVersionSeenHalfCopiedIsTriedAgainOnceItsFilesChange() throws Exception {
        ModelRepository repository = repository();
        Path copy = TestModels.tinyModel(scratch.resolve("copied"));
        byte[] weights = Files.readAllBytes(ModelArtifact.read(copy).weightsPath());
        try (OperatorHarness operator = harness(repository, 0)) {
            operator.open();
            Rounds rounds = new Rounds(operator);
            rounds.round();
            Path two = Files.createDirectories(repository.versionDirectory(2)); // cp -r, midway
            Files.copy(copy.resolve(ModelArtifact.DESCRIPTOR), two.resolve(ModelArtifact.DESCRIPTOR));
            Path partial = two.resolve(ModelArtifact.DEFAULT_WEIGHTS);
            Files.write(partial, java.util.Arrays.copyOf(weights, weights.length / 2));
            rounds.until(() -> operator.counter("modelRejected") == 1, "the half-copied version is refused");
            long until = System.nanoTime() + Duration.ofMillis(300).toNanos(); // unchanged files: no retry
            while (System.nanoTime() < until) {
                rounds.round();
            }
            assertEquals(1, operator.counter("modelRejected"));
            Files.write(partial, weights); // the copy completes
            rounds.until(() -> operator.counter("modelSwaps") == 1, "version 2 takes over once copied");
            rounds.round();
            operator.endInput();
            assertEquals(1, operator.counter("modelRejected"));
            assertEquals(1, changes(rounds.versions()).size(), rounds.versions().toString());
            assertEquals(2L, operator.gauge("modelVersion"));
        }
    }

    @Test
    void aSwapThatWouldExceedTheMemoryBoundIsRefused() throws Exception {
        ModelRepository repository = repository();
        long oneVersion = Files.size(repository.read(1).orElseThrow().weightsPath());
        try (OperatorHarness operator = harness(repository, oneVersion + oneVersion / 2)) {
            operator.open();
            Rounds rounds = new Rounds(operator);
            repository.publish(Path.of(TestModels.tiny()), OptionalLong.empty());
            rounds.until(() -> operator.counter("modelRejected") == 1, "version 2 is refused");
            operator.endInput();
            assertEquals(List.of(), changes(rounds.versions()));
            assertEquals(0, operator.counter("modelSwaps"));
        }
    }

    @Test
    void aRestoreFromTheSwitchCheckpointReplaysWithTheRecordedVersionThenSwitchesAgain() throws Exception {
        ModelRepository repository = repository();
        OperatorSubtaskState atSwitch;
        try (OperatorHarness first = harness(repository, 0)) {
            first.open();
            Rounds rounds = new Rounds(first);
            rounds.round();
            repository.publish(Path.of(TestModels.tiny()), OptionalLong.empty());
            rounds.until(() -> rounds.switchCheckpoint >= 0, "version 2 takes over");
            atSwitch = rounds.states.get(rounds.switchCheckpoint);
            // The failover: the task dies right after the switch checkpoint, before anything else is emitted.
        }
        try (OperatorHarness restored = harness(repository, 0)) {
            restored.initializeState(atSwitch);
            restored.open();
            assertEquals(1L, restored.gauge("modelVersion"), "the slot starts with the version the checkpoint recorded");
            Rounds rounds = new Rounds(restored);
            rounds.until(() -> rounds.switchCheckpoint >= 0, "version 2 takes over again");
            rounds.round();
            restored.endInput();

            List<String> versions = rounds.versions();
            assertTrue(versions.size() >= rounds.frames, "the replayed frames and the new ones");
            int replayed = versions.size() - rounds.frames;
            int boundary = replayed + rounds.framesBeforeCheckpoint.get(rounds.switchCheckpoint);
            assertEquals("1", versions.get(0), "replayed and new frames before the next checkpoint: version 1");
            assertEquals(List.of(boundary), changes(versions), "switched again at checkpoint "
                    + (rounds.switchCheckpoint + 1) + " after the restore (" + replayed + " replayed): " + versions);
            assertEquals(1, restored.counter("modelSwaps"));
        }
    }

    /**
     * Issue 19: checkpoints recorded only the version number, so a version deleted and its number reused for other
     * files was restored onto silently, and the replay classified frames with another model.
     */
    @Test
    void aRestoreOntoAVersionNumberReusedForOtherFilesIsRefused() throws Exception {
        ModelRepository repository = repository();
        OperatorSubtaskState recorded;
        try (OperatorHarness first = harness(repository, 0)) {
            first.open();
            Rounds rounds = new Rounds(first);
            rounds.round();
            recorded = rounds.states.get(0);
        }
        ModelRepository elsewhere = ModelRepository.at(Files.createDirectories(scratch.resolve("elsewhere")));
        elsewhere.publish(TestModels.tinyModel(scratch.resolve("other-weights")), OptionalLong.empty());
        String served = repository.read(1).orElseThrow().contentDigest();
        String other = elsewhere.read(1).orElseThrow().contentDigest();
        assertTrue(!served.equals(other), "the other model's weights differ");
        try (var deleted = ScratchDirectory.adopt(repository.versionDirectory(1))) {
            // deleted by hand, and a copy of another model put in its place under the same number
        }
        Files.move(elsewhere.versionDirectory(1), repository.versionDirectory(1));

        try (OperatorHarness restored = harness(repository, 0)) {
            restored.initializeState(recorded);
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, restored::open);
            String message = causes(e);
            assertTrue(message.contains("model version 1 is not the model the checkpoint recorded: its files now record "
                    + other + ", the checkpoint " + served), message);
        }
    }

    /**
     * A checkpoint written before digests were kept holds the served version in the union state
     * densenet-served-versions (subtask, version) only: it still restores onto that version, without a digest to
     * compare.
     */
    @Test
    void aCheckpointFromBeforeDigestsRestoresOntoItsRecordedVersion() throws Exception {
        ModelRepository repository = repository();
        repository.publish(Path.of(TestModels.tiny()), OptionalLong.empty());
        OperatorSubtaskState legacy;
        try (var old = new OneInputStreamOperatorTestHarness<>(new AsyncWaitOperatorFactory<>(
                new LegacyVersionState(1), 1000, 10, AsyncDataStream.OutputMode.ORDERED), FrameSerializer.INSTANCE)) {
            old.setup(InferenceFunction.outcomeType().createSerializer(new ExecutionConfig().getSerializerConfig()));
            old.open();
            legacy = old.snapshot(1, 1);
        }
        try (OperatorHarness restored = harness(repository, 0)) {
            restored.initializeState(legacy);
            restored.open();
            assertEquals(1L, restored.gauge("modelVersion"), "the version the old checkpoint recorded, not the newest (2)");
            Rounds rounds = new Rounds(restored);
            rounds.until(() -> rounds.switchCheckpoint >= 0, "version 2 takes over at the next checkpoint");
        }
    }

    /** What the operator's state looked like before digests: union list state of (subtask, version). */
    private static final class LegacyVersionState extends RichAsyncFunction<Frame, Either<Classification, FailedFrame>>
            implements CheckpointedFunction {
        private final long version;
        private transient ListState<Tuple2<Integer, Long>> state;

        LegacyVersionState(long version) {
            this.version = version;
        }

        @Override
        public void asyncInvoke(Frame input, ResultFuture<Either<Classification, FailedFrame>> out) {
            throw new UnsupportedOperationException("no frames");
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            state = context.getOperatorStateStore().getUnionListState(
                    new ListStateDescriptor<>("densenet-served-versions", Types.TUPLE(Types.INT, Types.LONG)));
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            state.update(List.of(Tuple2.of(0, version)));
        }
    }

    private static String causes(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.append(c).append(" / ");
        }
        return out.toString();
    }
}
