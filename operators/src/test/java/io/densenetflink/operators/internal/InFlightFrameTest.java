package io.densenetflink.operators.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.operators.Frame;
import io.densenetflink.operators.FrameHeader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an in-flight frame counts against the slot's byte bound. */
class InFlightFrameTest {

    /** Issue 19: 1,000 headers of one name in a 32 MB record were weighed as one (about 60 KB). */
    @Test
    void everyRepeatedHeaderIsWeighed() {
        List<FrameHeader> headers = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            headers.add(new FrameHeader("x", new byte[32 * 1024]));
        }
        long weight = InFlightFrame.weight(new Frame("cam", "f", new byte[10], 0L, headers));
        assertTrue(weight >= 1_000L * 32 * 1024, "weighed " + weight + " bytes for 32 MB of headers");
    }

    @Test
    void aBinaryKeyIsWeighedByItsBytes() {
        long small = InFlightFrame.weight(new Frame(new byte[1], "f", new byte[10], 0L, List.of()));
        long large = InFlightFrame.weight(new Frame(new byte[6_000_000], "f", new byte[10], 0L, List.of()));
        assertTrue(large - small >= 6_000_000 - 1, "a 6 MB key adds " + (large - small) + " bytes");
    }
}
