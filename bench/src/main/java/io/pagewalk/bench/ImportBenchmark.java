package io.pagewalk.bench;

import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.procfs.KpageReader;
import io.pagewalk.runtime.procfs.MapsEntry;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.procfs.ProcMaps;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Live import against a bare pagemap read, on a C program that maps and writes N GiB of
 * anonymous memory in 4 KiB pages (MADV_NOHUGEPAGE; {@code thp} as second argument uses
 * MADV_HUGEPAGE instead). A plain main, not JMH: each measurement reads a whole process once.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.pagewalk.bench.ImportBenchmark [GiB] [thp]</pre>
 *
 * <p>Prints, for the same process in the same run: the time of one batched read of its whole
 * /proc/PID/pagemap (every VMA, 64 Ki entries per read, as a bare tool would do it) and of
 * {@link LiveImport#importProcess}, the best of several alternating rounds each; and the heap the
 * model keeps (heap used after GC with the model reachable, minus before) against the pagemap
 * bytes. Needs root (kpageflags, PFNs) for a full import.
 */
public final class ImportBenchmark {
    private static final int ROUNDS = 5;

    private static final String TOUCHER = """
            #define _GNU_SOURCE
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <sys/mman.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                unsigned long gib = strtoul(argv[1], NULL, 0), len = gib << 30;
                int thp = argc > 2 && !strcmp(argv[2], "thp");
                char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (p == MAP_FAILED) { perror("mmap"); return 2; }
                madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
                for (unsigned long i = 0; i < len; i += 4096) p[i] = 1 + (i >> 12) % 251;
                printf("ready\\n");
                fflush(stdout);
                char buf[64];
                while (read(0, buf, sizeof buf) > 0) ;
                return 0;
            }
            """;

    private ImportBenchmark() {}

    public static void main(String[] args) throws Exception {
        int gib = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        boolean thp = args.length > 1 && args[1].equals("thp");
        Path dir = Files.createTempDirectory("pagewalk-importbench");
        Path src = dir.resolve("toucher.c");
        Path bin = dir.resolve("toucher");
        Files.writeString(src, TOUCHER);
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", bin.toString(), src.toString()).inheritIO().start();
        if (gcc.waitFor() != 0) {
            throw new IOException("gcc failed");
        }
        Process target = new ProcessBuilder(bin.toString(), Integer.toString(gib), thp ? "thp" : "4k")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8));
            if (!"ready".equals(out.readLine())) {
                throw new IOException("target did not start");
            }
            run((int) target.pid(), gib, thp);
        } finally {
            target.destroyForcibly();
            target.waitFor();
            Files.deleteIfExists(bin);
            Files.deleteIfExists(src);
            Files.deleteIfExists(dir);
        }
    }

    private static void run(int pid, int gib, boolean thp) throws Exception {
        System.out.printf("target pid %d: %d GiB anonymous, written, %s%n", pid, gib, thp ? "MADV_HUGEPAGE" : "4 KiB pages");
        long[] bareNanos = new long[ROUNDS];
        long[] smapsNanos = new long[ROUNDS];
        long[] kpageNanos = new long[ROUNDS];
        long[] importNanos = new long[ROUNDS];
        long[] bareCpu = new long[ROUNDS];
        long[] importCpu = new long[ROUNDS];
        var threads = ManagementFactory.getThreadMXBean();
        long pagemapBytes = 0;
        long[] pfns = presentPfns(pid);
        ImportOptions quiet = new ImportOptions(false, System.out::println);
        for (int r = 0; r < ROUNDS; r++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            pagemapBytes = barePagemapRead(pid);
            bareNanos[r] = System.nanoTime() - t0;
            bareCpu[r] = threads.getCurrentThreadCpuTime() - c0;
            c0 = threads.getCurrentThreadCpuTime();
            t0 = System.nanoTime();
            MmStruct mm = LiveImport.importProcess(pid, quiet);
            importNanos[r] = System.nanoTime() - t0;
            importCpu[r] = threads.getCurrentThreadCpuTime() - c0;
            Reference.reachabilityFence(mm);
            t0 = System.nanoTime();
            ProcMaps.readSmaps(pid);
            smapsNanos[r] = System.nanoTime() - t0;
            t0 = System.nanoTime();
            try (KpageReader k = KpageReader.open()) {
                k.read(pfns);
            }
            kpageNanos[r] = System.nanoTime() - t0;
        }
        System.out.printf("bare pagemap read   : %s ms (rounds %s), %.1f MiB of pagemap%n",
                ms(min(bareNanos)), msList(bareNanos), pagemapBytes / 1048576.0);
        System.out.printf("LiveImport          : %s ms (rounds %s)%n", ms(min(importNanos)), msList(importNanos));
        System.out.printf("time ratio (best)   : %.2fx the bare read (wall clock)%n", (double) min(importNanos) / min(bareNanos));
        System.out.printf("thread CPU (best)   : bare %s ms, import %s ms: %.2fx (user+system time of the reading "
                + "thread; steadier than wall clock on a loaded machine, leaves out GC threads)%n",
                ms(min(bareCpu)), ms(min(importCpu)), (double) min(importCpu) / min(bareCpu));
        System.out.printf("load average        : %s%n", loadAverage());
        System.out.printf("floor of the sources: smaps %s ms, kpageflags+kpagecount of %d PFNs %s ms; "
                + "smaps+pagemap+kpage = %.2fx the bare read%n", ms(min(smapsNanos)), pfns.length, ms(min(kpageNanos)),
                (double) (min(smapsNanos) + min(bareNanos) + min(kpageNanos)) / min(bareNanos));

        long before = heapUsedAfterGc();
        MmStruct mm = LiveImport.importProcess(pid, quiet);
        long after = heapUsedAfterGc();
        Reference.reachabilityFence(mm);
        long model = after - before;
        System.out.printf("model heap          : %.1f MiB (%d VMAs)%n", model / 1048576.0, mm.mapCount());
        System.out.printf("memory ratio        : %.2fx the pagemap bytes%n", (double) model / pagemapBytes);
        long sections = Arrays.stream(pfns).map(p -> p >>> 15).distinct().count();
        System.out.printf("breakdown           : %d page-table pages (%.1f MiB of entries); %d PFNs in %d MemMap "
                + "sections of 32768 PFN slots (%.0f%% of the slots used)%n", tablePages(mm.pgd()),
                tablePages(mm.pgd()) * 4096 / 1048576.0, pfns.length, sections, 100.0 * pfns.length / (sections << 15));
    }

    /** The sorted distinct PFNs the target maps (set-up for the kpage floor, not timed). */
    private static long[] presentPfns(int pid) throws Exception {
        java.util.TreeSet<Long> set = new java.util.TreeSet<>();
        try (PagemapReader r = PagemapReader.open(pid)) {
            for (MapsEntry m : ProcMaps.readMaps(pid)) {
                if (m.start() >= 0) {
                    long[] e = r.read(m.start(), m.end());
                    for (long v : e) {
                        if (PagemapEntry.pfn(v) != 0) {
                            set.add(PagemapEntry.pfn(v));
                        }
                    }
                }
            }
        }
        return set.stream().mapToLong(Long::longValue).toArray();
    }

    /** Reads every VMA's pagemap once with batched reads; returns the bytes read. */
    static long barePagemapRead(int pid) throws Exception {
        List<MapsEntry> maps = ProcMaps.readMaps(pid);
        long[] buf = new long[PagemapReader.MAX_ENTRIES_PER_READ];
        long bytes = 0;
        long sink = 0;
        try (PagemapReader r = PagemapReader.open(pid)) {
            for (MapsEntry m : maps) {
                if (m.start() < 0) {
                    continue; // [vsyscall], above the user address space
                }
                for (long a = m.start(); a < m.end(); ) {
                    int n = (int) Math.min((m.end() - a) >>> 12, buf.length);
                    r.read(a, buf, 0, n);
                    sink += buf[n - 1];
                    bytes += 8L * n;
                    a += (long) n << 12;
                }
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        return bytes;
    }

    private static long heapUsedAfterGc() throws InterruptedException {
        var bean = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, bean.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static long tablePages(PageTable t) {
        long n = 1;
        for (int i = 0; i < PagingGeometry.PTRS_PER_TABLE; i++) {
            if (t.table(i) != null) {
                n += tablePages(t.table(i));
            }
        }
        return n;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip() + " on "
                    + Runtime.getRuntime().availableProcessors() + " CPUs";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long min(long[] a) {
        return Arrays.stream(a).min().orElseThrow();
    }

    private static String ms(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }

    private static String msList(long[] a) {
        StringBuilder sb = new StringBuilder();
        for (long n : a) {
            sb.append(sb.isEmpty() ? "" : " ").append(ms(n));
        }
        return sb.toString();
    }
}
