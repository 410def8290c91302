package io.densenetflink.model.engine;

import ai.djl.engine.Engine;
import ai.djl.mxnet.jna.JnaUtils;
import ai.djl.mxnet.jna.MxnetLibrary;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Engine set-up in one place: which DJL engine runs the model, and how many OpenMP threads it may use.
 *
 * <p>MXNet reads {@code OMP_NUM_THREADS} once, when its native library loads, and on this engine build
 * defaults to a single thread per operator, which halves throughput on a 2-core machine. The environment
 * cannot be changed from Java, so the count is also set through MXNet's C API ({@code
 * MXSetNumOMPThreads}), which applies to the calling thread's OpenMP regions: call {@link
 * #useThreads(int)} from the thread that will run inference.
 */
public final class MxEngineSetup {

    /** The DJL engine name of MXNet. */
    public static final String ENGINE = "MXNet";

    private static final Logger LOG = LoggerFactory.getLogger(MxEngineSetup.class);

    private static volatile boolean configured;

    private MxEngineSetup() {}

    /** Loads the engine (no download: the native jar is on the class path) and logs its version once. */
    public static void ensureConfigured() {
        if (configured) {
            return;
        }
        synchronized (MxEngineSetup.class) {
            if (!configured) {
                Engine engine = Engine.getEngine(ENGINE);
                LOG.info("DJL engine {} {} (OMP_NUM_THREADS={}, MXNET_ENGINE_TYPE={})", engine.getEngineName(),
                        engine.getVersion(), System.getenv("OMP_NUM_THREADS"), System.getenv("MXNET_ENGINE_TYPE"));
                configured = true;
            }
        }
    }

    /**
     * The thread count to use when nobody chose one: {@code OMP_NUM_THREADS} if set, otherwise every core
     * the JVM may use.
     */
    public static int defaultThreads() {
        String env = System.getenv("OMP_NUM_THREADS");
        if (env != null) {
            try {
                int n = Integer.parseInt(env.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the core count
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** Sets the OpenMP thread count for operators run from the calling thread. */
    public static void useThreads(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be > 0, got " + threads);
        }
        ensureConfigured();
        int rc = library().MXSetNumOMPThreads(threads);
        if (rc != 0) {
            throw new IllegalStateException("MXSetNumOMPThreads(" + threads + ") failed with code " + rc);
        }
    }

    /** DJL's binding of the MXNet C API (for the few calls DJL does not expose). */
    public static MxnetLibrary library() {
        try {
            // DJL keeps its JNA binding private; reuse it rather than load the library a second time.
            Field lib = JnaUtils.class.getDeclaredField("LIB");
            lib.setAccessible(true);
            return (MxnetLibrary) lib.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach MXNet's native API through DJL", e);
        }
    }
}
