package io.densenetflink.operators;

import io.densenetflink.operators.types.FrameTypeInfoFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One encoded image travelling through the job: where it came from (its key), its id, its bytes, when it was
 * captured and the headers its source delivered with it.
 *
 * <p>The key is kept as the source delivered it ({@link #key()}: raw bytes that need not be text, or none), so a
 * result or dead letter carries the same key; {@link #sourceId()} is its text view.
 *
 * <p>Headers are kept exactly as delivered ({@link #headerList()}: order, repeated names, raw bytes that need
 * not be text, null values), so a frame that fails can be written out again unchanged; {@link #headers()} is
 * the convenient text view.
 *
 * <p>Immutable. The payload array is not copied, for speed: do not modify it after handing it over.
 */
@TypeInfo(FrameTypeInfoFactory.class)
public final class Frame {

    private final byte[] key;
    private final String frameId;
    private final byte[] payload;
    private final long eventTime;
    private final List<FrameHeader> headerList;
    /** The text view, made on first use (racy but idempotent: an immutable map built from immutable data). */
    private Map<String, String> headerTexts;

    /**
     * @param key the producer's key for the frame (e.g. a camera id), raw bytes, not copied; null when none
     * @param frameId unique id of the frame within the job
     * @param payload the encoded image (JPEG, PNG, ...); may be empty (it then fails decoding as EMPTY)
     * @param eventTime capture time, epoch milliseconds
     * @param headers the source's headers in their order, repeats included
     */
    public Frame(byte[] key, String frameId, byte[] payload, long eventTime, List<FrameHeader> headers) {
        this.key = key;
        this.frameId = Objects.requireNonNull(frameId, "frameId");
        this.payload = payload == null ? new byte[0] : payload;
        this.eventTime = eventTime;
        this.headerList = headers == null ? List.of() : List.copyOf(headers);
    }

    /**
     * A frame whose key is {@code sourceId} in UTF-8 (no key when it is empty or null).
     *
     * @param sourceId the producer of the frame (e.g. a camera id); empty when unknown
     */
    public Frame(String sourceId, String frameId, byte[] payload, long eventTime, List<FrameHeader> headers) {
        this(keyOf(sourceId), frameId, payload, eventTime, headers);
    }

    /** A frame with text headers (UTF-8), one per name. */
    public Frame(String sourceId, String frameId, byte[] payload, long eventTime, Map<String, String> headers) {
        this(sourceId, frameId, payload, eventTime, textHeaders(headers));
    }

    public Frame(String sourceId, String frameId, byte[] payload, long eventTime) {
        this(sourceId, frameId, payload, eventTime, List.of());
    }

    /** The UTF-8 key for a text source id; null (no key) for an empty or null one. */
    public static byte[] keyOf(String sourceId) {
        return sourceId == null || sourceId.isEmpty() ? null : sourceId.getBytes(StandardCharsets.UTF_8);
    }

    private static List<FrameHeader> textHeaders(Map<String, String> headers) {
        List<FrameHeader> list = new ArrayList<>();
        if (headers != null) {
            headers.forEach((name, text) -> list.add(FrameHeader.ofText(name, text)));
        }
        return list;
    }

    /** The key as the source delivered it (not a copy); null when the frame has none. */
    public byte[] key() {
        return key;
    }

    /** The key read as UTF-8 ({@code ""} when there is none); lossy for keys that are not text. */
    public String sourceId() {
        return key == null ? "" : new String(key, StandardCharsets.UTF_8);
    }

    public String frameId() {
        return frameId;
    }

    /** The encoded bytes (not a copy). */
    public byte[] payload() {
        return payload;
    }

    public long eventTime() {
        return eventTime;
    }

    /** Every header as delivered: in order, repeated names repeated, values as raw bytes. */
    public List<FrameHeader> headerList() {
        return headerList;
    }

    /**
     * The headers as text: each name once, with its last value read as UTF-8 ({@code ""} for a null value).
     * Lossy for binary values and repeated names; {@link #headerList()} has everything.
     */
    public Map<String, String> headers() {
        Map<String, String> texts = headerTexts;
        if (texts == null) {
            Map<String, String> byName = new LinkedHashMap<>();
            for (FrameHeader h : headerList) {
                byName.put(h.name(), h.text());
            }
            texts = Map.copyOf(byName);
            headerTexts = texts;
        }
        return texts;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Frame)) {
            return false;
        }
        Frame f = (Frame) o;
        return eventTime == f.eventTime && Arrays.equals(key, f.key) && frameId.equals(f.frameId)
                && Arrays.equals(payload, f.payload) && headerList.equals(f.headerList);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), frameId, eventTime);
    }

    @Override
    public String toString() {
        return "Frame{key=" + (key == null ? "none" : key.length + " bytes") + ", id=" + frameId + ", bytes=" + payload.length + ", eventTime="
                + eventTime + ", headers=" + headerList + "}";
    }
}
