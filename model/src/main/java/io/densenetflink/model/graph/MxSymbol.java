package io.densenetflink.model.graph;

import ai.djl.mxnet.jna.JnaUtils;
import ai.djl.mxnet.jna.MxnetLibrary;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.densenetflink.model.engine.MxEngineSetup;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An MXNet symbol handle owned by Java, for the graph passes DJL does not wrap: the oneDNN subgraph pass, the
 * quantization pass and its calibration table, and the reduced-precision (AMP) pass. Each pass returns a new
 * symbol; the caller closes every symbol it receives.
 *
 * <p>Symbols enter and leave as MXNet's JSON, so files on disk and DJL's own loader stay the interface.
 */
public final class MxSymbol implements AutoCloseable {

    private Pointer handle;

    private MxSymbol(Pointer handle) {
        this.handle = handle;
    }

    /** Parses MXNet's symbol JSON. */
    public static MxSymbol fromJson(String json) {
        MxEngineSetup.ensureConfigured();
        return new MxSymbol(JnaUtils.createSymbolFromString(json));
    }

    /** The symbol as MXNet's JSON (what {@code -symbol.json} files hold). */
    public String toJson() {
        return JnaUtils.getSymbolString(handle());
    }

    /** Names of the symbol's outputs ({@code NAME_output} for an operator node). */
    public List<String> outputNames() {
        return List.of(JnaUtils.listSymbolOutputs(handle()));
    }

    /** The symbol's learned and input arguments (not auxiliary states). */
    public List<String> argumentNames() {
        return List.of(JnaUtils.listSymbolArguments(handle()));
    }

    /** The symbol's auxiliary states (BatchNorm running statistics). */
    public List<String> auxiliaryNames() {
        return List.of(JnaUtils.listSymbolAuxiliaryStates(handle()));
    }

    /**
     * A symbol whose outputs are the named internal outputs of this graph, in the order given, followed by this
     * graph's own outputs (so every parameter stays reachable, which DJL's loader requires).
     *
     * @throws IllegalArgumentException when a name is not an internal output of this graph
     */
    public MxSymbol withInternalOutputs(List<String> names) {
        Pointer internals = JnaUtils.getSymbolInternals(handle());
        List<Pointer> picked = new ArrayList<>();
        try {
            List<String> all = List.of(JnaUtils.listSymbolOutputs(internals));
            for (String name : names) {
                int index = all.indexOf(name);
                if (index < 0) {
                    throw new IllegalArgumentException("the graph has no internal output named " + name);
                }
                picked.add(JnaUtils.getSymbolOutput(internals, index));
            }
            for (int i = 0; i < outputNames().size(); i++) {
                picked.add(JnaUtils.getSymbolOutput(handle(), i));
            }
            PointerByReference out = new PointerByReference();
            check(lib().MXSymbolCreateGroup(picked.size(), handleArray(picked), out), "MXSymbolCreateGroup");
            return new MxSymbol(out.getValue());
        } finally {
            picked.forEach(JnaUtils::freeSymbol);
            JnaUtils.freeSymbol(internals);
        }
    }

    /** Runs a subgraph backend's partitioning pass, e.g. {@code MKLDNN_QUANTIZE} (oneDNN fusion for int8). */
    public MxSymbol backendSubgraph(String backend) {
        PointerByReference out = new PointerByReference();
        check(lib().MXGenBackendSubgraph(handle(), backend, out), "MXGenBackendSubgraph(" + backend + ")");
        return new MxSymbol(out.getValue());
    }

    /** The quantization pass's result: the quantized graph and the tensors it needs calibration ranges for. */
    public record Quantized(MxSymbol symbol, List<String> calibrationNames) {}

    /**
     * MXNet's quantization pass ({@code MXQuantizeSymbol}) for the CPU, with calibration: each quantized operator
     * gets a requantize step whose range is set later by {@link #withCalibration}.
     *
     * @param excludedNodes node names to keep in fp32
     * @param dtype {@code int8}, {@code uint8} or {@code auto} (uint8 where the input is non-negative)
     * @param mode {@code full} or {@code smart}
     * @param granularity {@code channel-wise} or {@code tensor-wise} (weights)
     */
    public Quantized quantize(List<String> excludedNodes, String dtype, String mode, String granularity) {
        PointerByReference out = new PointerByReference();
        IntBuffer calibCount = IntBuffer.allocate(1);
        PointerByReference calibNames = new PointerByReference();
        String[] excluded = excludedNodes.toArray(new String[0]);
        int cpuDeviceType = 1;
        check(lib().MXQuantizeSymbol(handle(), out, new int[] {cpuDeviceType}, excluded.length, excluded, 0,
                new String[0], 0, new String[0], dtype, (byte) 1, mode, granularity, calibCount, calibNames),
                "MXQuantizeSymbol");
        int n = calibCount.get(0);
        List<String> names = n == 0 ? List.of() : List.of(calibNames.getValue().getStringArray(0, n));
        return new Quantized(new MxSymbol(out.getValue()), names);
    }

    /** Sets calibrated ranges (per tensor name, as {@link #quantize} listed them) into a quantized graph. */
    public MxSymbol withCalibration(List<String> names, float[] min, float[] max) {
        PointerByReference out = new PointerByReference();
        check(lib().MXSetCalibTableToQuantizedSymbol(handle(), names.size(), names.toArray(new String[0]),
                FloatBuffer.wrap(min), FloatBuffer.wrap(max), out),
                "MXSetCalibTableToQuantizedSymbol");
        return new MxSymbol(out.getValue());
    }

    /** The lists that steer MXNet's reduced-precision (AMP) pass. */
    public record PrecisionLists(List<String> targetOps, List<String> fp32Ops, List<String> widestOps,
            List<String> excludedNodes) {}

    /**
     * MXNet's reduced-precision pass ({@code MXReducePrecisionSymbol}): inserts {@code amp_cast} / {@code
     * amp_multicast} so the target operators run in {@code targetDtype} (MXNet's type code, e.g. 12 = bfloat16)
     * while inputs, parameters and outputs stay fp32.
     *
     * @param inputs the graph's data inputs (declared fp32)
     * @param parameters every other argument and auxiliary state (their types are inferred)
     */
    public MxSymbol reducePrecision(int targetDtype, List<String> inputs, List<String> parameters,
            PrecisionLists lists) {
        PointerByReference out = new PointerByReference();
        int[] inputTypes = new int[inputs.size()];   // 0 = float32
        String[] empty = new String[0];
        int[] indptr = {0};   // no conditional fp32 operators
        check(lib().MXReducePrecisionSymbol(handle(), out, inputs.size(), inputTypes, indptr.length, indptr,
                new int[] {targetDtype}, 0, lists.targetOps().size(), lists.fp32Ops().size(),
                lists.widestOps().size(), 0, lists.excludedNodes().size(), parameters.size(),
                lists.targetOps().toArray(empty), lists.fp32Ops().toArray(empty), lists.widestOps().toArray(empty),
                empty, lists.excludedNodes().toArray(empty), empty, empty, parameters.toArray(empty),
                inputs.toArray(empty)), "MXReducePrecisionSymbol");
        return new MxSymbol(out.getValue());
    }

    private Pointer handle() {
        if (handle == null) {
            throw new IllegalStateException("symbol already closed");
        }
        return handle;
    }

    @Override
    public void close() {
        if (handle != null) {
            JnaUtils.freeSymbol(handle);
            handle = null;
        }
    }

    /**
     * A C array of handles in the form DJL's binding declares for {@code SymbolHandle*} parameters (a
     * reference whose address is the array's).
     */
    private static PointerByReference handleArray(List<Pointer> pointers) {
        Memory array = new Memory((long) Native.POINTER_SIZE * pointers.size());
        for (int i = 0; i < pointers.size(); i++) {
            array.setPointer((long) i * Native.POINTER_SIZE, pointers.get(i));
        }
        PointerByReference ref = new PointerByReference();
        ref.setPointer(array);
        return ref;
    }

    private static MxnetLibrary lib() {
        return MxEngineSetup.library();
    }

    private static void check(int rc, String call) {
        if (rc != 0) {
            throw new IllegalStateException(call + " failed: " + lib().MXGetLastError());
        }
    }
}
