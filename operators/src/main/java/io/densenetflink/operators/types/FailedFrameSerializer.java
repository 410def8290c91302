package io.densenetflink.operators.types;

import io.densenetflink.operators.FailedFrame;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link FailedFrame}: the frame, then reason, detail and time. */
public final class FailedFrameSerializer extends ImmutableValueSerializer<FailedFrame> {

    private static final long serialVersionUID = 1L;

    public static final FailedFrameSerializer INSTANCE = new FailedFrameSerializer();

    /** Type information backed by this serializer. */
    public static final ValueTypeInfo<FailedFrame> TYPE_INFO = new ValueTypeInfo<>(FailedFrame.class, INSTANCE);

    @Override
    public void serialize(FailedFrame f, DataOutputView out) throws IOException {
        FrameSerializer.INSTANCE.serialize(f.frame(), out);
        out.writeUTF(f.reason());
        out.writeUTF(f.detail());
        out.writeLong(f.failedAt());
    }

    @Override
    public FailedFrame deserialize(DataInputView in) throws IOException {
        return new FailedFrame(FrameSerializer.INSTANCE.deserialize(in), in.readUTF(), in.readUTF(), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<FailedFrame> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot for savepoint compatibility. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FailedFrame> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
