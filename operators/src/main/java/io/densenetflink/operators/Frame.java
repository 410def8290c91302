package io.densenetflink.operators;

import io.densenetflink.operators.types.FrameTypeInfoFactory;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One encoded image travelling through the job: where it came from, its id, its bytes, when it was captured
 * and any headers the source attached.
 *
 * <p>Immutable. The payload array is not copied, for speed: do not modify it after handing it over.
 */
@TypeInfo(FrameTypeInfoFactory.class)
public final class Frame {

    private final String sourceId;
    private final String frameId;
    private final byte[] payload;
    private final long eventTime;
    private final Map<String, String> headers;

    /**
     * @param sourceId the producer of the frame (e.g. a camera id); empty when unknown, never null
     * @param frameId unique id of the frame within the job
     * @param payload the encoded image (JPEG, PNG, ...); may be empty (it then fails decoding as EMPTY)
     * @param eventTime capture time, epoch milliseconds
     * @param headers extra metadata passed through to results and failures
     */
    public Frame(String sourceId, String frameId, byte[] payload, long eventTime, Map<String, String> headers) {
        this.sourceId = sourceId == null ? "" : sourceId;
        this.frameId = Objects.requireNonNull(frameId, "frameId");
        this.payload = payload == null ? new byte[0] : payload;
        this.eventTime = eventTime;
        this.headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public Frame(String sourceId, String frameId, byte[] payload, long eventTime) {
        this(sourceId, frameId, payload, eventTime, Map.of());
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

    public Map<String, String> headers() {
        return headers;
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
                && java.util.Arrays.equals(payload, f.payload) && headers.equals(f.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceId, frameId, eventTime);
    }

    @Override
    public String toString() {
        return "Frame{source=" + sourceId + ", id=" + frameId + ", bytes=" + payload.length + ", eventTime="
                + eventTime + ", headers=" + headers + "}";
    }
}
