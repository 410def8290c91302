package io.densenetflink.operators;

import io.densenetflink.operators.types.FrameTypeInfoFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One encoded image travelling through the job: where it came from, its id, its bytes, when it was captured
 * and the headers its source delivered with it.
 *
 * <p>Headers are kept exactly as delivered ({@link #headerList()}: order, repeated names, raw bytes that need
 * not be text, null values), so a frame that fails can be written out again unchanged; {@link #headers()} is
 * the convenient text view.
 *
 * <p>Immutable. The payload array is not copied, for speed: do not modify it after handing it over.
 */
@TypeInfo(FrameTypeInfoFactory.class)
public final class Frame {

    private final String sourceId;
    private final String frameId;
    private final byte[] payload;
    private final long eventTime;
    private final List<FrameHeader> headerList;
    /** The text view, made on first use (racy but idempotent: an immutable map built from immutable data). */
    private Map<String, String> headerTexts;

    /**
     * @param sourceId the producer of the frame (e.g. a camera id); empty when unknown, never null
     * @param frameId unique id of the frame within the job
     * @param payload the encoded image (JPEG, PNG, ...); may be empty (it then fails decoding as EMPTY)
     * @param eventTime capture time, epoch milliseconds
     * @param headers the source's headers in their order, repeats included
     */
    public Frame(String sourceId, String frameId, byte[] payload, long eventTime, List<FrameHeader> headers) {
        this.sourceId = sourceId == null ? "" : sourceId;
        this.frameId = Objects.requireNonNull(frameId, "frameId");
        this.payload = payload == null ? new byte[0] : payload;
        this.eventTime = eventTime;
        this.headerList = headers == null ? List.of() : List.copyOf(headers);
    }

    /** A frame with text headers (UTF-8), one per name. */
    public Frame(String sourceId, String frameId, byte[] payload, long eventTime, Map<String, String> headers) {
        this(sourceId, frameId, payload, eventTime, textHeaders(headers));
    }

    public Frame(String sourceId, String frameId, byte[] payload, long eventTime) {
        this(sourceId, frameId, payload, eventTime, List.of());
    }

    private static List<FrameHeader> textHeaders(Map<String, String> headers) {
        List<FrameHeader> list = new ArrayList<>();
        if (headers != null) {
            headers.forEach((name, text) -> list.add(FrameHeader.ofText(name, text)));
        }
        return list;
    }

    public String sourceId() {
        return sourceId;
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
        return eventTime == f.eventTime && sourceId.equals(f.sourceId) && frameId.equals(f.frameId)
                && Arrays.equals(payload, f.payload) && headerList.equals(f.headerList);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceId, frameId, eventTime);
    }

    @Override
    public String toString() {
        return "Frame{source=" + sourceId + ", id=" + frameId + ", bytes=" + payload.length + ", eventTime="
                + eventTime + ", headers=" + headerList + "}";
    }
}
