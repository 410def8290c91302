package io.densenetflink.model.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Which instruction set oneDNN may use in this process, decided once, before MXNet loads.
 *
 * <p>oneDNN v2.4.4 (inside MXNet 1.9.1) leaves AMX off unless {@code DNNL_MAX_CPU_ISA} allows it, reads that
 * variable once, and does not ask Linux for permission to use tile registers (v2.5 does): without the
 * permission the first tile instruction raises SIGILL and the JVM dies. So the selection runs before the
 * native library loads: it takes the best ISA this CPU has, lowers it to the cap the user asked for ({@code
 * DNNL_MAX_CPU_ISA} if set, else {@code DENSENET_ISA} or the system property {@code densenet.isa}), asks the
 * kernel for AMX permission only when AMX remains, falls back below AMX if the kernel refuses, and writes the
 * outcome to {@code DNNL_MAX_CPU_ISA}. A CPU without the AMX flags never gets AMX, whatever was asked.
 *
 * @param cpuBest the best ISA the CPU flags allow
 * @param requested the cap asked for, or null for none
 * @param requestedBy where the cap came from ({@code DNNL_MAX_CPU_ISA}, {@code DENSENET_ISA}, ...), or null
 * @param selected what oneDNN may use
 * @param note why the selection is below the request or the CPU's best, or null
 */
public record IsaSelection(OneDnnIsa cpuBest, OneDnnIsa requested, String requestedBy, OneDnnIsa selected,
        String note) {

    /** The environment variable and system property users cap the ISA with. */
    public static final String CAP_VARIABLE = "DENSENET_ISA";
    public static final String CAP_PROPERTY = "densenet.isa";
    /** oneDNN's own cap, read once when its first primitive is created. */
    public static final String ONEDNN_VARIABLE = "DNNL_MAX_CPU_ISA";

    private static final long SYS_ARCH_PRCTL = 158;
    private static final long ARCH_REQ_XCOMP_PERM = 0x1023;
    private static final long XFEATURE_XTILEDATA = 18;

    /**
     * Decides from the CPU's flags and the caps asked for; {@code amxPermission} is asked only when the
     * selection would use AMX, and returns whether the kernel granted it.
     *
     * @throws IllegalArgumentException when a cap names no known ISA
     */
    public static IsaSelection decide(Set<String> cpuFlags, String onednnCap, String densenetCap,
            BooleanSupplier amxPermission) {
        OneDnnIsa best = OneDnnIsa.bestFor(cpuFlags);
        String requestedBy = null;
        OneDnnIsa requested = null;
        if (onednnCap != null && !onednnCap.isBlank() && !onednnCap.trim().equalsIgnoreCase("all")) {
            requested = parseCap(onednnCap, ONEDNN_VARIABLE);
            requestedBy = ONEDNN_VARIABLE;
        } else if (densenetCap != null && !densenetCap.isBlank()) {
            requested = parseCap(densenetCap, CAP_VARIABLE);
            requestedBy = CAP_VARIABLE;
        }
        OneDnnIsa selected = requested == null ? best : requested.min(best);
        String note = null;
        if (requested != null && requested.compareTo(best) > 0) {
            note = requestedBy + "=" + requested.id() + " asked for more than this CPU has";
        }
        if (selected.usesAmx() && !amxPermission.getAsBoolean()) {
            selected = OneDnnIsa.AVX512_CORE_BF16.min(best);
            note = "Linux refused this process the AMX tile state (arch_prctl ARCH_REQ_XCOMP_PERM)";
        }
        return new IsaSelection(best, requested, requestedBy, selected, note);
    }

    private static OneDnnIsa parseCap(String value, String source) {
        try {
            return OneDnnIsa.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** Reads this machine's CPU flags and the caps from the environment, asks for AMX if it is selected. */
    static IsaSelection forThisProcess() {
        String densenetCap = System.getProperty(CAP_PROPERTY, System.getenv(CAP_VARIABLE));
        return decide(cpuFlags(), LibC.INSTANCE.getenv(ONEDNN_VARIABLE), densenetCap, IsaSelection::requestAmx);
    }

    /** The flags of the first processor in /proc/cpuinfo; empty where there is none (not Linux, not x86). */
    public static Set<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    int colon = line.indexOf(':');
                    return new HashSet<>(Arrays.asList(line.substring(colon + 1).trim().split("\\s+")));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc/cpuinfo: treated as a CPU without the optional instruction sets
        }
        return Set.of();
    }

    /** Asks Linux for the AMX tile data state for the whole process (granted once, inherited by all threads). */
    private static boolean requestAmx() {
        try {
            return LibC.INSTANCE.syscall(SYS_ARCH_PRCTL, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }

    /** One line for logs: what runs, and why when it is not the CPU's best. */
    public String describe() {
        StringBuilder s = new StringBuilder("oneDNN ISA ").append(selected.id()).append(" (CPU best ")
                .append(cpuBest.id());
        if (requested != null) {
            s.append(", cap ").append(requestedBy).append('=').append(requested.id());
        }
        if (note != null) {
            s.append("; ").append(note);
        }
        return s.append(')').toString();
    }
}
