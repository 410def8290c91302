package io.densenetflink.operators.types;

import io.densenetflink.operators.Classification;
import io.densenetflink.operators.LabelScore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link Classification} (formats: {@link ImmutableValueSerializer}; strings of any length). */
public final class ClassificationSerializer extends ImmutableValueSerializer<Classification> {

    private static final long serialVersionUID = 2L;

    public static final ClassificationSerializer INSTANCE = new ClassificationSerializer(CURRENT_FORMAT);

    /** Type information backed by this serializer. */
    public static final ValueTypeInfo<Classification> TYPE_INFO =
            new ValueTypeInfo<>(Classification.class, INSTANCE);

    private ClassificationSerializer(int format) {
        super(format);
    }

    static ClassificationSerializer ofFormat(int format) {
        return format == CURRENT_FORMAT ? INSTANCE : new ClassificationSerializer(format);
    }

    @Override
    public void serialize(Classification c, DataOutputView out) throws IOException {
        writeKey(c.key(), out);
        writeString(c.frameId(), out);
        out.writeInt(c.topK().size());
        for (LabelScore s : c.topK()) {
            out.writeInt(s.classIndex());
            writeString(s.label(), out);
            out.writeFloat(s.score());
        }
        writeString(c.modelName(), out);
        writeString(c.modelVersion(), out);
        out.writeLong(c.eventTime());
        out.writeLong(c.processedTime());
        out.writeLong(c.queueMillis());
        out.writeLong(c.inferenceMillis());
        writeStringMap(c.headers(), out);
    }

    @Override
    public Classification deserialize(DataInputView in) throws IOException {
        byte[] key = readKey(in);
        String id = readString(in);
        int k = in.readInt();
        List<LabelScore> top = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            top.add(new LabelScore(in.readInt(), readString(in), in.readFloat()));
        }
        return new Classification(key, id, top, readString(in), readString(in), in.readLong(), in.readLong(),
                in.readLong(), in.readLong(), readStringMap(in));
    }

    @Override
    public TypeSerializerSnapshot<Classification> snapshotConfiguration() {
        return new Snapshot().inFormat(format);
    }

    /** Snapshot for checkpoint and savepoint compatibility; its version names the data format. */
    public static final class Snapshot extends ValueSerializerSnapshot<Classification> {
        public Snapshot() {
            super(ClassificationSerializer::ofFormat);
        }
    }
}
