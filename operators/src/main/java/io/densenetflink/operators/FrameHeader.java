package io.densenetflink.operators;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One header of a frame exactly as its source delivered it: a name (names may repeat within a frame) and raw
 * bytes, which need not be text and may be absent ({@code null}, as a Kafka header value may be).
 *
 * <p>Immutable. The value array is not copied, for speed: do not modify it after handing it over.
 */
public final class FrameHeader {

    private final String name;
    private final byte[] value;

    public FrameHeader(String name, byte[] value) {
        this.name = Objects.requireNonNull(name, "name");
        this.value = value;
    }

    /** A header whose value is {@code text} in UTF-8. */
    public static FrameHeader ofText(String name, String text) {
        return new FrameHeader(name, text.getBytes(StandardCharsets.UTF_8));
    }

    public String name() {
        return name;
    }

    /** The raw bytes (not a copy); null when the header has no value. */
    public byte[] value() {
        return value;
    }

    /** The value read as UTF-8 ({@code ""} when absent); bytes that are not UTF-8 become U+FFFD. */
    public String text() {
        return value == null ? "" : new String(value, StandardCharsets.UTF_8);
    }

    /** Bytes this header takes in a Kafka record: name in UTF-8 plus value. */
    public int sizeInBytes() {
        return name.getBytes(StandardCharsets.UTF_8).length + (value == null ? 0 : value.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FrameHeader h && name.equals(h.name) && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return name + "=" + (value == null ? "null" : value.length + " bytes");
    }
}
