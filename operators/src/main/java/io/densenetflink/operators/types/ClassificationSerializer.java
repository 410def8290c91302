package io.densenetflink.operators.types;

import io.densenetflink.operators.Classification;
import io.densenetflink.operators.LabelScore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link Classification}. */
public final class ClassificationSerializer extends ImmutableValueSerializer<Classification> {

    private static final long serialVersionUID = 1L;

    public static final ClassificationSerializer INSTANCE = new ClassificationSerializer();

    /** Type information backed by this serializer. */
    public static final ValueTypeInfo<Classification> TYPE_INFO =
            new ValueTypeInfo<>(Classification.class, INSTANCE);

    @Override
    public void serialize(Classification c, DataOutputView out) throws IOException {
        out.writeUTF(c.sourceId());
        out.writeUTF(c.frameId());
        out.writeInt(c.topK().size());
        for (LabelScore s : c.topK()) {
            out.writeInt(s.classIndex());
            out.writeUTF(s.label());
            out.writeFloat(s.score());
        }
        out.writeUTF(c.modelName());
        out.writeUTF(c.modelVersion());
        out.writeLong(c.eventTime());
        out.writeLong(c.processedTime());
        out.writeLong(c.queueMillis());
        out.writeLong(c.inferenceMillis());
        writeMap(c.headers(), out);
    }

    @Override
    public Classification deserialize(DataInputView in) throws IOException {
        String source = in.readUTF();
        String id = in.readUTF();
        int k = in.readInt();
        List<LabelScore> top = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            top.add(new LabelScore(in.readInt(), in.readUTF(), in.readFloat()));
        }
        return new Classification(source, id, top, in.readUTF(), in.readUTF(), in.readLong(), in.readLong(),
                in.readLong(), in.readLong(), readMap(in));
    }

    @Override
    public TypeSerializerSnapshot<Classification> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot for savepoint compatibility. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Classification> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
