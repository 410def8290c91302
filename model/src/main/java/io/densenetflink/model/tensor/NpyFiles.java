package io.densenetflink.model.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.densenetflink.model.ModelLoadException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes single float arrays as NumPy {@code .npy} files (format 1.0, little-endian). */
public final class NpyFiles {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private NpyFiles() {}

    /** Reads one array from a .npy file as float32 (float64 input is converted). */
    public static NDArray readFloat32(NDManager manager, Path file) throws ModelLoadException {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("tensor file not found: " + file);
        }
        NDList list;
        try {
            list = NDList.decode(manager, Files.readAllBytes(file));
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot read " + file + " as a .npy tensor: " + e.getMessage(), e);
        }
        if (list.size() != 1) {
            throw new ModelLoadException(file + " holds " + list.size() + " arrays, expected one");
        }
        NDArray array = list.singletonOrThrow();
        if (array.getDataType() == DataType.FLOAT32) {
            return array;
        }
        if (array.getDataType() == DataType.FLOAT64 || array.getDataType() == DataType.FLOAT16) {
            return array.toType(DataType.FLOAT32, false);
        }
        throw new ModelLoadException(file + " holds " + array.getDataType() + " values, expected float32");
    }

    /** Writes {@code values} with {@code shape} as a float32 .npy file. */
    public static void writeFloat32(Path file, float[] values, long... shape) throws IOException {
        long count = 1;
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            count *= d;
            dims.append(d).append(", ");
        }
        if (count != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + dims);
        }
        String tuple = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + dims.substring(0, dims.length() - 2) + ")";
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple
                + ", }");
        // The data must start on a 64-byte boundary: pad with spaces, end with a newline.
        while ((MAGIC.length + 2 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer data = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(MAGIC);
            out.write(headerBytes.length & 0xff);
            out.write((headerBytes.length >> 8) & 0xff);
            out.write(headerBytes);
            out.write(data.array());
        }
    }
}
