package io.pagewalk.bench;

import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.reports.Smaps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The smaps_rollup plugin against the kernel's own {@code /proc/PID/smaps_rollup}, on the same
 * process in the same run: what a user feels when running {@code ./pagewalk run smaps_rollup --pid
 * P}. Three figures for one process that writes N GiB (default 2) in 4 KiB pages:
 * <ul>
 * <li>the kernel: reading /proc/PID/smaps_rollup (first read and best of 10);</li>
 * <li>the plain-Java reference ({@link Smaps#smapsRollup}) over a live import in this JVM
 *     (first and best of 10 walks);</li>
 * <li>the plugin through the launcher in a fresh JVM, as a user runs it, with compiled hooks
 *     ({@code --compile=auto}) and with GraalJS hooks ({@code --compile=never}): the whole command's
 *     wall time, and its {@code --stats}: import, context setup, and per run of {@code --repeat}
 *     the time inside the walks, the time binding (compiling) hooks, and the whole script.</li>
 * </ul>
 * It also checks that the plugin's figures for the process's own memory equal the Java reference's.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.pagewalk.bench.SmapsRollupBenchmark [GiB] [repeat] [launcher]</pre>
 */
public final class SmapsRollupBenchmark {
    private static final int KERNEL_READS = 10;
    private static final Pattern STATS = Pattern.compile("(?m)^stats (\\{.*\\})$");

    private SmapsRollupBenchmark() {}

    public static void main(String[] args) throws Exception {
        int gib = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int repeat = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path launcher = Path.of(args.length > 2 ? args[2] : "./pagewalk").toAbsolutePath();
        try (Toucher target = Toucher.start(gib, false)) {
            run(target.pid(), gib, repeat, launcher);
        }
    }

    private static void run(int pid, int gib, int repeat, Path launcher) throws Exception {
        System.out.printf("target pid %d: %d GiB anonymous, written, 4 KiB pages%n", pid, gib);
        Path rollup = Path.of("/proc/" + pid + "/smaps_rollup");
        List<Double> kernel = new ArrayList<>();
        for (int i = 0; i < KERNEL_READS; i++) {
            long t0 = System.nanoTime();
            Files.readAllBytes(rollup);
            kernel.add((System.nanoTime() - t0) / 1e6);
        }
        long t0 = System.nanoTime();
        MmStruct mm = LiveImport.importProcess(pid, new ImportOptions(false, w -> System.out.println("warning: " + w)));
        double importMs = (System.nanoTime() - t0) / 1e6;
        List<Double> java = new ArrayList<>();
        String reference = null;
        for (int i = 0; i < KERNEL_READS; i++) {
            t0 = System.nanoTime();
            reference = Smaps.smapsRollup(mm);
            java.add((System.nanoTime() - t0) / 1e6);
        }

        double kernelFirst = kernel.getFirst();
        double kernelBest = min(kernel);
        System.out.printf(Locale.ROOT, "kernel smaps_rollup read : first %.2f ms, best %.2f ms%n", kernelFirst, kernelBest);
        System.out.printf(Locale.ROOT, "Java reference (in JVM)  : import %.0f ms; walk first %.2f ms, best %.2f ms (%.2fx the kernel's best)%n",
                importMs, java.getFirst(), min(java), min(java) / kernelBest);
        // Built first, so the timed runs measure the command, not a build.
        new ProcessBuilder(launcher.toString(), "--version").inheritIO().start().waitFor();
        for (String mode : List.of("auto", "never")) {
            List<String> cmd = List.of(launcher.toString(), "run", "smaps_rollup", "--pid", Integer.toString(pid), "--stats",
                    "--repeat", Integer.toString(repeat), "--compile=" + mode);
            t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + err.strip());
            }
            double commandMs = (System.nanoTime() - t0) / 1e6;
            Matcher m = STATS.matcher(err);
            if (!m.find()) {
                throw new IOException("no stats line in: " + err);
            }
            String stats = m.group(1);
            List<Double> script = numbers(stats, "walk_ms");
            List<Double> bind = numbers(stats, "bind_ms");
            List<Double> walks = numbers(stats, "walks_ms");
            double pluginImport = numbers(stats, "import_ms").getFirst();
            // The plugin's JVM imported the process itself; shared-library mapcounts include whichever
            // JVM read them, so only the fields of the process's own memory must agree exactly.
            StringBuilder differ = new StringBuilder();
            for (String field : List.of("Rss", "Anonymous", "AnonHugePages", "Private_Dirty")) {
                if (!field(out, field).equals(field(reference, field))) {
                    differ.append(' ').append(field).append(' ').append(field(out, field)).append(" vs ").append(field(reference, field));
                }
            }
            String same = differ.isEmpty() ? "true" : "false:" + differ;
            String what = mode.equals("auto") ? "compiled hooks" : "GraalJS hooks ";
            System.out.printf(Locale.ROOT, "plugin, %s (fresh JVM): command %.0f ms wall; import %.0f ms; setup %.0f ms%n",
                    what, commandMs, pluginImport, numbers(stats, "setup_ms").getFirst());
            System.out.printf(Locale.ROOT, "  walks (walker + hooks): first %.1f ms, best %.1f ms (%.2fx and %.2fx the kernel's best)%n",
                    walks.getFirst(), min(walks), walks.getFirst() / kernelBest, min(walks) / kernelBest);
            System.out.printf(Locale.ROOT, "  binding hooks (compiling): first %.1f ms, best %.1f ms%n", bind.getFirst(), min(bind));
            System.out.printf(Locale.ROOT, "  whole script: first %.1f ms, best %.1f ms (%.1fx and %.1fx the kernel's best)%n",
                    script.getFirst(), min(script), script.getFirst() / kernelBest, min(script) / kernelBest);
            System.out.printf("  Rss, Anonymous, AnonHugePages, Private_Dirty equal the Java reference's: %s%n", same);
            System.out.printf("  stats: %s%n", stats);
        }
        System.out.printf("load average: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
    }

    private static List<Double> numbers(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\\[?([0-9.,]+)\\]?").matcher(json);
        if (!m.find()) {
            throw new IllegalArgumentException("no " + key + " in " + json);
        }
        List<Double> out = new ArrayList<>();
        for (String v : m.group(1).split(",")) {
            out.add(Double.parseDouble(v));
        }
        return out;
    }

    private static String field(String smaps, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":\\s+(\\d+) kB").matcher(smaps);
        return m.find() ? m.group(1) : "missing";
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }
}
