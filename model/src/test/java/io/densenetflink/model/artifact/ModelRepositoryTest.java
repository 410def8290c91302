package io.densenetflink.model.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.image.Preprocessing;
import io.densenetflink.model.weights.TorchvisionImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Numbered versions, published in one rename; incomplete or foreign directories are never versions. */
class ModelRepositoryTest {

    @TempDir
    static Path tmp;

    static Path model;

    @BeforeAll
    static void aModel() throws Exception {
        ModelArtifact spec = ModelArtifact.builder().directory(tmp.resolve("model")).name("tiny").version("7")
                .architecture(DenseNetConfig.builder().growthRate(4).blocks(2, 2).initFeatures(8).numClasses(3)
                        .inputChannels(1).stem(DenseNetConfig.Stem.CIFAR).build())
                .preprocessing(Preprocessing.of(1, 28, 28, 28, new float[] {0.5f}, new float[] {0.5f})).build();
        model = TorchvisionImporter.writeRandomArtifact(spec).directory();
    }

    @Test
    void publishingNumbersVersionsAndTheirModelJsonSaysSo() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("repo1"));
        ModelRepository repo = ModelRepository.at(dir);
        assertFalse(ModelRepository.isRepository(dir), "an empty directory is no repository yet");
        assertEquals(1, repo.publish(model, OptionalLong.empty()));
        assertEquals(2, repo.publish(model, OptionalLong.empty()));
        assertEquals(10, repo.publish(model, OptionalLong.of(10)));
        assertEquals(List.of(1L, 2L, 10L), repo.numbered());
        assertEquals(OptionalLong.of(10), repo.latestComplete());
        assertEquals("10", ModelArtifact.read(repo.versionDirectory(10)).version());
        assertTrue(ModelRepository.isRepository(dir));
        assertFalse(ModelRepository.isRepository(model));
        assertThrows(IllegalArgumentException.class, () -> repo.publish(model, OptionalLong.of(2)));
        try (Stream<Path> entries = Files.list(dir)) {
            assertTrue(entries.noneMatch(p -> p.getFileName().toString().startsWith(".publishing")), "no staging copy left");
        }
    }

    /**
     * Issue 19: after a version's directory was deleted, publish handed its number out again, while a job's
     * checkpoint may still name that number for the deleted model.
     */
    @Test
    void aNumberIsNeverPublishedTwiceEvenAfterItsVersionWasDeleted() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("repo6"));
        ModelRepository repo = ModelRepository.at(dir);
        assertEquals(1, repo.publish(model, OptionalLong.empty()));
        assertEquals(2, repo.publish(model, OptionalLong.empty()));
        try (ScratchDirectory deleted = ScratchDirectory.adopt(repo.versionDirectory(2))) {
            // removed by hand
        }
        assertEquals(3, repo.publish(model, OptionalLong.empty()), "not 2 again");
        IllegalArgumentException reuse = assertThrows(IllegalArgumentException.class,
                () -> repo.publish(model, OptionalLong.of(2)));
        assertTrue(reuse.getMessage().contains("version 2 was published in " + dir + " before"), reuse.getMessage());
        assertTrue(reuse.getMessage().contains("the next free one is 4"), reuse.getMessage());
        try (ScratchDirectory deleted = ScratchDirectory.adopt(repo.versionDirectory(3))) {
            // the highest removed too
        }
        assertEquals(4, ModelRepository.at(dir).publish(model, OptionalLong.empty()), "remembered by the repository");
        assertEquals(List.of(1L, 4L), repo.numbered());
        assertThrows(IllegalArgumentException.class, () -> repo.publish(model, OptionalLong.of(1_000_000_000_000_000_000L)));
    }

    @Test
    void incompleteAndForeignDirectoriesAreNotVersions() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("repo2"));
        ModelRepository repo = ModelRepository.at(dir);
        repo.publish(model, OptionalLong.of(3));
        Files.createDirectories(dir.resolve("4"));                       // being copied by hand, no model.json
        Files.createDirectories(dir.resolve(".publishing-5-x"));         // a staging copy
        Files.createDirectories(dir.resolve("latest"));
        Path broken = Files.createDirectories(dir.resolve("6"));
        Files.copy(model.resolve(ModelArtifact.DESCRIPTOR), broken.resolve(ModelArtifact.DESCRIPTOR)); // no weights
        assertEquals(List.of(3L, 4L, 6L), repo.numbered());
        assertEquals(OptionalLong.of(3), repo.latestComplete());
        assertTrue(repo.read(6).isEmpty());
    }

    /** Only canonical numbers are versions: 007 would be served as 7 from a directory "7" that is not there. */
    @Test
    void numericNamesThatAreNotVersionNumbersAreNeverServed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("repo5"));
        ModelRepository repo = ModelRepository.at(dir);
        repo.publish(model, OptionalLong.of(3));
        for (String odd : List.of("007", "0", "1234567890123456789", "99999999999999999999")) {
            Path copy = Files.createDirectories(dir.resolve(odd));
            try (Stream<Path> files = Files.list(repo.versionDirectory(3))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
        }
        assertEquals(List.of(3L), repo.numbered());
        assertEquals(OptionalLong.of(3), repo.latestComplete());
        assertEquals(4, repo.publish(model, OptionalLong.empty()), "the next number follows the highest version");
    }

    /** A link in the source that leads outside it is refused, not copied through into the repository. */
    @Test
    void aLinkOutOfTheSourceIsNotPublished() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("linked-model"));
        try (Stream<Path> files = Files.list(model)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, source.resolve(f.getFileName()));
            }
        }
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "not for the repository");
        Files.createSymbolicLink(source.resolve("notes.txt"), secret);
        Path dir = Files.createDirectories(tmp.resolve("repo4"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelRepository.at(dir).publish(source, OptionalLong.empty()));
        assertTrue(e.getMessage().contains("outside the model directory"), e.getMessage());
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(List.of(), entries.toList(), "nothing published, no staging copy left");
        }
    }

    @Test
    void aMissingRepositoryOrSourceIsRefused() {
        assertThrows(io.densenetflink.model.ModelLoadException.class,
                () -> ModelRepository.at(tmp.resolve("nowhere")));
        assertThrows(io.densenetflink.model.ModelLoadException.class, () -> ModelRepository.at(
                Files.createDirectories(tmp.resolve("repo3"))).publish(tmp.resolve("no-model"), OptionalLong.empty()));
    }
}
