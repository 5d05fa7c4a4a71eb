package io.pagewalk.bench;

import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.walk.MmWalkOps;
import io.pagewalk.runtime.walk.PageWalk;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The walker's cost per PTE: {@code walk_page_range()} over an address space of 16 Mi PTEs (64 GiB
 * mapped with 4 KiB pages) with a plain Java {@code pte_entry} that counts present entries, and the
 * same with the batched PTE callback ({@link MmWalkOps.Builder#pteBatch}), against a baseline that
 * counts over the PTE arrays without the walker. Scores are ns per PTE
 * ({@code @OperationsPerInvocation}).
 *
 * <p>The model is built in {@code @Setup}, untimed, by writing the PTE tables' {@code long[512]}
 * arrays directly: no object per PTE, one {@link PageTable} per 2 MiB. Its heap size is printed
 * once per fork (about 129 MiB: 32768 PTE tables of 4 KiB plus the upper levels).
 *
 * <p>Run: {@code ./pagewalk bench WalkBenchmark -f 1 -wi 2 -i 3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class WalkBenchmark {
    /** 16 Mi PTEs: 64 GiB of 4 KiB pages. */
    static final int PTES = 1 << 24;
    static final long RW_ANON = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE
            | VmFlags.VM_ACCOUNT;
    static final long PROT_RW = Pgtable._PAGE_PRESENT | Pgtable._PAGE_RW | Pgtable._PAGE_USER
            | Pgtable._PAGE_ACCESSED | Pgtable._PAGE_DIRTY | Pgtable._PAGE_NX;
    /** Where the mapped space begins: a PGD boundary, so the walk crosses a few of them. */
    static final long BASE = 1L << 39;

    MmStruct mm;
    long walkStart;
    long walkEnd;
    /** How many PTEs of the model are present: the walk must count exactly this many. */
    long presentExpected;
    MmWalkOps countPte;
    MmWalkOps countBatch;
    final long[] counter = new long[1];
    /** The PTE tables' arrays in address order, for the no-walker baseline. */
    long[][] tables;

    @Setup(Level.Trial)
    public void build() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();

        mm = new MmStruct(PagingGeometry.X86_64_4LEVEL, new MemMap());
        SplittableRandom rnd = new SplittableRandom(42);
        // Eight VMAs of 8 GiB each minus a 2 MiB gap; a realistic mix per PTE: mostly present,
        // some swapped, a few never touched, guard and uffd-wp markers, migration entries.
        long vmaSize = (long) PTES / 8 * PagingGeometry.PAGE_SIZE;
        long pfn = 0x100000;
        int ptes = 0;
        tables = new long[PTES / PagingGeometry.PTRS_PER_TABLE][];
        for (int v = 0; v < 8; v++) {
            long start = BASE + v * (vmaSize + PagingGeometry.PMD_SIZE);
            long end = start + vmaSize;
            mm.insertVma(start, end, RW_ANON, start >>> 12, null, "");
            for (long blk = start; blk < end; blk += PagingGeometry.PMD_SIZE) {
                EntryPointer first = PageTables.entry(mm, blk, PagingGeometry.PTE, true);
                long[] e = first.table().entries();
                tables[ptes / PagingGeometry.PTRS_PER_TABLE] = e;
                for (int i = 0; i < e.length; i++) {
                    int k = rnd.nextInt(100);
                    if (k < 90) {
                        e[i] = Pgtable.pfn_pte(pfn++, PROT_RW);
                        presentExpected++;
                    } else if (k < 95) {
                        e[i] = Swapops.swp_entry_to_pte(Swapops.swp_entry(0, pfn++));
                    } else if (k < 97) {
                        e[i] = 0;
                    } else if (k < 98) {
                        e[i] = Swapops.make_pte_marker(Swapops.PTE_MARKER_GUARD);
                    } else if (k < 99) {
                        e[i] = Swapops.make_pte_marker(Swapops.PTE_MARKER_UFFD_WP);
                    } else {
                        e[i] = Swapops.swp_entry_to_pte(Swapops.make_migration_entry(Swapops.SWP_MIGRATION_READ, pfn++));
                    }
                    ptes++;
                }
            }
            if (v == 0) {
                walkStart = start;
            }
            walkEnd = end;
        }
        if (ptes != PTES) {
            throw new IllegalStateException("built " + ptes + " PTEs, not " + PTES);
        }
        mm.mmapLock().readLock();

        final long[] c = counter;
        countPte = MmWalkOps.builder()
                .pteEntry((pte, addr, next, walk) -> {
                    if (Pgtable.pte_present(pte.get())) {
                        c[0]++;
                    }
                    return 0;
                })
                .build();
        countBatch = MmWalkOps.builder()
                .pteBatch((first, addr, nr, walk) -> {
                    long[] e = first.table().entries();
                    int from = first.index();
                    long n = 0;
                    for (int i = from; i < from + nr; i++) {
                        if (Pgtable.pte_present(e[i])) {
                            n++;
                        }
                    }
                    c[0] += n;
                    return 0;
                })
                .build();

        System.gc();
        long heapAfter = rt.totalMemory() - rt.freeMemory();
        System.out.printf("%nWalkBenchmark model: %d PTEs in %d VMAs, %d present; heap for the model about %d MiB%n",
                PTES, mm.mapCount(), presentExpected, (heapAfter - heapBefore) >> 20);
    }

    @TearDown(Level.Trial)
    public void release() {
        mm.mmapLock().readUnlock();
    }

    private long walk(MmWalkOps ops) {
        counter[0] = 0;
        int err = PageWalk.walkPageRange(mm, walkStart, walkEnd, ops, null);
        if (err != 0 || counter[0] != presentExpected) {
            throw new IllegalStateException("walk returned " + err + " and counted " + counter[0] + " of "
                    + presentExpected + " present PTEs");
        }
        return counter[0];
    }

    /**
     * The same three measurements in thread CPU time (ns/PTE), which a machine shared with other
     * busy processes distorts less than JMH's wall-clock scores:
     * {@code java -cp bench/target/benchmarks.jar io.pagewalk.bench.WalkBenchmark [rounds]}.
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        WalkBenchmark b = new WalkBenchmark();
        b.build();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        String[] names = {"pteEntry", "pteBatch", "tableScanBaseline"};
        for (int round = 0; round < rounds; round++) {
            StringBuilder line = new StringBuilder("round " + round + ":");
            for (String name : names) {
                long wall = System.nanoTime();
                long cpu = mx.getCurrentThreadCpuTime();
                switch (name) {
                    case "pteEntry" -> b.pteEntry();
                    case "pteBatch" -> b.pteBatch();
                    default -> b.tableScanBaseline();
                }
                cpu = mx.getCurrentThreadCpuTime() - cpu;
                wall = System.nanoTime() - wall;
                line.append(String.format("  %s cpu %.2f wall %.2f", name, (double) cpu / PTES, (double) wall / PTES));
            }
            System.out.println(line + "  (ns/PTE)");
        }
        b.release();
    }

    /** One {@code pte_entry} call per PTE. */
    @Benchmark
    @OperationsPerInvocation(PTES)
    public long pteEntry() {
        return walk(countPte);
    }

    /**
     * Baseline without the walker: the same count over the PTE tables' arrays held in a list, so
     * what is left of the other scores is the walker's own cost (memory traffic is the same).
     */
    @Benchmark
    @OperationsPerInvocation(PTES)
    public long tableScanBaseline() {
        long n = 0;
        for (long[] e : tables) {
            for (long pte : e) {
                if (Pgtable.pte_present(pte)) {
                    n++;
                }
            }
        }
        if (n != presentExpected) {
            throw new IllegalStateException("counted " + n + " of " + presentExpected);
        }
        return n;
    }

    /** One {@code pte_batch} call per PTE table run (512 PTEs). */
    @Benchmark
    @OperationsPerInvocation(PTES)
    public long pteBatch() {
        return walk(countBatch);
    }
}
