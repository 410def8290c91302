package io.densenetflink.job;

import java.util.Locale;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.CheckpointingMode;

/** What {@code --delivery} offers: exactly-once (the default) or at-least-once. */
public enum DeliveryGuaranteeOption {
    EXACTLY_ONCE(DeliveryGuarantee.EXACTLY_ONCE, CheckpointingMode.EXACTLY_ONCE),
    AT_LEAST_ONCE(DeliveryGuarantee.AT_LEAST_ONCE, CheckpointingMode.AT_LEAST_ONCE);

    private final DeliveryGuarantee sink;
    private final CheckpointingMode checkpoints;

    DeliveryGuaranteeOption(DeliveryGuarantee sink, CheckpointingMode checkpoints) {
        this.sink = sink;
        this.checkpoints = checkpoints;
    }

    public DeliveryGuarantee sinkGuarantee() {
        return sink;
    }

    public CheckpointingMode checkpointingMode() {
        return checkpoints;
    }

    /** {@code exactly-once} or {@code at-least-once}: how the setting is written (and read back). */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
