package io.densenetflink.model.lowp;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.inference.DenseNetClassifier;
import org.junit.jupiter.api.function.Executable;

/**
 * Whether this machine's oneDNN runs bf16 (AVX-512 or better), and what must happen where it does not: a bf16
 * model refused at load with the reason, never MXNet's "could not create a primitive descriptor iterator" at
 * the first forward (as on the AVX2-only EPYC of 2026-12-06).
 */
public final class Bf16Kernels {

    private Bf16Kernels() {}

    public static boolean present() {
        return MxEngineSetup.isaSelection().selected().hasBf16Kernels();
    }

    /** Converting to bf16 (or loading a bf16 model) is refused, naming the ISA it needs. */
    public static void assertRefused(Executable bf16Step) {
        ModelLoadException e = assertThrows(ModelLoadException.class, bf16Step);
        assertTrue(e.getMessage().contains("bf16 model needs oneDNN's avx512_core"), e.getMessage());
    }

    /** Loading {@code bf16} here is refused. */
    public static void assertLoadRefused(ModelArtifact bf16) {
        assertRefused(() -> DenseNetClassifier.load(bf16, Device.cpu()).close());
    }
}
