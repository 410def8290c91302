package io.densenetflink.operators.types;

import io.densenetflink.operators.Frame;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link Frame}: source, id, event time, headers, payload. */
public final class FrameSerializer extends ImmutableValueSerializer<Frame> {

    private static final long serialVersionUID = 1L;

    public static final FrameSerializer INSTANCE = new FrameSerializer();

    /** Type information backed by this serializer. */
    public static final ValueTypeInfo<Frame> TYPE_INFO = new ValueTypeInfo<>(Frame.class, INSTANCE);

    @Override
    public void serialize(Frame f, DataOutputView out) throws IOException {
        out.writeUTF(f.sourceId());
        out.writeUTF(f.frameId());
        out.writeLong(f.eventTime());
        writeMap(f.headers(), out);
        writeBytes(f.payload(), out);
    }

    @Override
    public Frame deserialize(DataInputView in) throws IOException {
        String source = in.readUTF();
        String id = in.readUTF();
        long eventTime = in.readLong();
        var headers = readMap(in);
        return new Frame(source, id, readBytes(in), eventTime, headers);
    }

    @Override
    public TypeSerializerSnapshot<Frame> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot for savepoint compatibility. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Frame> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
