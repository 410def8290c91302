package io.densenetflink.model.lowp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How each policy adjusts the calibrated ranges around a chain of two-input concats, as DenseNet's blocks are. */
class ConcatRangesTest {

    /**
     * data -> stem (relu, uint8) -> pool; conv_a(pool) -> concat1(pool, conv_a); conv_b(concat1) ->
     * concat2(concat1, conv_b); conv_c(concat2) elsewhere.
     */
    static final String GRAPH = """
            {"nodes": [
              {"op": "null", "name": "data", "inputs": []},
              {"op": "_sg_mkldnn_conv", "name": "stem", "inputs": [[0, 0, 0]]},
              {"op": "Pooling", "name": "pool", "inputs": [[1, 0, 0]]},
              {"op": "_sg_mkldnn_conv", "name": "conv_a", "inputs": [[2, 0, 0]]},
              {"op": "Concat", "name": "concat1", "inputs": [[2, 0, 0], [3, 0, 0]]},
              {"op": "_sg_mkldnn_conv", "name": "conv_b", "inputs": [[4, 0, 0]]},
              {"op": "Concat", "name": "concat2", "inputs": [[4, 0, 0], [5, 0, 0]]},
              {"op": "_sg_mkldnn_conv", "name": "conv_c", "inputs": [[6, 0, 0]]}
            ], "arg_nodes": [0], "heads": [[7, 0, 0]]}
            """;

    static Map<String, RangeCollector.Range> calibrated() {
        Map<String, RangeCollector.Range> r = new HashMap<>();
        r.put("stem_output", new RangeCollector.Range(0f, 3f));
        r.put("conv_a_output", new RangeCollector.Range(-1f, 2f));
        r.put("conv_b_output", new RangeCollector.Range(-5f, 4f));
        r.put("conv_c_output", new RangeCollector.Range(-7f, 7f));
        return r;
    }

    static RangeCollector.Range range(float min, float max) {
        return new RangeCollector.Range(min, max);
    }

    @Test
    void separateKeepsEveryRange() {
        Map<String, RangeCollector.Range> r = calibrated();
        ConcatRanges.SEPARATE.apply(new GraphJson(GRAPH), r);
        assertEquals(calibrated(), r);
    }

    @Test
    void alignedWidensEachCalibratedConcatInputToItsConcatsRange() {
        Map<String, RangeCollector.Range> r = calibrated();
        ConcatRanges.ALIGNED.apply(new GraphJson(GRAPH), r);
        // concat1 = union(pool [0,3] via the stem, conv_a [-1,2]) = [-1,3]; the uint8 stem keeps its own range.
        assertEquals(range(0f, 3f), r.get("stem_output"));
        assertEquals(range(-1f, 3f), r.get("conv_a_output"));
        // concat2 = union(concat1 [-1,3], conv_b [-5,4]) = [-5,4]: conv_b already is it.
        assertEquals(range(-5f, 4f), r.get("conv_b_output"));
        assertEquals(range(-7f, 7f), r.get("conv_c_output"), "not a concat input");
    }

    @Test
    void sharedGivesTheWholeGroupOneRange() {
        Map<String, RangeCollector.Range> r = calibrated();
        ConcatRanges.SHARED.apply(new GraphJson(GRAPH), r);
        assertEquals(range(0f, 3f), r.get("stem_output"), "uint8: cannot share a signed scale");
        assertEquals(range(-5f, 4f), r.get("conv_a_output"));
        assertEquals(range(-5f, 4f), r.get("conv_b_output"));
        assertEquals(range(-7f, 7f), r.get("conv_c_output"));
    }
}
