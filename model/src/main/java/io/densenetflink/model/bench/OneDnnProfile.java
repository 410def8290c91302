package io.densenetflink.model.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import io.densenetflink.model.ModelLoadException;
import io.densenetflink.model.artifact.ModelArtifact;
import io.densenetflink.model.engine.IsaSelection;
import io.densenetflink.model.engine.MxEngineSetup;
import io.densenetflink.model.engine.OneDnnIsa;
import io.densenetflink.model.inference.DenseNetClassifier;
import io.densenetflink.model.inference.EngineMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Where a forward's time goes inside oneDNN, and which instruction set actually ran: {@code DNNL_VERBOSE=1}
 * makes oneDNN print one line per executed primitive (kind, implementation such as {@code
 * brgconv:avx512_core_amx_int8}, time). oneDNN reads that variable once and cannot be told later, and its
 * printing slows every primitive, so the profile runs in a child JVM of the same class path and ISA cap, never
 * in the process being measured.
 */
public final class OneDnnProfile {

    private static final String BEGIN = "densenet-profile,begin";
    private static final String END = "densenet-profile,end";

    /** Time spent in one primitive kind and implementation, summed over the profiled forwards. */
    public record Entry(String kind, String implementation, int executions, double millis) {
        /** The ISA the implementation name states, or null for reference and ISA-generic kernels. */
        public OneDnnIsa isa() {
            return OneDnnIsa.ofImplementation(implementation);
        }
    }

    private final List<Entry> entries;
    private final int forwards;

    private OneDnnProfile(List<Entry> entries, int forwards) {
        this.entries = entries;
        this.forwards = forwards;
    }

    /** Entries by descending time. */
    public List<Entry> entries() {
        return entries;
    }

    public int forwards() {
        return forwards;
    }

    /** Total primitive time per forward, in milliseconds. */
    public double millisPerForward() {
        return entries.stream().mapToDouble(Entry::millis).sum() / forwards;
    }

    /**
     * The ISA of the convolution kernels that took most of the convolution time (null when no convolution ran
     * on a named ISA).
     */
    public OneDnnIsa convolutionIsa() {
        Map<OneDnnIsa, Double> byIsa = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (e.kind().equals("convolution") && e.isa() != null) {
                byIsa.merge(e.isa(), e.millis(), Double::sum);
            }
        }
        return byIsa.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    /** Convolution implementation names with their share of convolution time, largest first. */
    public Map<String, Double> convolutionKernels() {
        double total = entries.stream().filter(e -> e.kind().equals("convolution")).mapToDouble(Entry::millis).sum();
        Map<String, Double> out = new LinkedHashMap<>();
        entries.stream().filter(e -> e.kind().equals("convolution")).forEach(e ->
                out.merge(e.implementation(), total == 0 ? 0 : e.millis() / total, Double::sum));
        return out;
    }

    /** A Markdown table: op class, implementation, executions and milliseconds per forward, share. */
    public String table() {
        double total = entries.stream().mapToDouble(Entry::millis).sum();
        StringBuilder s = new StringBuilder("| op class | implementation (ISA) | calls per forward | ms per forward | share |\n");
        s.append("|---|---|---|---|---|\n");
        for (Entry e : entries) {
            s.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.1f%% |%n", e.kind(), e.implementation(),
                    e.executions() / (double) forwards, e.millis() / forwards, 100 * e.millis() / total));
        }
        s.append(String.format(Locale.ROOT, "| all | | | %.2f | 100%% |%n", total / forwards));
        return s.toString();
    }

    /**
     * Profiles {@code forwards} forwards of batch {@code batch} (after one warm-up forward) of the model in
     * {@code modelDir}, in a child JVM.
     *
     * @param threads OpenMP threads of the child's inference thread
     */
    public static OneDnnProfile measure(Path modelDir, EngineMode mode, int batch, int forwards, int threads)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String property : new String[] {"log4j2.configurationFile", IsaSelection.CAP_PROPERTY,
                "ai.djl.offline", "offline"}) {
            String value = System.getProperty(property);
            if (value != null) {
                command.add("-D" + property + "=" + value);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(OneDnnProfile.class.getName());
        command.add(modelDir.toAbsolutePath().toString());
        command.add(mode.id());
        command.add(String.valueOf(batch));
        command.add(String.valueOf(forwards));
        command.add(String.valueOf(threads));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("DNNL_VERBOSE", "1");
        Process child = builder.start();
        Map<String, double[]> sums = new LinkedHashMap<>();
        boolean inside = false;
        boolean complete = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.equals(BEGIN)) {
                    inside = true;
                } else if (line.equals(END)) {
                    inside = false;
                    complete = true;
                } else if (inside && line.startsWith("dnnl_verbose,exec,")) {
                    String[] f = line.split(",");
                    double[] sum = sums.computeIfAbsent(f[3] + "," + f[4], k -> new double[2]);
                    sum[0]++;
                    sum[1] += Double.parseDouble(f[f.length - 1]);
                }
            }
        }
        if (!child.waitFor(1, TimeUnit.MINUTES)) {
            child.destroyForcibly();
        }
        if (!complete || child.exitValue() != 0) {
            throw new IOException("the oneDNN profile of " + modelDir + " failed (child exit code "
                    + child.exitValue() + ")");
        }
        List<Entry> entries = new ArrayList<>();
        sums.forEach((key, v) -> {
            int comma = key.indexOf(',');
            entries.add(new Entry(key.substring(0, comma), key.substring(comma + 1), (int) v[0], v[1]));
        });
        entries.sort(Comparator.comparingDouble(Entry::millis).reversed());
        return new OneDnnProfile(List.copyOf(entries), forwards);
    }

    /** The child: {@code MODEL_DIR MODE BATCH FORWARDS THREADS}; verbose lines and markers on stdout. */
    public static void main(String[] args) throws ModelLoadException {
        Path dir = Path.of(args[0]);
        EngineMode mode = EngineMode.parse(args[1]);
        int batch = Integer.parseInt(args[2]);
        int forwards = Integer.parseInt(args[3]);
        MxEngineSetup.useThreads(Integer.parseInt(args[4]));
        try (DenseNetClassifier classifier = DenseNetClassifier.load(ModelArtifact.read(dir), Device.cpu(), mode)) {
            var p = classifier.preprocessing();
            Shape shape = new Shape(batch, p.channels(), p.cropHeight(), p.cropWidth());
            float[] input = new float[(int) shape.size()];
            Random random = new Random(1);
            for (int i = 0; i < input.length; i++) {
                input[i] = (float) random.nextGaussian();
            }
            classifier.logits(input, shape);
            PrintStream out = System.out;
            MxEngineSetup.flushNativeOutput();
            out.println(BEGIN);
            out.flush();
            for (int i = 0; i < forwards; i++) {
                classifier.logits(input, shape);
            }
            MxEngineSetup.flushNativeOutput();
            out.println(END);
            out.flush();
        }
    }
}
