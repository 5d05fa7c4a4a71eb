package io.pagewalk.runtime.walk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.walk.reference.FlatScanWalker;
import io.pagewalk.runtime.walk.reference.FlatScanWalker.Op;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Randomised differential test: {@link PageWalk} against {@link FlatScanWalker}, a flat
 * per-address reimplementation of the kernel's callback sequence. Each seed builds a
 * {@link RandomModel}, picks an entry point ({@code walk_page_range}, {@code walk_page_vma},
 * {@code walk_page_range_vma}, {@code walk_page_range_novma}, {@code walk_page_mapping}), a range
 * (unaligned ends, {@code end = ULONG_MAX}, empty), a set of hooks and, for some seeds, a call at
 * which a hook returns non-zero; both implementations must make exactly the same calls and return
 * the same value.
 *
 * <p>Walks that change the tables are included: {@code install_pte} (through the {@code _mm} and
 * {@code _unsafe} entry points, with table allocations that may fail) and splits of huge entries
 * (anonymous THPs become PTE tables, file THPs and PUD leaves are zapped and then seen as holes,
 * PMD migration entries become PTE migration entries). The split itself is the model's
 * ({@code HugeSplit}), so both sides call it; what is compared is the walker's sequence around it,
 * and afterwards the page tables of both copies. {@link #SPLITS} and {@link #INSTALL} switch them
 * off. Callbacks that clear the PUD/PMD they are given and ask for ACTION_AGAIN are in too (the
 * retry must see the hole). Not covered: other changes made by callbacks.
 *
 * <p>Install-only walks (install_pte without pte_entry) leave existing PTEs alone on both sides,
 * where the kernel would call a NULL pte_entry (the model's documented deviation, CONFORMANCE.md).
 * Kept out: {@code install_pte} with {@code pte_batch} but no {@code pte_entry}, where the walker
 * hands existing PTEs to the batch callback one at a time, which the reference does not model.
 *
 * <p>{@value #SEEDS_PROPERTY} (system property) or {@value #SEEDS_ENV} (environment) runs more
 * seeds; {@value #FIRST_SEED_PROPERTY} moves the first one (to replay a failure).
 */
class DifferentialWalkTest {
    static final String SEEDS_PROPERTY = "pagewalk.difftest.seeds";
    static final String SEEDS_ENV = "PAGEWALK_DIFFTEST_SEEDS";
    static final String FIRST_SEED_PROPERTY = "pagewalk.difftest.firstSeed";
    /** Prints what the walks covered (entry points, results, installs, changed tables). */
    static final String STATS_PROPERTY = "pagewalk.difftest.stats";
    static final int DEFAULT_SEEDS = 3000;

    /** Hook sets worth hitting more often than a uniform subset would. */
    private static final List<EnumSet<Op>> NOTABLE = List.of(
            EnumSet.noneOf(Op.class),
            EnumSet.of(Op.HOLE),
            EnumSet.of(Op.PGD, Op.HOLE),
            EnumSet.of(Op.P4D, Op.HOLE),
            EnumSet.of(Op.PUD),
            EnumSet.of(Op.PUD, Op.HOLE),
            EnumSet.of(Op.PMD, Op.HOLE),
            EnumSet.of(Op.PTE),
            EnumSet.of(Op.PTE, Op.HOLE),
            EnumSet.of(Op.PMD, Op.PTE, Op.HOLE),
            EnumSet.of(Op.HUGETLB, Op.HOLE),
            EnumSet.of(Op.TEST_WALK, Op.HOLE, Op.PTE),
            EnumSet.of(Op.PRE_VMA, Op.POST_VMA, Op.HOLE));

    /**
     * Walks that split huge entries (hooks not THP-aware over THPs, PMD migration entries or PUD
     * leaves) are in the random space; false keeps them out.
     */
    static final boolean SPLITS = true;
    /** Walks with {@code install_pte} ({@code walk_page_range_mm}, {@code _vma_unsafe}). */
    static final boolean INSTALL = true;

    private static final int[] STOP_VALUES = {1, 3, -Errno.EINVAL, -Errno.ENOMEM, -1};

    static final java.util.Map<String, Integer> STATS = new java.util.TreeMap<>();

    enum Entry { RANGE, VMA, RANGE_VMA, NOVMA, MAPPING }

    /**
     * One generated walk: model, entry point, range and hooks. The model is rebuilt from the seed
     * for each run (walks that install PTEs or split huge entries change it), so the reference
     * and the walker start from equal copies.
     */
    static final class Case {
        final long seed;
        final RandomModel model;
        Entry entry;
        VmArea vma;
        long start;
        long end;
        ScriptedHooks hooks;
        boolean batch;
        boolean thpAware;
        /** walk_page_range()/walk_page_range_vma()/walk_page_vma() rather than the _mm/_unsafe forms. */
        boolean publicApi;
        /** Page-table allocations that succeed before -ENOMEM, or -1. */
        long allocLimit = -1;

        Case(long seed) {
            this.seed = seed;
            SplittableRandom rnd = new SplittableRandom(seed);
            this.model = new RandomModel(rnd);
            pick(rnd);
        }

        /** A fresh copy of the model (the constructor consumed the seed's stream the same way). */
        RandomModel twin() {
            return twin(true);
        }

        RandomModel twin(boolean limitAllocations) {
            RandomModel m = new RandomModel(new SplittableRandom(seed));
            if (limitAllocations && allocLimit >= 0) {
                m.mm.memMap().failTableAllocationsAfter(allocLimit);
            }
            return m;
        }

        VmArea vmaIn(RandomModel m) {
            return vma == null ? null : m.mm.vmaLookup(vma.start());
        }

        private void pick(SplittableRandom rnd) {
            List<VmArea> vmas = model.vmas;
            int e = rnd.nextInt(100);
            entry = vmas.isEmpty() || e < 60 ? Entry.RANGE : e < 70 ? Entry.VMA : e < 80 ? Entry.RANGE_VMA
                    : e < 90 || model.file == null ? Entry.NOVMA : Entry.MAPPING;
            if (entry == Entry.MAPPING) {
                // File page indexes, not addresses.
                start = rnd.nextLong(3072);
                end = start + 1 + rnd.nextLong(rnd.nextBoolean() ? 64 : 3072);
            } else if (entry == Entry.RANGE && vmas.isEmpty()) {
                start = 0x400000;
                end = rnd.nextBoolean() ? -1 : 0x800000;
            } else if (entry == Entry.RANGE) {
                long lo = vmas.get(0).start();
                long hi = vmas.get(vmas.size() - 1).end();
                start = boundaryOr(rnd, vmas, lo - 0x400000 + (rnd.nextLong(hi - lo + 0x400000) & -4096L));
                if (rnd.nextInt(8) == 0) {
                    start = 0;
                }
                start = maybeUnaligned(rnd, start);
                int k = rnd.nextInt(100);
                if (k < 15) {
                    end = -1;
                } else if (k < 17) {
                    end = start - (rnd.nextBoolean() ? 0 : 4096); // empty or inverted: -EINVAL
                } else {
                    end = boundaryOr(rnd, vmas, start + 4096 + (rnd.nextLong(hi - lo + 0x400000) & -4096L));
                    end = maybeUnaligned(rnd, end);
                }
            } else if (entry == Entry.NOVMA) {
                long lo = vmas.get(0).start();
                long hi = vmas.get(vmas.size() - 1).end();
                long top = 1L << model.geometry.virtualAddressBits();
                start = Math.max(0x10000L, lo - (rnd.nextLong(0x800000) & -4096L));
                start = maybeUnaligned(rnd, start);
                end = Math.min(top, hi + (rnd.nextLong(0x800000) & -4096L));
                if (rnd.nextInt(10) == 0) {
                    end = start + 1 + rnd.nextLong(0x3000);
                }
                end = maybeUnaligned(rnd, end);
            } else {
                vma = vmas.get(rnd.nextInt(vmas.size()));
                if (entry == Entry.VMA) {
                    start = vma.start();
                    end = vma.end();
                } else {
                    long size = vma.end() - vma.start();
                    start = vma.start() + rnd.nextLong(size);
                    if (rnd.nextBoolean()) {
                        start &= -4096L;
                    }
                    end = start + 1 + rnd.nextLong(vma.end() - start);
                    if (rnd.nextBoolean()) {
                        end = vma.end();
                    }
                }
            }

            EnumSet<Op> ops;
            if (rnd.nextInt(100) < 15) {
                ops = EnumSet.copyOf(NOTABLE.get(rnd.nextInt(NOTABLE.size())));
            } else {
                ops = EnumSet.noneOf(Op.class);
                for (Op op : Op.values()) {
                    if (op != Op.INSTALL && rnd.nextBoolean()) {
                        ops.add(op);
                    }
                }
            }
            batch = rnd.nextInt(10) < 3;
            thpAware = rnd.nextBoolean();
            publicApi = rnd.nextBoolean();
            if (!SPLITS && entry != Entry.NOVMA) {
                thpAware = true;
                if (model.hasHugePmd && ops.contains(Op.PTE)) {
                    ops.add(Op.PMD);
                }
                if (model.hasPudLeaf && (ops.contains(Op.PMD) || ops.contains(Op.PTE))) {
                    ops.add(Op.PUD);
                }
            }
            if (INSTALL && entry != Entry.NOVMA && entry != Entry.MAPPING && rnd.nextInt(100) < 25 && mappedBytesInRange() <= 8 * PagingGeometry.PMD_SIZE) {
                // The batched PTE callback is not used when installing (class comment).
                ops.add(Op.INSTALL);
                batch = false;
                publicApi = rnd.nextInt(10) == 0; // -EINVAL
                if (rnd.nextInt(4) == 0) {
                    allocLimit = rnd.nextInt(12);
                }
                if (rnd.nextBoolean() || hugetlbInRange()) {
                    ops.add(Op.PTE);
                }
            }
            hooks = new ScriptedHooks(ops, batch, rnd.nextLong(), -1, 0,
                    0.15, 0.05, rnd.nextInt(4) == 0 ? 0.002 : 0, 0.25, thpAware);
            if (rnd.nextInt(100) < 40) {
                ScriptedHooks probe = hooks.copy();
                runReference(probe, twin());
                if (probe.count() > 0) {
                    hooks = hooks.withStop(rnd.nextInt(probe.count()), STOP_VALUES[rnd.nextInt(STOP_VALUES.length)]);
                }
            }
        }

        private boolean hugetlbInRange() {
            for (VmArea v : model.vmas) {
                if (v.isHugetlb() && Long.compareUnsigned(v.start(), end) < 0 && Long.compareUnsigned(start, v.end()) < 0) {
                    return true;
                }
            }
            return false;
        }

        /** Bytes of non-hugetlb VMAs inside the walk range: what an install walk would fill. */
        private long mappedBytesInRange() {
            long sum = 0;
            for (VmArea v : model.vmas) {
                long lo = Long.compareUnsigned(v.start(), start) > 0 ? v.start() : start;
                long hi = Long.compareUnsigned(v.end(), end) < 0 ? v.end() : end;
                if (!v.isHugetlb() && Long.compareUnsigned(lo, hi) < 0) {
                    sum += hi - lo;
                }
            }
            return sum;
        }

        private static long boundaryOr(SplittableRandom rnd, List<VmArea> vmas, long addr) {
            if (rnd.nextInt(4) == 0) {
                VmArea v = vmas.get(rnd.nextInt(vmas.size()));
                return rnd.nextBoolean() ? v.start() : v.end();
            }
            return addr;
        }

        private static long maybeUnaligned(SplittableRandom rnd, long addr) {
            return rnd.nextInt(5) == 0 ? addr + 1 + rnd.nextInt(4095) : addr;
        }

        int runReference(ScriptedHooks h, RandomModel m) {
            FlatScanWalker ref = new FlatScanWalker(m.mm, h);
            return switch (entry) {
                case RANGE -> ref.walkPageRange(start, end, publicApi);
                case VMA, RANGE_VMA -> ref.walkPageRangeVma(vmaIn(m), start, end, publicApi);
                case NOVMA -> ref.walkPageRangeNovma(start, end);
                case MAPPING -> ref.walkPageMapping(m.file, start, end - start);
            };
        }

        int runWalker(ScriptedHooks h, RandomModel m) {
            MmWalkOps ops = h.toOps();
            var lock = m.mm.mmapLock();
            VmArea v = vmaIn(m);
            if (entry == Entry.NOVMA) {
                lock.writeLock();
            } else if (entry == Entry.MAPPING) {
                m.file.iMmapLockRead();
            } else {
                lock.readLock();
            }
            try {
                return switch (entry) {
                    case RANGE -> publicApi ? PageWalk.walkPageRange(m.mm, start, end, ops, null)
                            : PageWalk.walkPageRangeMm(m.mm, start, end, ops, null);
                    case VMA -> publicApi ? PageWalk.walkPageVma(v, ops, null)
                            : PageWalk.walkPageRangeVmaUnsafe(v, v.start(), v.end(), ops, null);
                    case RANGE_VMA -> publicApi ? PageWalk.walkPageRangeVma(v, start, end, ops, null)
                            : PageWalk.walkPageRangeVmaUnsafe(v, start, end, ops, null);
                    case NOVMA -> PageWalk.walkPageRangeNovma(m.mm, start, end, ops, null, null);
                    case MAPPING -> PageWalk.walkPageMapping(m.file, start, end - start, ops, null);
                };
            } finally {
                if (entry == Entry.NOVMA) {
                    lock.writeUnlock();
                } else if (entry == Entry.MAPPING) {
                    m.file.iMmapUnlockRead();
                } else {
                    lock.readUnlock();
                }
            }
        }

        @Override
        public String toString() {
            return "seed " + seed + ": " + entry + (publicApi ? "" : " (_mm/_unsafe form)")
                    + (vma != null ? " vma " + vma : "") + " [0x" + Long.toHexString(start)
                    + ", 0x" + Long.toHexString(end) + ") hooks " + hooks.ops() + (batch ? " (pte_batch)" : "")
                    + (thpAware ? " thp-aware" : "") + (allocLimit >= 0 ? " allocations fail after " + allocLimit : "")
                    + "\n  model " + model;
        }
    }

    /** The page tables under two roots hold the same entries (and the same table structure). */
    static String firstTableDifference(PageTable a, PageTable b, String path) {
        for (int i = 0; i < PagingGeometry.PTRS_PER_TABLE; i++) {
            PageTable ca = a.table(i);
            PageTable cb = b.table(i);
            if ((ca == null) != (cb == null) || (ca == null && a.get(i) != b.get(i))) {
                return path + "[" + i + "]: reference 0x" + Long.toHexString(a.get(i)) + " walker 0x"
                        + Long.toHexString(b.get(i));
            }
            if (ca != null) {
                String d = firstTableDifference(ca, cb, path + "[" + i + "]");
                if (d != null) {
                    return d;
                }
            }
        }
        return null;
    }

    /** Runs one seed; returns the number of calls compared, or throws with the first difference. */
    static int check(long seed) {
        Case c = new Case(seed);
        ScriptedHooks ref = c.hooks.copy();
        ScriptedHooks real = c.hooks.copy();
        RandomModel refModel = c.twin();
        RandomModel realModel = c.twin();
        int want = c.runReference(ref, refModel);
        int got;
        try {
            got = c.runWalker(real, realModel);
        } catch (RuntimeException e) {
            throw new AssertionError("walker threw " + e + "\n" + c + "\n" + firstDifference(ref.record(), real.record()), e);
        }
        long[] a = ref.record();
        long[] b = real.record();
        if (!Arrays.equals(a, b)) {
            fail("callback sequences differ, " + c + "\n" + firstDifference(a, b)
                    + "\n  returns: reference " + want + ", walker " + got);
        }
        assertEquals(want, got, () -> "return value differs, " + c);
        String tables = firstTableDifference(refModel.mm.pgd(), realModel.mm.pgd(), "pgd");
        if (tables != null) {
            fail("page tables differ after the walk, " + c + "\n  " + tables);
        }
        if (Boolean.getBoolean(STATS_PROPERTY)) {
            STATS.merge(c.entry + (want == 0 ? "/ok" : want < 0 ? "/neg" : "/pos"), 1, Integer::sum);
            STATS.merge("5level", c.model.geometry == PagingGeometry.X86_64_5LEVEL ? 1 : 0, Integer::sum);
            STATS.merge("install", c.hooks.ops().contains(Op.INSTALL) ? 1 : 0, Integer::sum);
            STATS.merge("tablesChanged", firstTableDifference(c.twin().mm.pgd(), realModel.mm.pgd(), "") != null ? 1 : 0,
                    Integer::sum);
        }
        return a.length / ScriptedHooks.FIELDS;
    }

    static String firstDifference(long[] want, long[] got) {
        int nw = want.length / ScriptedHooks.FIELDS;
        int ng = got.length / ScriptedHooks.FIELDS;
        int i = 0;
        while (i < Math.min(nw, ng) && Arrays.equals(want, i * ScriptedHooks.FIELDS, (i + 1) * ScriptedHooks.FIELDS,
                got, i * ScriptedHooks.FIELDS, (i + 1) * ScriptedHooks.FIELDS)) {
            i++;
        }
        StringBuilder sb = new StringBuilder("  first difference at call #" + i + " (reference made " + nw
                + " calls, walker " + ng + ")");
        for (int k = Math.max(0, i - 3); k < i; k++) {
            sb.append("\n    both:      ").append(ScriptedHooks.describe(want, k));
        }
        sb.append("\n    reference: ").append(ScriptedHooks.describe(want, i));
        sb.append("\n    walker:    ").append(ScriptedHooks.describe(got, i));
        return sb.toString();
    }

    static int seedCount() {
        String s = System.getProperty(SEEDS_PROPERTY);
        if (s == null || s.isBlank()) {
            s = System.getenv(SEEDS_ENV);
        }
        return s == null || s.isBlank() ? DEFAULT_SEEDS : Integer.parseInt(s.trim());
    }

    @Test
    void walkerMakesTheSameCallsAsTheFlatReference() {
        long first = Long.getLong(FIRST_SEED_PROPERTY, 0L);
        int seeds = seedCount();
        long calls = 0;
        long t0 = System.nanoTime();
        long cpu0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        for (long seed = first; seed < first + seeds; seed++) {
            calls += check(seed);
        }
        long cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
        long genNanos = 0;
        if (Boolean.getBoolean(STATS_PROPERTY)) {
            long t1 = System.nanoTime();
            for (long seed = first; seed < first + seeds; seed++) {
                new Case(seed).twin();
            }
            genNanos = System.nanoTime() - t1;
            System.out.printf("difftest: %d ms in all (%d ms CPU), %d ms of it for two model builds per seed%n",
                    (t1 - t0) / 1_000_000, cpu / 1_000_000, genNanos / 1_000_000);
        }
        if (Boolean.getBoolean(STATS_PROPERTY)) {
            System.out.println("difftest: " + seeds + " walks, " + calls + " calls; " + STATS);
        }
        // The generator must produce real work, not thousands of empty walks.
        assertTrue(calls > seeds * 20L, "only " + calls + " calls in " + seeds + " walks");
    }

    /** The generator reaches the shapes the test is about; a generator change must not lose them. */
    @Test
    void generatorCoversTheInterestingCases() {
        boolean fiveLevel = false;
        boolean hugetlb = false;
        boolean pudLeaf = false;
        boolean hugePmd = false;
        boolean unbounded = false;
        boolean stopped = false;
        EnumSet<Entry> entries = EnumSet.noneOf(Entry.class);
        for (long seed = 0; seed < 400; seed++) {
            Case c = new Case(seed);
            fiveLevel |= c.model.geometry == PagingGeometry.X86_64_5LEVEL;
            hugetlb |= c.model.vmas.stream().anyMatch(VmArea::isHugetlb);
            pudLeaf |= c.model.hasPudLeaf;
            hugePmd |= c.model.hasHugePmd;
            unbounded |= c.end == -1;
            stopped |= c.hooks.stopAt() >= 0;
            entries.add(c.entry);
        }
        assertTrue(fiveLevel && hugetlb && pudLeaf && hugePmd && unbounded && stopped,
                "5-level " + fiveLevel + ", hugetlb " + hugetlb + ", PUD leaf " + pudLeaf + ", huge PMD " + hugePmd
                        + ", end -1 " + unbounded + ", stop " + stopped);
        assertEquals(EnumSet.allOf(Entry.class), entries);
    }

    /** The comparison itself can fail: a reference fed different hooks disagrees with the walker. */
    @Test
    void aDifferenceIsReported() {
        for (long seed = 0; seed < 50; seed++) {
            Case c = new Case(seed);
            if (c.hooks.ops().contains(Op.PTE) && c.entry == Entry.RANGE && Long.compareUnsigned(c.start, c.end) < 0) {
                ScriptedHooks real = c.hooks.copy();
                c.runWalker(real, c.twin());
                ScriptedHooks other = new ScriptedHooks(EnumSet.of(Op.HOLE), false, 0, -1, 0, 0, 0, 0, 0, true);
                c.runReference(other, c.twin());
                assertTrue(!Arrays.equals(real.record(), other.record()));
                String report = firstDifference(other.record(), real.record());
                assertTrue(report.contains("\n    reference: ") && report.contains("\n    walker:    "), report);
                return;
            }
        }
        fail("no seed with pte_entry over a range in the first 50");
    }
}
