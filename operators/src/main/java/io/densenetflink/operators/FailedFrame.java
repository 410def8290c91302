package io.densenetflink.operators;

import io.densenetflink.operators.types.FailedFrameTypeInfoFactory;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/** A frame that produced no classification, with its {@link FailureReason} and detail. */
@TypeInfo(FailedFrameTypeInfoFactory.class)
public final class FailedFrame {

    private final Frame frame;
    private final FailureReason reason;
    private final String detail;
    private final long failedAt;

    public FailedFrame(Frame frame, FailureReason reason, String detail, long failedAt) {
        this.frame = Objects.requireNonNull(frame, "frame");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.detail = detail == null ? "" : detail;
        this.failedAt = failedAt;
    }

    /** The original frame, bytes and headers included. */
    public Frame frame() {
        return frame;
    }

    public FailureReason reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }

    /** When the failure was decided, epoch ms. */
    public long failedAt() {
        return failedAt;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FailedFrame)) {
            return false;
        }
        FailedFrame f = (FailedFrame) o;
        return failedAt == f.failedAt && frame.equals(f.frame) && reason.equals(f.reason) && detail.equals(f.detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(frame, reason, failedAt);
    }

    @Override
    public String toString() {
        return "FailedFrame{" + frame.frameId() + ", " + reason + ": " + detail + "}";
    }
}
