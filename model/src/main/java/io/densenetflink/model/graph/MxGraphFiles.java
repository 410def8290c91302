package io.densenetflink.model.graph;

import ai.djl.mxnet.engine.MxNDArray;
import ai.djl.mxnet.jna.MxnetLibrary;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.sun.jna.Pointer;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.graph.GraphParameters.Tensor;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes an exported graph as MXNet's own pair of files, {@code PREFIX-symbol.json} and {@code
 * PREFIX-0000.params} (the layout Gluon's {@code export} produces and DJL's MXNet engine loads), with
 * parameters named {@code arg:NAME} and {@code aux:NAME}.
 */
public final class MxGraphFiles {

    private MxGraphFiles() {}

    /** The symbol file's name for {@code prefix}: {@code PREFIX-symbol.json}. */
    public static String symbolFileName(String prefix) {
        return prefix + "-symbol.json";
    }

    /** The epoch-0 parameter file's name for {@code prefix}: {@code PREFIX-0000.params}. */
    public static String paramsFileName(String prefix) {
        return prefix + "-0000.params";
    }

    /** The symbol file of {@code prefix} in {@code dir}. */
    public static Path symbolFile(Path dir, String prefix) {
        return dir.resolve(symbolFileName(prefix));
    }

    /** The epoch-0 parameter file of {@code prefix} in {@code dir}. */
    public static Path paramsFile(Path dir, String prefix) {
        return dir.resolve(paramsFileName(prefix));
    }

    /** Writes both files; the parameters go through MXNet's own serialiser ({@code MXNDArraySave}). */
    public static void write(DenseNetGraphExporter.Export export, Path dir, String prefix, NDManager manager)
            throws IOException {
        Files.createDirectories(dir);
        Files.writeString(symbolFile(dir, prefix), export.symbolJson(), StandardCharsets.UTF_8);
        List<String> keys = new ArrayList<>();
        List<Pointer> handles = new ArrayList<>();
        try (NDManager staging = manager.newSubManager()) {
            add("arg:", export.parameters().args, staging, keys, handles);
            add("aux:", export.parameters().aux, staging, keys, handles);
            save(paramsFile(dir, prefix), handles.toArray(new Pointer[0]), keys.toArray(new String[0]));
        }
    }

    /**
     * Calls {@code MXNDArraySave} through DJL's binding. Its array parameter type is package-private in DJL,
     * so the call goes through reflection.
     */
    private static void save(Path file, Pointer[] handles, String[] keys) throws IOException {
        try {
            Class<?> arrayType = Class.forName("ai.djl.mxnet.jna.PointerArray");
            Constructor<?> make = arrayType.getDeclaredConstructor(Pointer[].class);
            make.setAccessible(true);
            Object array = make.newInstance((Object) handles);
            Method saveMethod = MxnetLibrary.class.getMethod("MXNDArraySave", String.class, int.class, arrayType,
                    String[].class);
            int rc = (Integer) saveMethod.invoke(MxEngineSetup.library(), file.toString(), handles.length, array, keys);
            if (rc != 0) {
                throw new IOException("MXNet could not write " + file + " (code " + rc + ")");
            }
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot reach MXNet's array serialiser through DJL: " + e, e);
        }
    }

    private static void add(String kind, Map<String, Tensor> tensors, NDManager manager, List<String> keys,
            List<Pointer> handles) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            NDArray array = manager.create(e.getValue().values(), new Shape(e.getValue().shape()));
            keys.add(kind + e.getKey());
            handles.add(((MxNDArray) array).getHandle());
        }
    }
}
