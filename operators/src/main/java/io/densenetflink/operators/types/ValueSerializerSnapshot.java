package io.densenetflink.operators.types;

import java.io.IOException;
import java.util.function.IntFunction;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Snapshot of a value serializer, stored with every checkpoint: its version says which data format (see {@link
 * ImmutableValueSerializer}) the state was written in, and nothing else is stored.
 *
 * <p>Versions 2 and 3 are what these snapshots were before data format 2 existed, Flink's {@code
 * SimpleTypeSerializerSnapshot} (version 2 stored the serializer's class name, version 3 nothing): both mean format
 * 1. Version 4 means format 2, version 5 format 3. State in an older format is read with a serializer of that format
 * and rewritten in the current one on the next checkpoint ({@link
 * TypeSerializerSchemaCompatibility#compatibleAfterMigration()}).
 */
abstract class ValueSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {

    private static final int FORMAT_1_VERSION = 3;
    private static final int FORMAT_2_VERSION = 4;
    private static final int FORMAT_3_VERSION = 5;

    private final IntFunction<TypeSerializer<T>> serializerOfFormat;
    private int format = ImmutableValueSerializer.CURRENT_FORMAT;

    /** @param serializerOfFormat the serializer for data written in a given format */
    ValueSerializerSnapshot(IntFunction<TypeSerializer<T>> serializerOfFormat) {
        this.serializerOfFormat = serializerOfFormat;
    }

    /** This snapshot, describing data written in {@code dataFormat}. */
    ValueSerializerSnapshot<T> inFormat(int dataFormat) {
        this.format = dataFormat;
        return this;
    }

    @Override
    public int getCurrentVersion() {
        return switch (format) {
            case ImmutableValueSerializer.FORMAT_1 -> FORMAT_1_VERSION;
            case ImmutableValueSerializer.FORMAT_2 -> FORMAT_2_VERSION;
            default -> FORMAT_3_VERSION;
        };
    }

    @Override
    public void writeSnapshot(DataOutputView out) {
        // the version is the whole content
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
        switch (readVersion) {
            case 2 -> {
                in.readUTF(); // SimpleTypeSerializerSnapshot version 2: the serializer's class name
                format = ImmutableValueSerializer.FORMAT_1;
            }
            case FORMAT_1_VERSION -> format = ImmutableValueSerializer.FORMAT_1;
            case FORMAT_2_VERSION -> format = ImmutableValueSerializer.FORMAT_2;
            case FORMAT_3_VERSION -> format = ImmutableValueSerializer.FORMAT_3;
            default -> throw new IOException("unknown snapshot version " + readVersion + " of " + getClass().getName()
                    + ": written by a newer version of densenet-flink?");
        }
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        return serializerOfFormat.apply(format);
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
        if (old.getClass() != getClass()) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        int oldFormat = ((ValueSerializerSnapshot<T>) old).format;
        if (oldFormat == format) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        return oldFormat < format ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                : TypeSerializerSchemaCompatibility.incompatible();
    }
}
