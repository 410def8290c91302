package io.densenetflink.model.engine;

import java.util.Locale;
import java.util.Set;

/**
 * The instruction sets oneDNN (v2.4.4, inside MXNet 1.9.1) dispatches its x86-64 kernels on, lowest first, with
 * the CPU flags (as Linux names them in /proc/cpuinfo) each one needs. Its names are oneDNN's own, as they appear
 * in {@code DNNL_MAX_CPU_ISA} and in {@code DNNL_VERBOSE} implementation names ({@code
 * brgconv:avx512_core_amx_int8}).
 */
public enum OneDnnIsa {
    /** Below AVX2 (oneDNN's SSE4.1 and AVX kernels, or its reference code). */
    SSE41("sse41"),
    AVX2("avx2", "avx2", "fma"),
    AVX512_CORE("avx512_core", "avx512f", "avx512bw", "avx512vl", "avx512dq"),
    /** AVX-512 with VNNI: int8 dot products in one instruction. */
    AVX512_CORE_VNNI("avx512_core_vnni", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni"),
    /** AVX-512 with BF16 conversion and dot-product instructions. */
    AVX512_CORE_BF16("avx512_core_bf16", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni",
            "avx512_bf16"),
    /** Advanced Matrix Extensions: int8 and bf16 tile multiplication. */
    AVX512_CORE_AMX("avx512_core_amx", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni",
            "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16");

    private final String id;
    private final Set<String> requiredFlags;

    OneDnnIsa(String id, String... requiredFlags) {
        this.id = id;
        this.requiredFlags = Set.of(requiredFlags);
    }

    /** oneDNN's lower-case name ({@code avx512_core_amx}). */
    public String id() {
        return id;
    }

    /** The value of {@code DNNL_MAX_CPU_ISA} that caps oneDNN at this ISA. */
    public String maxCpuIsaValue() {
        return id.toUpperCase(Locale.ROOT);
    }

    /** True when this ISA runs tile instructions, which Linux grants per process on request. */
    public boolean usesAmx() {
        return this == AVX512_CORE_AMX;
    }

    /** True when a CPU with these flags has every instruction this ISA needs. */
    public boolean supportedBy(Set<String> cpuFlags) {
        return cpuFlags.containsAll(requiredFlags);
    }

    /** The best ISA a CPU with these flags supports. */
    public static OneDnnIsa bestFor(Set<String> cpuFlags) {
        OneDnnIsa[] all = values();
        for (int i = all.length - 1; i > 0; i--) {
            if (all[i].supportedBy(cpuFlags)) {
                return all[i];
            }
        }
        return SSE41;
    }

    /** The lowest ISA with bf16 kernels in oneDNN 2.4: AVX-512 emulates bf16, AVX2 has none. */
    public static final OneDnnIsa LOWEST_WITH_BF16 = AVX512_CORE;

    /** True when oneDNN has bf16 kernels at this ISA (a bf16 model runs; below it, none does). */
    public boolean hasBf16Kernels() {
        return compareTo(LOWEST_WITH_BF16) >= 0;
    }

    /** The lower of two ISAs. */
    public OneDnnIsa min(OneDnnIsa other) {
        return compareTo(other) <= 0 ? this : other;
    }

    /**
     * Parses a name as users write it: oneDNN's ({@code avx512_core_vnni}, any case), or the short forms {@code
     * avx2}, {@code avx512}, {@code vnni}, {@code bf16}, {@code amx}.
     */
    public static OneDnnIsa parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        switch (t) {
            case "avx512":
                return AVX512_CORE;
            case "vnni":
            case "avx512_vnni":
                return AVX512_CORE_VNNI;
            case "bf16":
            case "avx512_bf16":
                return AVX512_CORE_BF16;
            case "amx":
                return AVX512_CORE_AMX;
            default:
                for (OneDnnIsa isa : values()) {
                    if (isa.id.equals(t)) {
                        return isa;
                    }
                }
                throw new IllegalArgumentException("unknown oneDNN ISA '" + text + "': expected one of sse41, avx2,"
                        + " avx512_core, avx512_core_vnni, avx512_core_bf16, avx512_core_amx (or avx512, vnni,"
                        + " bf16, amx)");
        }
    }

    /**
     * The ISA named at the start of a {@code DNNL_VERBOSE} implementation name's ISA part, e.g. {@code
     * avx512_core_amx} for {@code brgconv:avx512_core_amx_int8}; null when it names none of these (reference,
     * gemm or ISA-generic {@code uni} kernels).
     */
    public static OneDnnIsa ofImplementation(String implementation) {
        int colon = implementation.indexOf(':');
        String isaPart = colon < 0 ? implementation : implementation.substring(colon + 1);
        OneDnnIsa found = null;
        for (OneDnnIsa isa : values()) {
            if (isaPart.equals(isa.id) || isaPart.startsWith(isa.id + "_")) {
                found = isa;   // the longest match wins: values() run from the shortest name
            }
        }
        return found;
    }
}
