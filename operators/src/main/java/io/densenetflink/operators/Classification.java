package io.densenetflink.operators;

import io.densenetflink.operators.types.ClassificationTypeInfoFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The result for one frame: its ids (the frame's key as delivered, and its frame id), the top-k classes (best
 * first), the model that produced it, and where the time went (queued waiting for a batch, and the batch's
 * inference).
 */
@TypeInfo(ClassificationTypeInfoFactory.class)
public final class Classification {

    private final byte[] key;
    private final String frameId;
    private final List<LabelScore> topK;
    private final String modelName;
    private final String modelVersion;
    private final long eventTime;
    private final long processedTime;
    private final long queueMillis;
    private final long inferenceMillis;
    private final Map<String, String> headers;

    /** @param key the frame's key as its source delivered it (not copied); null when it had none */
    public Classification(byte[] key, String frameId, List<LabelScore> topK, String modelName,
            String modelVersion, long eventTime, long processedTime, long queueMillis, long inferenceMillis,
            Map<String, String> headers) {
        this.key = key;
        this.frameId = Objects.requireNonNull(frameId, "frameId");
        if (topK == null || topK.isEmpty()) {
            throw new IllegalArgumentException("a classification needs at least one class");
        }
        this.topK = List.copyOf(topK);
        this.modelName = Objects.requireNonNull(modelName, "modelName");
        this.modelVersion = Objects.requireNonNull(modelVersion, "modelVersion");
        this.eventTime = eventTime;
        this.processedTime = processedTime;
        this.queueMillis = queueMillis;
        this.inferenceMillis = inferenceMillis;
        this.headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** A result whose key is {@code sourceId} in UTF-8 (none when it is empty). */
    public Classification(String sourceId, String frameId, List<LabelScore> topK, String modelName,
            String modelVersion, long eventTime, long processedTime, long queueMillis, long inferenceMillis,
            Map<String, String> headers) {
        this(Frame.keyOf(Objects.requireNonNull(sourceId, "sourceId")), frameId, topK, modelName, modelVersion,
                eventTime, processedTime, queueMillis, inferenceMillis, headers);
    }

    /** The frame's key as delivered (not a copy); null when it had none. */
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

    /** The best classes, most probable first. */
    public List<LabelScore> topK() {
        return topK;
    }

    /** The most probable class. */
    public LabelScore best() {
        return topK.get(0);
    }

    public String modelName() {
        return modelName;
    }

    public String modelVersion() {
        return modelVersion;
    }

    /** The frame's capture time, epoch ms. */
    public long eventTime() {
        return eventTime;
    }

    /** When the result was produced, epoch ms. */
    public long processedTime() {
        return processedTime;
    }

    /** Time from arrival at the operator until its batch started inference. */
    public long queueMillis() {
        return queueMillis;
    }

    /** Time the frame's batch spent in the network. */
    public long inferenceMillis() {
        return inferenceMillis;
    }

    /** The frame's headers, passed through. */
    public Map<String, String> headers() {
        return headers;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Classification)) {
            return false;
        }
        Classification c = (Classification) o;
        return eventTime == c.eventTime && processedTime == c.processedTime && queueMillis == c.queueMillis
                && inferenceMillis == c.inferenceMillis && Arrays.equals(key, c.key) && frameId.equals(c.frameId)
                && topK.equals(c.topK) && modelName.equals(c.modelName) && modelVersion.equals(c.modelVersion)
                && headers.equals(c.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), frameId, topK, processedTime);
    }

    @Override
    public String toString() {
        return "Classification{source=" + sourceId() + ", id=" + frameId + ", best=" + best() + ", model="
                + modelName + ":" + modelVersion + ", queueMs=" + queueMillis + ", inferenceMs=" + inferenceMillis
                + "}";
    }
}
