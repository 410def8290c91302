package io.densenetflink.operators.types;

import io.densenetflink.operators.FrameHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Shared base of the value serializers: the values are immutable, so copying returns the same instance and only
 * {@link #serialize} / {@link #deserialize(DataInputView)} differ per type. Also holds the field codecs the types
 * share, in both data formats:
 *
 * <ul>
 *   <li>{@link #FORMAT_1}, written until issue 14 and still read from old checkpoints and savepoints: strings in
 *       {@code java.io}'s modified UTF-8, at most 65,535 bytes each (a longer header failed the checkpoint), frame
 *       headers as a map of text (repeated names and bytes that are not UTF-8 were lost);
 *   <li>{@link #FORMAT_2}, written until issue 19 and still read: strings of any length in Flink's {@link
 *       StringValue} encoding (one byte per ASCII character after a variable-length size), frame headers as a list
 *       of raw byte values in their order, the key as the text source id (keys that were not UTF-8 were lost);
 *   <li>{@link #FORMAT_3}, written now: as format 2, with the key as raw bytes ({@link #writeKey}).
 * </ul>
 *
 * {@link ValueSerializerSnapshot} records which format a checkpoint holds.
 */
abstract class ImmutableValueSerializer<T> extends TypeSerializer<T> {

    private static final long serialVersionUID = 2L;

    static final int FORMAT_1 = 1;
    static final int FORMAT_2 = 2;
    static final int FORMAT_3 = 3;

    /** The format new state is written in. */
    static final int CURRENT_FORMAT = FORMAT_3;

    /** The data format this instance reads and writes. */
    final int format;

    ImmutableValueSerializer(int format) {
        if (format < FORMAT_1 || format > FORMAT_3) {
            throw new IllegalArgumentException("unknown data format " + format);
        }
        this.format = format;
    }

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return this; // stateless
    }

    @Override
    public T createInstance() {
        return null;
    }

    @Override
    public T copy(T from) {
        return from;
    }

    @Override
    public T copy(T from, T reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((ImmutableValueSerializer<?>) o).format == format;
    }

    @Override
    public int hashCode() {
        return 31 * getClass().hashCode() + format;
    }

    void writeString(String s, DataOutputView out) throws IOException {
        if (format == FORMAT_1) {
            out.writeUTF(s);
        } else {
            StringValue.writeString(s, out);
        }
    }

    String readString(DataInputView in) throws IOException {
        return format == FORMAT_1 ? in.readUTF() : StringValue.readString(in);
    }

    void writeStringMap(Map<String, String> map, DataOutputView out) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            writeString(e.getKey(), out);
            writeString(e.getValue(), out);
        }
    }

    Map<String, String> readStringMap(DataInputView in) throws IOException {
        int n = in.readInt();
        Map<String, String> map = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            map.put(readString(in), readString(in));
        }
        return map;
    }

    /** A key: raw bytes from format 3 on (null kept apart from empty), the UTF-8 source id before. */
    void writeKey(byte[] key, DataOutputView out) throws IOException {
        if (format >= FORMAT_3) {
            writeNullableBytes(key, out);
        } else {
            writeString(key == null ? "" : new String(key, StandardCharsets.UTF_8), out);
        }
    }

    byte[] readKey(DataInputView in) throws IOException {
        if (format >= FORMAT_3) {
            return readNullableBytes(in);
        }
        String sourceId = readString(in);
        return sourceId.isEmpty() ? null : sourceId.getBytes(StandardCharsets.UTF_8);
    }

    /** Format 2 on: every header in order, a null value kept apart from an empty one. */
    void writeHeaders(List<FrameHeader> headers, DataOutputView out) throws IOException {
        out.writeInt(headers.size());
        for (FrameHeader h : headers) {
            writeString(h.name(), out);
            writeNullableBytes(h.value(), out);
        }
    }

    List<FrameHeader> readHeaders(DataInputView in) throws IOException {
        int n = in.readInt();
        List<FrameHeader> headers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = readString(in);
            headers.add(new FrameHeader(name, readNullableBytes(in)));
        }
        return headers;
    }

    /** A length (-1 for null), then the bytes. */
    static void writeNullableBytes(byte[] bytes, DataOutputView out) throws IOException {
        out.writeInt(bytes == null ? -1 : bytes.length);
        if (bytes != null) {
            out.write(bytes);
        }
    }

    static byte[] readNullableBytes(DataInputView in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    static void writeBytes(byte[] bytes, DataOutputView out) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBytes(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return bytes;
    }
}
