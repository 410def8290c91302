package io.densenetflink.model.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.densenetflink.model.DenseNetConfig;
import io.densenetflink.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A training checkpoint directory: {@code checkpoint.json} (epochs completed, update count, seed,
 * architecture, the settings a resume must keep, normalisation, history, elapsed time) and the two tensor
 * files it names, {@code epoch-NNNN-weights.safetensors} (torchvision names, BatchNorm statistics included)
 * and {@code epoch-NNNN-optimizer.safetensors} (SGD momentum buffers).
 *
 * <p>Written so that a crash at any point leaves the previous complete checkpoint readable: the epoch's
 * tensor files first, then {@code checkpoint.json} replaced atomically, then older epochs' files deleted.
 *
 * <p>Random state: every epoch draws its shuffle and augmentation from {@code Random(epochSeed(seed,
 * epoch))} and reseeds MXNet the same way, so the seed and the epoch number are the whole random state.
 */
final class Checkpoint {

    static final String FILE = "checkpoint.json";
    static final int FORMAT_VERSION = 1;

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .serializeSpecialFloatingPointValues().create();

    /** The contents of {@code checkpoint.json}. */
    record State(int formatVersion, int epoch, long step, long seed, JsonElement architecture, JsonObject settings,
            float mean, float std, double trainingSeconds, List<EpochStats> history, String weights,
            String optimizer, String rng, String savedAt) {}

    private Checkpoint() {}

    /** The per-epoch seed of the shuffle, the augmentation and MXNet's generator. */
    static long epochSeed(long seed, int epoch) {
        return seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L;
    }

    static JsonElement architectureJson(DenseNetConfig config) {
        return GSON.toJsonTree(config);
    }

    static JsonObject settingsJson(TrainingSettings settings) {
        return GSON.toJsonTree(settings.fixedSettings()).getAsJsonObject();
    }

    /** True when {@code dir} holds a checkpoint. */
    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    /** Reads {@code dir/checkpoint.json}. */
    static State read(Path dir) throws ModelLoadException {
        Path file = dir.resolve(FILE);
        try {
            State state = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), State.class);
            if (state == null || state.formatVersion() != FORMAT_VERSION) {
                throw new ModelLoadException(file + ": unsupported checkpoint format "
                        + (state == null ? "(empty)" : state.formatVersion()));
            }
            if (state.weights() == null || state.optimizer() == null || state.architecture() == null
                    || state.settings() == null || state.history() == null) {
                throw new ModelLoadException(file + ": incomplete checkpoint (a field is missing)");
            }
            return state;
        } catch (IOException e) {
            throw new ModelLoadException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        } catch (JsonParseException e) {
            throw new ModelLoadException("malformed checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /** The architecture recorded in a checkpoint. */
    static DenseNetConfig architecture(State state, Path dir) throws ModelLoadException {
        try {
            return GSON.fromJson(state.architecture(), DenseNetConfig.class).validate();
        } catch (RuntimeException e) {
            throw new ModelLoadException(dir.resolve(FILE) + ": bad architecture: " + e.getMessage(), e);
        }
    }

    /** Reads one of the checkpoint's tensor files. */
    static NDList readTensors(Path dir, String name, NDManager manager) throws ModelLoadException {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("checkpoint file " + file + " named in " + dir.resolve(FILE)
                    + " is missing");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return NDList.decode(manager, in);
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot read checkpoint file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Names of an epoch's two tensor files. */
    static String weightsFile(int epoch) {
        return String.format(Locale.ROOT, "epoch-%04d-weights.safetensors", epoch);
    }

    static String optimizerFile(int epoch) {
        return String.format(Locale.ROOT, "epoch-%04d-optimizer.safetensors", epoch);
    }

    /** Writes a checkpoint of {@code state.epoch()} with the given tensors, replacing the previous one. */
    static void write(Path dir, State state, NDList weights, NDList optimizer) throws IOException {
        Files.createDirectories(dir);
        writeAtomically(dir.resolve(state.weights()), out -> weights.encode(out, NDList.Encoding.SAFETENSORS));
        writeAtomically(dir.resolve(state.optimizer()), out -> optimizer.encode(out, NDList.Encoding.SAFETENSORS));
        byte[] json = (GSON.toJson(state) + "\n").getBytes(StandardCharsets.UTF_8);
        writeAtomically(dir.resolve(FILE), out -> out.write(json));
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "epoch-*.safetensors")) {
            for (Path p : old) {
                String name = p.getFileName().toString();
                if (!name.equals(state.weights()) && !name.equals(state.optimizer())) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    static State state(TrainingSettings settings, int epoch, long step, float mean, float std, double seconds,
            List<EpochStats> history) {
        return new State(FORMAT_VERSION, epoch, step, settings.seed(), architectureJson(settings.architecture()),
                settingsJson(settings), mean, std, seconds, List.copyOf(history), weightsFile(epoch),
                optimizerFile(epoch), "java.util.Random(epochSeed(seed, epoch)) per epoch; MXNet reseeded likewise",
                Instant.now().toString());
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static void writeAtomically(Path target, Writer writer) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            writer.write(out);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
