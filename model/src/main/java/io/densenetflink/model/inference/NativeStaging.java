package io.densenetflink.model.inference;

import ai.djl.mxnet.engine.MxNDArray;
import ai.djl.mxnet.jna.NativeSize;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.densenetflink.model.engine.MxEngineSetup;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Reused direct buffers between Java arrays and the engine's arrays, one pair per classifier (one thread).
 *
 * <p>DJL copies a heap array into a native one through a fresh direct buffer per call, which only the garbage
 * collector frees: a slot forwarding a 4.8 MB batch eight times a second grew its resident memory by about
 * 700 MB between collections (measured, BENCHMARKS.md), and by up to the heap size before the JVM forces one.
 * Here the staging buffers grow to the largest batch seen and are reused.
 */
final class NativeStaging {

    private ByteBuffer input = ByteBuffer.allocateDirect(0);
    private ByteBuffer output = ByteBuffer.allocateDirect(0);

    /** An engine array of {@code shape} holding {@code shape.size()} floats of {@code values} from {@code offset}. */
    NDArray toEngine(NDManager manager, float[] values, int offset, Shape shape) {
        int n = Math.toIntExact(shape.size());
        input = ensure(input, n);
        FloatBuffer view = input.asFloatBuffer();
        view.put(values, offset, n);
        view.flip();
        return manager.create(view, shape);
    }

    /** The floats of an engine array, copied out through the reused output buffer. */
    float[] toJava(NDArray array) {
        if (array.getDataType() != DataType.FLOAT32) {
            return array.toFloatArray();
        }
        int n = Math.toIntExact(array.size());
        output = ensure(output, n);
        Pointer target = Native.getDirectBufferPointer(output);
        int rc = MxEngineSetup.library().MXNDArraySyncCopyToCPU(((MxNDArray) array).getHandle(), target,
                new NativeSize(n));
        if (rc != 0) {
            throw new IllegalStateException("MXNDArraySyncCopyToCPU failed: " + MxEngineSetup.library().MXGetLastError());
        }
        float[] out = new float[n];
        output.asFloatBuffer().get(out, 0, n);
        return out;
    }

    private static ByteBuffer ensure(ByteBuffer buffer, int floats) {
        if (buffer.capacity() >= floats * Float.BYTES) {
            return buffer;
        }
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
    }
}
