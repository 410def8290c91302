package io.densenetflink.operators.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.FailureReason;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.FrameHeader;
import io.densenetflink.operators.LabelScore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;

/** Round trips through the hand-written serializers, and Flink picks them up from the annotations. */
class SerializersTest {

    private static final Frame FRAME = new Frame("cam-1", "t-0-42", new byte[] {1, 2, 3, -1}, 1234L,
            Map.of("label", "7", "content-type", "image/png"));

    private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T read = serializer.deserialize(in);
        assertEquals(0, in.available(), "every byte consumed");
        // copy(DataInputView, DataOutputView) must produce the same bytes
        DataOutputSerializer copied = new DataOutputSerializer(64);
        serializer.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertEquals(out.length(), copied.length());
        return read;
    }

    @Test
    void framesRoundTrip() throws IOException {
        assertEquals(FRAME, roundTrip(FrameSerializer.INSTANCE, FRAME));
        Frame empty = new Frame("", "x", new byte[0], 0L);
        assertEquals(empty, roundTrip(FrameSerializer.INSTANCE, empty));
    }

    @Test
    void largeBinaryRepeatedAndNullHeadersRoundTrip() throws IOException {
        Frame frame = new Frame("cam-1", "big", new byte[] {9}, 1L, List.of(
                new FrameHeader("tag", "a".getBytes(StandardCharsets.UTF_8)),
                new FrameHeader("big", "x".repeat(100_000).getBytes(StandardCharsets.UTF_8)), // over writeUTF's 64 KB
                new FrameHeader("binary", new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 0}),
                new FrameHeader("tag", "b".getBytes(StandardCharsets.UTF_8)),
                new FrameHeader("nothing", null),
                new FrameHeader("tag", new byte[0])));
        assertEquals(frame.headerList(), roundTrip(FrameSerializer.INSTANCE, frame).headerList());
        FailedFrame failed = new FailedFrame(frame, FailureReason.CORRUPT, "d".repeat(70_000), 2L);
        assertEquals(failed, roundTrip(FailedFrameSerializer.INSTANCE, failed));
        Classification c = new Classification("cam-1", "big", List.of(new LabelScore(1, "x", 1f)), "m", "1", 1L, 2L,
                0L, 0L, frame.headers());
        assertEquals(c, roundTrip(ClassificationSerializer.INSTANCE, c));
    }

    /**
     * A checkpoint taken before issue 14: the snapshot Flink's SimpleTypeSerializerSnapshot wrote (class name,
     * version 3, no content) and a frame in data format 1 (modified UTF-8 strings, a text map of headers).
     */
    @Test
    void checkpointsInTheFirstFormatAreReadAndMigrated() throws IOException {
        DataOutputSerializer snapshot = new DataOutputSerializer(64);
        snapshot.writeUTF(FrameSerializer.Snapshot.class.getName());
        snapshot.writeInt(3);
        DataOutputSerializer data = new DataOutputSerializer(64);
        data.writeUTF("cam-1");
        data.writeUTF("t-0-42");
        data.writeLong(1234L);
        data.writeInt(1);
        data.writeUTF("label");
        data.writeUTF("7");
        data.writeInt(3);
        data.write(new byte[] {1, 2, 3});

        TypeSerializerSnapshot<Frame> old = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snapshot.getCopyOfBuffer()), getClass().getClassLoader());
        assertTrue(FrameSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(old)
                .isCompatibleAfterMigration(), "format 1 state is migrated to format 2");
        Frame read = old.restoreSerializer().deserialize(new DataInputDeserializer(data.getCopyOfBuffer()));
        assertEquals(new Frame("cam-1", "t-0-42", new byte[] {1, 2, 3}, 1234L, Map.of("label", "7")), read);
    }

    @Test
    void keysStayBytesNullAndEmptyApart() throws IOException {
        byte[] binary = {(byte) 0xC3, 0x28, 0, (byte) 0xFF};
        Frame keyed = new Frame(binary, "k", new byte[] {1}, 5L, List.of());
        assertArrayEquals(binary, roundTrip(FrameSerializer.INSTANCE, keyed).key());
        assertNull(roundTrip(FrameSerializer.INSTANCE, new Frame((byte[]) null, "n", new byte[0], 5L, List.of())).key());
        assertArrayEquals(new byte[0],
                roundTrip(FrameSerializer.INSTANCE, new Frame(new byte[0], "e", new byte[0], 5L, List.of())).key());
        FailedFrame failed = new FailedFrame(keyed, FailureReason.CORRUPT, "bad", 6L);
        assertArrayEquals(binary, roundTrip(FailedFrameSerializer.INSTANCE, failed).frame().key());
        Classification c = new Classification(binary, "k", List.of(new LabelScore(1, "x", 1f)), "m", "1", 1L, 2L, 0L,
                0L, Map.of());
        assertArrayEquals(binary, roundTrip(ClassificationSerializer.INSTANCE, c).key());
    }

    /**
     * A checkpoint taken before issue 19: snapshot version 4 (data format 2), the key written as the text source id.
     * It restores, and is migrated to the current format.
     */
    @Test
    void checkpointsInTheSecondFormatAreReadAndMigrated() throws IOException {
        DataOutputSerializer snapshot = new DataOutputSerializer(64);
        snapshot.writeUTF(FrameSerializer.Snapshot.class.getName());
        snapshot.writeInt(4);
        DataOutputSerializer data = new DataOutputSerializer(64);
        StringValue.writeString("cam-1", data);
        StringValue.writeString("t-0-42", data);
        data.writeLong(1234L);
        data.writeInt(1);
        StringValue.writeString("label", data);
        data.writeInt(1);
        data.write(new byte[] {'7'});
        data.writeInt(3);
        data.write(new byte[] {1, 2, 3});

        TypeSerializerSnapshot<Frame> old = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snapshot.getCopyOfBuffer()), getClass().getClassLoader());
        assertTrue(FrameSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(old)
                .isCompatibleAfterMigration(), "format 2 state is migrated to the current format");
        Frame read = old.restoreSerializer().deserialize(new DataInputDeserializer(data.getCopyOfBuffer()));
        assertEquals(new Frame("cam-1", "t-0-42", new byte[] {1, 2, 3}, 1234L, Map.of("label", "7")), read);
        assertArrayEquals("cam-1".getBytes(StandardCharsets.UTF_8), read.key());

        DataOutputSerializer emptySource = new DataOutputSerializer(64);
        StringValue.writeString("", emptySource);
        StringValue.writeString("x", emptySource);
        emptySource.writeLong(0L);
        emptySource.writeInt(0);
        emptySource.writeInt(0);
        assertNull(old.restoreSerializer().deserialize(new DataInputDeserializer(emptySource.getCopyOfBuffer())).key(),
                "an empty source id was a record without a key");
    }

    @Test
    void currentSnapshotsReadBackAsTheCurrentFormat() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, FrameSerializer.INSTANCE.snapshotConfiguration());
        TypeSerializerSnapshot<Frame> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertTrue(FrameSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs());
        assertEquals(FrameSerializer.INSTANCE, read.restoreSerializer());
    }

    @Test
    void classificationsRoundTrip() throws IOException {
        Classification c = new Classification("cam-1", "t-0-42",
                List.of(new LabelScore(3, "Dress", 0.9f), new LabelScore(0, "T-shirt/top", 0.05f)), "fmnist", "2",
                1234L, 5678L, 12L, 34L, Map.of("label", "3"));
        assertEquals(c, roundTrip(ClassificationSerializer.INSTANCE, c));
    }

    @Test
    void failedFramesRoundTrip() throws IOException {
        FailedFrame f = new FailedFrame(FRAME, FailureReason.CORRUPT, "Premature end of file", 99L);
        assertEquals(f, roundTrip(FailedFrameSerializer.INSTANCE, f));
    }

    @Test
    void flinkUsesTheDeclaredTypeInformationNotKryo() {
        assertInstanceOf(ValueTypeInfo.class, TypeInformation.of(Frame.class));
        assertInstanceOf(ValueTypeInfo.class, TypeInformation.of(Classification.class));
        assertInstanceOf(ValueTypeInfo.class, TypeInformation.of(FailedFrame.class));
    }
}
