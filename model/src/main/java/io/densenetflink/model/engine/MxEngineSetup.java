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

    private static final String ENGINE_TYPE_VARIABLE = "MXNET_ENGINE_TYPE";
    private static final String NAIVE_ENGINE = "NaiveEngine";
    /** libgomp's (MXNet's OpenMP runtime) wait policy, read once when it loads. */
    static final String WAIT_POLICY_VARIABLE = "OMP_WAIT_POLICY";
    /** libgomp's own spin count before a waiting thread sleeps; set by a user, it replaces our policy default. */
    static final String SPIN_COUNT_VARIABLE = "GOMP_SPINCOUNT";
    static final String PASSIVE = "PASSIVE";

    private static volatile boolean configured;
    private static volatile IsaSelection isa;

    private MxEngineSetup() {}

    /**
     * Loads the engine (no download: the native jar is on the class path) and logs its version once.
     *
     * <p>Unless the environment chose otherwise, MXNet is switched to its {@code NaiveEngine} first: operators
     * then run on the calling thread, so each inference thread's {@link #useThreads} count applies to its own
     * work. With MXNet's default threaded engine, operators run on the engine's worker threads, which ignore
     * the caller's count and use one OpenMP thread unless {@code OMP_NUM_THREADS} is set (measured here:
     * DenseNet-121 batch 8, 6.3 img/s threaded with 2 threads requested vs 10.3 img/s naive).
     */
    public static void ensureConfigured() {
        if (configured) {
            return;
        }
        synchronized (MxEngineSetup.class) {
            if (!configured) {
                setUnlessChosen(ENGINE_TYPE_VARIABLE, NAIVE_ENGINE, "MXNet keeps its threaded engine");
                selectWaitPolicy();
                isa = selectIsa();
                Engine engine = Engine.getEngine(ENGINE);
                LOG.info("DJL engine {} {} (OMP_NUM_THREADS={}, MXNET_ENGINE_TYPE={}, OMP_WAIT_POLICY={}), {}",
                        engine.getEngineName(), engine.getVersion(), System.getenv("OMP_NUM_THREADS"),
                        processEnv(ENGINE_TYPE_VARIABLE), processEnv(WAIT_POLICY_VARIABLE), isa.describe());
                configured = true;
            }
        }
    }

    /**
     * Caps the instruction set oneDNN may use, as {@code DENSENET_ISA} does; must come before the engine loads
     * (oneDNN reads its cap once).
     *
     * @throws IllegalStateException when the engine is already running under another selection
     */
    public static synchronized void capIsa(OneDnnIsa cap) {
        if (configured) {
            if (cap.min(isa.cpuBest()) != isa.selected()) {
                throw new IllegalStateException("the oneDNN ISA is fixed once MXNet has loaded (" + isa.describe()
                        + "); set the cap to " + cap.id() + " before (DENSENET_ISA or --isa)");
            }
            return;
        }
        System.setProperty(IsaSelection.CAP_PROPERTY, cap.id());
    }

    /**
     * The instruction set oneDNN may use in this process (decided before MXNet loads, see {@link IsaSelection});
     * configures the engine if that has not happened yet.
     */
    public static IsaSelection isaSelection() {
        ensureConfigured();
        return isa;
    }

    /** Decides the ISA (asking Linux for AMX when it is selected) and caps oneDNN at it. */
    private static IsaSelection selectIsa() {
        IsaSelection selection = IsaSelection.forThisProcess();
        String value = selection.selected().maxCpuIsaValue();
        if (!value.equals(LibC.INSTANCE.getenv(IsaSelection.ONEDNN_VARIABLE))) {
            int rc = LibC.INSTANCE.setenv(IsaSelection.ONEDNN_VARIABLE, value, 1);
            if (rc != 0) {
                throw new IllegalStateException("could not set " + IsaSelection.ONEDNN_VARIABLE + "=" + value
                        + " (setenv returned " + rc + ", errno " + LibC.errno() + ")");
            }
        }
        return selection;
    }

    /**
     * OpenMP threads that wait for work sleep at once instead of spinning ({@code OMP_WAIT_POLICY=PASSIVE}), unless
     * the environment chose a policy or a spin count. libgomp's default spins a waiting thread for up to 300,000
     * rounds at every barrier, on a core the slot's other threads (decoding, Kafka, the JIT compiler) need: a
     * forward whose other OpenMP thread is descheduled then waits on a core that spins. Measured (BENCHMARKS.md,
     * "OpenMP wait policy"): the small Fashion-MNIST model in the job 0.79-0.84x of its raw rate with the default,
     * 0.90x passive, and the raw rate itself no lower.
     */
    private static void selectWaitPolicy() {
        if (System.getenv(SPIN_COUNT_VARIABLE) == null) {
            setUnlessChosen(WAIT_POLICY_VARIABLE, PASSIVE, "OpenMP threads keep libgomp's spin-waiting default");
        }
    }

    /**
     * Sets {@code name=value} in the process environment, where MXNet and its OpenMP runtime read it when they load,
     * unless the environment already has a value (the operator's choice wins).
     */
    private static void setUnlessChosen(String name, String value, String otherwise) {
        if (System.getenv(name) != null) {
            return;
        }
        try {
            int rc = LibC.INSTANCE.setenv(name, value, 0);
            if (rc != 0) {
                LOG.warn("could not set {}={} (setenv returned {}); {}", name, value, rc, otherwise);
            }
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.warn("could not set {}={} ({}); {}", name, value, e.toString(), otherwise);
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

    /** A variable as the process environment now says (System.getenv keeps the start-up copy). */
    static String processEnv(String name) {
        try {
            return LibC.INSTANCE.getenv(name);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return System.getenv(name);
        }
    }

    /**
     * Flushes what native code (oneDNN's {@code DNNL_VERBOSE} lines, MXNet's logs) buffered for stdout, so that
     * what Java prints next comes after it.
     */
    public static void flushNativeOutput() {
        LibC.INSTANCE.fflush(null);
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
