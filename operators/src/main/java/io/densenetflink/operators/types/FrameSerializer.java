package io.densenetflink.operators.types;

import io.densenetflink.operators.Frame;
import io.densenetflink.operators.FrameHeader;
import java.io.IOException;
import java.util.List;
import java.util.ArrayList;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link Frame}: key, id, event time, headers, payload. Frames in flight are operator state, so
 * this is the format of checkpoints: {@link #INSTANCE} writes format 3 (key and headers as raw bytes, any size),
 * and formats 1 and 2 are still read from older checkpoints (see {@link ImmutableValueSerializer}).
 */
public final class FrameSerializer extends ImmutableValueSerializer<Frame> {

    private static final long serialVersionUID = 2L;

    public static final FrameSerializer INSTANCE = new FrameSerializer(CURRENT_FORMAT);

    /** Type information backed by this serializer. */
    public static final ValueTypeInfo<Frame> TYPE_INFO = new ValueTypeInfo<>(Frame.class, INSTANCE);

    private FrameSerializer(int format) {
        super(format);
    }

    static FrameSerializer ofFormat(int format) {
        return format == CURRENT_FORMAT ? INSTANCE : new FrameSerializer(format);
    }

    @Override
    public void serialize(Frame f, DataOutputView out) throws IOException {
        writeKey(f.key(), out);
        writeString(f.frameId(), out);
        out.writeLong(f.eventTime());
        if (format == FORMAT_1) {
            writeStringMap(f.headers(), out);
        } else {
            writeHeaders(f.headerList(), out);
        }
        writeBytes(f.payload(), out);
    }

    @Override
    public Frame deserialize(DataInputView in) throws IOException {
        byte[] key = readKey(in);
        String id = readString(in);
        long eventTime = in.readLong();
        if (format == FORMAT_1) {
            List<FrameHeader> headers = new ArrayList<>();
            readStringMap(in).forEach((name, text) -> headers.add(FrameHeader.ofText(name, text)));
            return new Frame(key, id, readBytes(in), eventTime, headers);
        }
        List<FrameHeader> headers = readHeaders(in);
        return new Frame(key, id, readBytes(in), eventTime, headers);
    }

    @Override
    public TypeSerializerSnapshot<Frame> snapshotConfiguration() {
        return new Snapshot().inFormat(format);
    }

    /** Snapshot for checkpoint and savepoint compatibility; its version names the data format. */
    public static final class Snapshot extends ValueSerializerSnapshot<Frame> {
        public Snapshot() {
            super(FrameSerializer::ofFormat);
        }
    }
}
