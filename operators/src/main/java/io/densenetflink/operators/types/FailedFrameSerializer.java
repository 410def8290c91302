package io.densenetflink.operators.types;

import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link FailedFrame}: the frame, then reason, detail and time (formats: {@link FrameSerializer}). */
public final class FailedFrameSerializer extends ImmutableValueSerializer<FailedFrame> {

    private static final long serialVersionUID = 2L;

    public static final FailedFrameSerializer INSTANCE = new FailedFrameSerializer(CURRENT_FORMAT);

    /** Type information backed by this serializer. */
    public static final ValueTypeInfo<FailedFrame> TYPE_INFO = new ValueTypeInfo<>(FailedFrame.class, INSTANCE);

    private final FrameSerializer frames;

    private FailedFrameSerializer(int format) {
        super(format);
        this.frames = FrameSerializer.ofFormat(format);
    }

    static FailedFrameSerializer ofFormat(int format) {
        return format == CURRENT_FORMAT ? INSTANCE : new FailedFrameSerializer(format);
    }

    @Override
    public void serialize(FailedFrame f, DataOutputView out) throws IOException {
        frames.serialize(f.frame(), out);
        writeString(f.reason().name(), out); // by name, as before the reasons were an enum
        writeString(f.detail(), out);
        out.writeLong(f.failedAt());
    }

    @Override
    public FailedFrame deserialize(DataInputView in) throws IOException {
        return new FailedFrame(frames.deserialize(in), FailureReason.valueOf(readString(in)), readString(in),
                in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<FailedFrame> snapshotConfiguration() {
        return new Snapshot().inFormat(format);
    }

    /** Snapshot for checkpoint and savepoint compatibility; its version names the data format. */
    public static final class Snapshot extends ValueSerializerSnapshot<FailedFrame> {
        public Snapshot() {
            super(FailedFrameSerializer::ofFormat);
        }
    }
}
