package io.densenetflink.it.reliability.harness;

import io.densenetflink.job.JobTestSupport;
import io.densenetflink.job.kafka.client.FrameInput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;

/** Labeled frames from several sources, each source's key landing on its own partition of the input topic. */
public final class SourceFrames {

    private SourceFrames() {}

    /**
     * {@code total} small PNG frames split evenly over {@code sources} sources whose keys the producer's default
     * partitioner puts on distinct partitions (so every source subtask gets work); ids {@code prefix-SOURCE-i}.
     */
    public static Map<String, List<FrameInput>> spread(String prefix, int sources, int partitions, int total) {
        Map<String, List<FrameInput>> bySource = new LinkedHashMap<>();
        List<String> keys = keysOnDistinctPartitions(sources, partitions);
        for (int k = 0; k < keys.size(); k++) {
            int count = total / sources + (k < total % sources ? 1 : 0);
            bySource.put(keys.get(k), JobTestSupport.pngFrames(prefix + "-" + keys.get(k), count, 31L * k + 7));
        }
        return bySource;
    }

    /** Every frame id of {@code bySource}. */
    public static List<String> ids(Map<String, List<FrameInput>> bySource) {
        List<String> ids = new ArrayList<>();
        bySource.values().forEach(frames -> frames.forEach(f -> ids.add(f.frameId())));
        return ids;
    }

    /** Frame ids of a collection of frames. */
    public static List<String> idsOf(Collection<FrameInput> frames) {
        return frames.stream().map(FrameInput::frameId).toList();
    }

    /**
     * Source keys {@code cam-N} chosen so Kafka's default partitioner (murmur2 of the key) spreads them over the
     * partitions: the first {@code partitions} keys each on their own partition, the rest round-robin.
     */
    public static List<String> keysOnDistinctPartitions(int sources, int partitions) {
        List<String> keys = new ArrayList<>();
        for (int n = 0; keys.size() < sources; n++) {
            String key = "cam-" + n;
            int wanted = keys.size() % partitions;
            if (partitionOf(key, partitions) == wanted) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** The partition Kafka's default partitioner picks for a keyed record. */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
