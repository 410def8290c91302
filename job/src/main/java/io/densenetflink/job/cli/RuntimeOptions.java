package io.densenetflink.job.cli;

import ai.djl.Device;
import io.densenetflink.model.engine.Devices;
import io.densenetflink.model.engine.OneDnnIsa;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.inference.EngineMode;
import picocli.CommandLine.Option;

/** Where and with how many threads inference runs. */
final class RuntimeOptions {

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu:N",
            description = "Device (default auto: GPU 0 when the engine sees one, else CPU).")
    String device;

    @Option(names = "--threads", paramLabel = "N",
            description = "OpenMP threads for inference (default: OMP_NUM_THREADS, else all cores).")
    Integer threads;

    @Option(names = "--engine-mode", defaultValue = "compiled", paramLabel = "eager|compiled",
            description = "compiled (default): one optimised MXNet graph; eager: the Java-built block, op by op.")
    String engineMode;

    @Option(names = "--isa", paramLabel = "ISA",
            description = "Cap oneDNN's instruction set (avx2, avx512_core, avx512_core_vnni, avx512_core_bf16, avx512_core_amx;"
                    + " default: the best this CPU has, or DENSENET_ISA).")
    String isa;

    EngineMode mode() {
        return EngineMode.parse(engineMode);
    }

    /**
     * Applies the ISA cap (before MXNet loads: it is read once) and the thread count to the calling thread, and
     * returns the device.
     */
    Device apply() {
        if (isa != null) {
            MxEngineSetup.capIsa(OneDnnIsa.parse(isa));
        }
        MxEngineSetup.useThreads(threads != null ? threads : MxEngineSetup.defaultThreads());
        return Devices.parse(device);
    }
}
