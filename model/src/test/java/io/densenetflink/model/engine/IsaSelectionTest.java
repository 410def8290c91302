package io.densenetflink.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The ISA decision taken before MXNet loads: the CPU's best, lowered to the cap, AMX only when granted. */
class IsaSelectionTest {

    static final Set<String> AVX2_ONLY = Set.of("sse4_2", "avx", "avx2", "fma");
    static final Set<String> VNNI = Set.of("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq",
            "avx512_vnni");
    static final Set<String> AMX = Set.of("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq",
            "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16");

    /** Counts how often the AMX permission is asked for. */
    static final class Permission implements BooleanSupplier {
        final AtomicInteger asked = new AtomicInteger();
        final boolean grant;

        Permission(boolean grant) {
            this.grant = grant;
        }

        @Override
        public boolean getAsBoolean() {
            asked.incrementAndGet();
            return grant;
        }
    }

    @Test
    void bf16KernelsStartAtAvx512() {
        assertFalse(OneDnnIsa.SSE41.hasBf16Kernels());
        assertFalse(OneDnnIsa.AVX2.hasBf16Kernels());
        assertTrue(OneDnnIsa.AVX512_CORE.hasBf16Kernels());
        assertTrue(OneDnnIsa.AVX512_CORE_AMX.hasBf16Kernels());
    }

    @Test
    void theBestIsaOfEachKnownCpu() {
        assertEquals(OneDnnIsa.AVX2, OneDnnIsa.bestFor(AVX2_ONLY));
        assertEquals(OneDnnIsa.AVX512_CORE_VNNI, OneDnnIsa.bestFor(VNNI));
        assertEquals(OneDnnIsa.AVX512_CORE_AMX, OneDnnIsa.bestFor(AMX));
        assertEquals(OneDnnIsa.SSE41, OneDnnIsa.bestFor(Set.of()));
    }

    @Test
    void amxIsUsedWhereTheCpuHasItAndLinuxGrantsIt() {
        Permission permission = new Permission(true);
        IsaSelection s = IsaSelection.decide(AMX, null, null, permission);
        assertEquals(OneDnnIsa.AVX512_CORE_AMX, s.selected());
        assertEquals(1, permission.asked.get());
        assertNull(s.note());
    }

    @Test
    void aRefusedPermissionFallsBackBelowAmx() {
        IsaSelection s = IsaSelection.decide(AMX, null, null, new Permission(false));
        assertEquals(OneDnnIsa.AVX512_CORE_BF16, s.selected());
        assertTrue(s.note().contains("refused"), s.note());
    }

    @Test
    void aCpuWithoutAmxNeverTakesTheAmxPathWhateverIsAsked() {
        for (Set<String> cpu : java.util.List.of(AVX2_ONLY, VNNI)) {
            for (String cap : new String[] {null, "amx", "avx512_core_amx"}) {
                Permission permission = new Permission(true);
                IsaSelection viaDensenet = IsaSelection.decide(cpu, null, cap, permission);
                IsaSelection viaOneDnn = IsaSelection.decide(cpu, cap, null, permission);
                assertFalse(viaDensenet.selected().usesAmx(), cpu + " cap " + cap);
                assertFalse(viaOneDnn.selected().usesAmx(), cpu + " cap " + cap);
                assertEquals(0, permission.asked.get(), "AMX permission asked on a CPU without AMX");
            }
        }
    }

    @Test
    void aCapLowersTheSelectionAndSkipsThePermission() {
        Permission permission = new Permission(true);
        assertEquals(OneDnnIsa.AVX2, IsaSelection.decide(AMX, null, "avx2", permission).selected());
        assertEquals(OneDnnIsa.AVX512_CORE_VNNI, IsaSelection.decide(AMX, "AVX512_CORE_VNNI", "amx", permission)
                .selected(), "oneDNN's own variable wins over DENSENET_ISA");
        assertEquals(0, permission.asked.get());
        assertEquals(OneDnnIsa.AVX512_CORE_AMX, IsaSelection.decide(AMX, "ALL", null, permission).selected());
    }

    @Test
    void anUnknownCapIsRefusedWithTheVariableName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IsaSelection.decide(AMX, null, "avx1024", new Permission(true)));
        assertTrue(e.getMessage().startsWith(IsaSelection.CAP_VARIABLE), e.getMessage());
    }

    @Test
    void implementationNamesNameTheirIsa() {
        assertEquals(OneDnnIsa.AVX512_CORE_AMX, OneDnnIsa.ofImplementation("brgconv:avx512_core_amx_int8"));
        assertEquals(OneDnnIsa.AVX512_CORE_AMX, OneDnnIsa.ofImplementation("jit_1x1:avx512_core_amx_bf16"));
        assertEquals(OneDnnIsa.AVX512_CORE_VNNI, OneDnnIsa.ofImplementation("jit_int8:avx512_core_vnni"));
        assertEquals(OneDnnIsa.AVX512_CORE_BF16, OneDnnIsa.ofImplementation("jit:avx512_core_bf16"));
        assertEquals(OneDnnIsa.AVX512_CORE, OneDnnIsa.ofImplementation("brgconv:avx512_core"));
        assertEquals(OneDnnIsa.AVX2, OneDnnIsa.ofImplementation("jit:avx2"));
        assertNull(OneDnnIsa.ofImplementation("jit:uni"));
        assertNull(OneDnnIsa.ofImplementation("gemm:jit"));
    }

    /** This machine, whatever it is: the engine's selection follows its flags, and never AMX without them. */
    @Test
    void thisProcessSelectsWhatThisCpuHas() {
        Set<String> flags = IsaSelection.cpuFlags();
        OneDnnIsa selected = MxEngineSetup.isaSelection().selected();
        if (!OneDnnIsa.AVX512_CORE_AMX.supportedBy(flags)) {
            assertNotEquals(OneDnnIsa.AVX512_CORE_AMX, selected);
        }
        assertTrue(selected.compareTo(OneDnnIsa.bestFor(flags)) <= 0);
    }
}
