package io.densenetflink.model.weights;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.densenetflink.model.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a {@code .safetensors} file's header against the file before a reader trusts it: the reader (DJL's
 * {@code NDList.decode}) allocates the header's length, then each tensor's shape, as the file claims them. A
 * corrupt or hostile file must be refused with one line, not make the JVM allocate gigabytes.
 *
 * <p>Format: an 8-byte little-endian header length N, N bytes of JSON ({@code {"name": {"dtype": "F32", "shape":
 * [..], "data_offsets": [begin, end]}, ..., "__metadata__": {..}}}), then the data, offsets relative to its start.
 */
public final class SafetensorsHeader {

    /** Headers are a few KB per hundred tensors; anything near this is not a weight file. */
    static final long MAX_HEADER_BYTES = 64L << 20;

    private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(Map.entry("F64", 8), Map.entry("F32", 4),
            Map.entry("F16", 2), Map.entry("BF16", 2), Map.entry("I64", 8), Map.entry("I32", 4), Map.entry("I16", 2),
            Map.entry("I8", 1), Map.entry("U8", 1), Map.entry("BOOL", 1));

    private SafetensorsHeader() {}

    /**
     * Refuses {@code file} unless its header fits the file, every tensor's bytes are its shape times its type's
     * size and lie inside the data, and the tensors hold at most {@code maxValues} numbers together.
     *
     * @return the number of values the tensors hold
     */
    public static long check(Path file, long maxValues) throws ModelLoadException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (size < 8 || channel.read(length, 0) != 8) {
                throw refused(file, "shorter than its 8-byte header length");
            }
            long headerBytes = length.getLong(0);
            if (headerBytes < 2 || headerBytes > size - 8 || headerBytes > MAX_HEADER_BYTES) {
                throw refused(file, "its header claims " + Long.toUnsignedString(headerBytes) + " bytes, the file has "
                        + size + (headerBytes > MAX_HEADER_BYTES ? " (at most " + MAX_HEADER_BYTES + " accepted)" : ""));
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
            while (header.hasRemaining() && channel.read(header, 8 + header.position()) > 0) {
                // read on
            }
            return checkTensors(file, new String(header.array(), StandardCharsets.UTF_8), size - 8 - headerBytes,
                    maxValues);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read weight file " + file + ": " + e.getMessage(), e);
        }
    }

    private static long checkTensors(Path file, String headerText, long dataBytes, long maxValues)
            throws ModelLoadException {
        JsonObject header;
        try {
            JsonElement parsed = JsonParser.parseString(headerText.trim());
            if (!parsed.isJsonObject()) {
                throw refused(file, "its header is not a JSON object");
            }
            header = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw refused(file, "its header is not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        long values = 0;
        long end = 0;
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            long count = checkTensor(file, e.getKey(), e.getValue(), dataBytes);
            values += count;
            if (values > maxValues) {
                throw refused(file, "its tensors hold more than " + maxValues + " values, more than the model's"
                        + " architecture has parameters and statistics");
            }
            end = Math.max(end, e.getValue().getAsJsonObject().getAsJsonArray("data_offsets").get(1).getAsLong());
        }
        if (end != dataBytes) {
            throw refused(file, "its tensors end at byte " + end + " of " + dataBytes + " data bytes (truncated or"
                    + " padded)");
        }
        return values;
    }

    private static long checkTensor(Path file, String name, JsonElement entry, long dataBytes)
            throws ModelLoadException {
        try {
            JsonObject t = entry.getAsJsonObject();
            String dtype = t.get("dtype").getAsString().toUpperCase(Locale.ROOT);
            Integer bytes = DTYPE_BYTES.get(dtype);
            if (bytes == null) {
                throw refused(file, "tensor " + name + " has unknown dtype " + dtype);
            }
            long count = 1;
            for (JsonElement d : t.getAsJsonArray("shape")) {
                long dim = d.getAsLong();
                if (dim < 0) {
                    throw refused(file, "tensor " + name + " has a negative dimension " + dim);
                }
                count = Math.multiplyExact(count, dim);
            }
            long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong();
            long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
            if (begin < 0 || end < begin || end > dataBytes) {
                throw refused(file, "tensor " + name + " lies at bytes " + begin + ".." + end + ", outside the "
                        + dataBytes + " data bytes");
            }
            if (Math.multiplyExact(count, (long) bytes) != end - begin) {
                throw refused(file, "tensor " + name + " has shape " + t.get("shape") + " of " + dtype + " ("
                        + count + " values) in " + (end - begin) + " bytes");
            }
            return count;
        } catch (ArithmeticException e) {
            throw refused(file, "tensor " + name + " has a shape too large to count");
        } catch (IllegalStateException | UnsupportedOperationException | NullPointerException | NumberFormatException
                | IndexOutOfBoundsException e) {
            throw refused(file, "tensor " + name + " is not described as {dtype, shape, data_offsets}");
        }
    }

    private static ModelLoadException refused(Path file, String why) {
        return new ModelLoadException("weight file " + file + " is not a valid safetensors file: " + why);
    }
}
