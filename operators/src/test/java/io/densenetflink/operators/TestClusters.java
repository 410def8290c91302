package io.densenetflink.operators;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The Flink MiniClusters the job tests run on. */
final class TestClusters {

    private TestClusters() {}

    /** One task manager with {@code slots} slots (register as a static extension). */
    static MiniClusterExtension oneTaskManager(int slots) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(slots).build());
    }
}
