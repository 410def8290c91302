package io.densenetflink.it.reliability.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a JVM process holds, read from outside as an operator would: resident memory, threads and open files from
 * {@code /proc}, the Java heap from {@code jcmd GC.heap_info} (after a full GC when asked, so that only live data
 * counts), and direct and other native memory from {@code jcmd VM.native_memory} (when the JVM runs with {@code
 * -XX:NativeMemoryTracking=summary}).
 */
public final class ProcessSampler {

    /** One reading; -1 where a figure could not be read. */
    public record Sample(double seconds, long rssKb, long heapUsedKb, long nativeOtherKb, int threads, int openFiles) {}

    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");
    /** NMT's "Other" category: direct byte buffers (and other unsafe allocations). */
    private static final Pattern NMT_OTHER = Pattern.compile("-\\s+Other \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

    private final long pid;
    private final long start = System.nanoTime();

    public ProcessSampler(long pid) {
        this.pid = pid;
    }

    /** Reads the figures now; with {@code afterGc}, the heap after a full collection. */
    public Sample sample(boolean afterGc) {
        double seconds = (System.nanoTime() - start) / 1e9;
        Path proc = Path.of("/proc", String.valueOf(pid));
        long rss = -1;
        int threads = -1;
        int files = -1;
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("\\D", ""));
                }
            }
            try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                files = (int) fds.count();
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone: the figures stay -1
        }
        if (afterGc) {
            jcmd("GC.run");
        }
        long heap = find(HEAP_USED, jcmd("GC.heap_info"));
        long other = find(NMT_OTHER, jcmd("VM.native_memory", "summary"));
        return new Sample(seconds, rss, heap, other, threads, files);
    }

    private static long find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private String jcmd(String... command) {
        List<String> args = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd")
                .toString(), String.valueOf(pid)));
        args.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
