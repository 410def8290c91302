package io.densenetflink.operators.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.densenetflink.operators.Classification;
import io.densenetflink.operators.FailedFrame;
import io.densenetflink.operators.Frame;
import io.densenetflink.operators.LabelScore;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
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
    void classificationsRoundTrip() throws IOException {
        Classification c = new Classification("cam-1", "t-0-42",
                List.of(new LabelScore(3, "Dress", 0.9f), new LabelScore(0, "T-shirt/top", 0.05f)), "fmnist", "2",
                1234L, 5678L, 12L, 34L, Map.of("label", "3"));
        assertEquals(c, roundTrip(ClassificationSerializer.INSTANCE, c));
    }

    @Test
    void failedFramesRoundTrip() throws IOException {
        FailedFrame f = new FailedFrame(FRAME, "CORRUPT", "Premature end of file", 99L);
        assertEquals(f, roundTrip(FailedFrameSerializer.INSTANCE, f));
    }

    @Test
    void flinkUsesTheDeclaredTypeInformationNotKryo() {
        assertInstanceOf(ValueTypeInfo.class, TypeInformation.of(Frame.class));
        assertInstanceOf(ValueTypeInfo.class, TypeInformation.of(Classification.class));
        assertInstanceOf(ValueTypeInfo.class, TypeInformation.of(FailedFrame.class));
    }
}
