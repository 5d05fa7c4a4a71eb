package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.pgtable.PagingGeometry.PAGE_SIZE;

import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.walk.reference.FlatScanWalker;
import io.pagewalk.runtime.walk.reference.FlatScanWalker.Op;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Hooks whose behaviour is a pure function of a seed and of what they are called with, so that two
 * walker implementations given equal copies make the same decisions: they record every call
 * compactly, return {@code stopValue} at call number {@code stopAt}, and from pud/pmd/pte callbacks
 * ask for ACTION_CONTINUE or (once per address) ACTION_AGAIN at pseudo-random places.
 *
 * <p>With {@code thpAware}, huge and migration PMDs and PUD leaves always get ACTION_CONTINUE, as
 * real {@code pmd_entry} callbacks that handle {@code pmd_trans_huge()} do; without it the walker
 * splits them when it descends. Half of the ACTION_AGAIN answers clear the entry first. {@code
 * install_pte} installs a guard marker or a present PTE.
 */
final class ScriptedHooks implements FlatScanWalker.Callbacks {
    /** Recorded call kinds, by ordinal. */
    static final Op[] KINDS = Op.values();
    static final int FIELDS = 6;

    private final Set<Op> ops;
    private final boolean batch;
    private final long seed;
    private final int stopAt;
    private final int stopValue;
    private final double pContinue;
    private final double pAgain;
    private final double pPteAgain;
    private final double pSkip;
    private final boolean thpAware;

    private long[] rec = new long[FIELDS * 256];
    private int n;
    private final Map<Long, Integer> seen = new HashMap<>();
    private PageWalkAction pending;
    private boolean clearPending;

    ScriptedHooks(Set<Op> ops, boolean batch, long seed, int stopAt, int stopValue,
            double pContinue, double pAgain, double pPteAgain, double pSkip, boolean thpAware) {
        this.thpAware = thpAware;
        this.ops = ops.isEmpty() ? EnumSet.noneOf(Op.class) : EnumSet.copyOf(ops);
        this.batch = batch;
        this.seed = seed;
        this.stopAt = stopAt;
        this.stopValue = stopValue;
        this.pContinue = pContinue;
        this.pAgain = pAgain;
        this.pPteAgain = pPteAgain;
        this.pSkip = pSkip;
    }

    ScriptedHooks withStop(int at, int value) {
        return new ScriptedHooks(ops, batch, seed, at, value, pContinue, pAgain, pPteAgain, pSkip, thpAware);
    }

    /** A fresh instance with the same behaviour and no calls recorded. */
    ScriptedHooks copy() {
        return withStop(stopAt, stopValue);
    }

    int stopAt() {
        return stopAt;
    }

    int count() {
        return n;
    }

    long[] record() {
        return Arrays.copyOf(rec, n * FIELDS);
    }

    // ------------------------------------------------------------------ recording and decisions

    private int call(Op kind, long a, long b, long c, long d, VmArea vma, boolean canFail) {
        if ((n + 1) * FIELDS > rec.length) {
            rec = Arrays.copyOf(rec, rec.length * 2);
        }
        int i = n * FIELDS;
        rec[i] = kind.ordinal();
        rec[i + 1] = a;
        rec[i + 2] = b;
        rec[i + 3] = c;
        rec[i + 4] = d;
        rec[i + 5] = vma == null ? 1 : vma.start(); // 1 is no VMA start: VMAs are page aligned
        return n++ == stopAt && canFail ? stopValue : 0;
    }

    /** A uniform number in [0, 1) from the seed, the call kind and the address. */
    private double coin(Op kind, long addr) {
        long h = seed * 0x9E3779B97F4A7C15L + kind.ordinal() * 0xBF58476D1CE4E5B9L + addr;
        h ^= h >>> 31;
        h *= 0x94D049BB133111EBL;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (h >>> 11) * 0x1.0p-53;
    }

    /** How often this kind was called at this address before. */
    private int nth(Op kind, long addr) {
        long key = addr * 31 + kind.ordinal();
        int k = seen.getOrDefault(key, 0);
        seen.put(key, k + 1);
        return k;
    }

    private void decide(Op kind, long addr, boolean huge) {
        double r = coin(kind, addr);
        int k = nth(kind, addr);
        if (k == 0 && r < pAgain) {
            pending = PageWalkAction.ACTION_AGAIN;
            // Half of the retries follow a clear of the entry: the walker must re-check it and
            // report the hole it now is (or, installing, fill it again).
            clearPending = r < pAgain / 2;
        } else if ((huge && thpAware) || r < pAgain + pContinue) {
            pending = PageWalkAction.ACTION_CONTINUE;
        }
    }

    // ------------------------------------------------------------------ the callbacks

    @Override
    public Set<Op> ops() {
        return ops;
    }

    @Override
    public int pgdEntry(long entry, long addr, long next, VmArea vma) {
        return call(Op.PGD, addr, next, entry, 0, vma, true);
    }

    @Override
    public int p4dEntry(long entry, long addr, long next, VmArea vma) {
        return call(Op.P4D, addr, next, entry, 0, vma, true);
    }

    @Override
    public int pudEntry(long entry, long addr, long next, VmArea vma) {
        int r = call(Op.PUD, addr, next, entry, 0, vma, true);
        decide(Op.PUD, addr, Pgtable.pud_leaf(entry));
        return r;
    }

    @Override
    public int pmdEntry(long entry, long addr, long next, VmArea vma) {
        int r = call(Op.PMD, addr, next, entry, 0, vma, true);
        decide(Op.PMD, addr, Pgtable.pmd_trans_huge(entry) || Swapops.is_pmd_migration_entry(entry)
                || Pgtable.is_swap_pmd(entry));
        return r;
    }

    @Override
    public int pteEntry(long entry, long addr, long next, VmArea vma) {
        int r = call(Op.PTE, addr, next, entry, 0, vma, true);
        if (nth(Op.PTE, addr) == 0 && coin(Op.PTE, addr) < pPteAgain) {
            pending = PageWalkAction.ACTION_AGAIN;
        }
        return r;
    }

    @Override
    public int pteHole(long addr, long next, int depth, VmArea vma) {
        return call(Op.HOLE, addr, next, depth, 0, vma, true);
    }

    @Override
    public int hugetlbEntry(long entry, long hmask, long addr, long next, VmArea vma) {
        return call(Op.HUGETLB, addr, next, entry, hmask, vma, true);
    }

    @Override
    public int testWalk(long start, long end, VmArea vma) {
        int r = call(Op.TEST_WALK, start, end, 0, 0, vma, true);
        return r != 0 ? r : coin(Op.TEST_WALK, start) < pSkip ? 1 : 0;
    }

    @Override
    public int preVma(long start, long end, VmArea vma) {
        return call(Op.PRE_VMA, start, end, 0, 0, vma, true);
    }

    @Override
    public void postVma(VmArea vma) {
        call(Op.POST_VMA, 0, 0, 0, 0, vma, false);
    }

    @Override
    public int installPte(long addr, long next, long[] newPte, VmArea vma) {
        int r = call(Op.INSTALL, addr, next, 0, 0, vma, true);
        newPte[0] = coin(Op.INSTALL, addr) < 0.5 ? Swapops.make_pte_marker(Swapops.PTE_MARKER_GUARD)
                : Pgtable.pfn_pte(0x300000 + (addr >>> 12 & 0xffff), RandomModel.PROT_RW);
        return r;
    }

    @Override
    public PageWalkAction takeAction() {
        PageWalkAction a = pending;
        pending = null;
        return a;
    }

    @Override
    public boolean takeClear() {
        boolean c = clearPending;
        clearPending = false;
        return c;
    }

    // ------------------------------------------------------------------ as MmWalkOps

    private void apply(MmWalk w) {
        PageWalkAction a = takeAction();
        if (a != null) {
            w.setAction(a);
        }
    }

    /** The same hooks as {@code struct mm_walk_ops} for {@link PageWalk}. */
    MmWalkOps toOps() {
        MmWalkOps.Builder b = MmWalkOps.builder();
        if (ops.contains(Op.PGD)) {
            b.pgdEntry((e, a, nx, w) -> pgdEntry(e.get(), a, nx, w.vma()));
        }
        if (ops.contains(Op.P4D)) {
            b.p4dEntry((e, a, nx, w) -> p4dEntry(e.get(), a, nx, w.vma()));
        }
        if (ops.contains(Op.PUD)) {
            b.pudEntry((e, a, nx, w) -> {
                int r = pudEntry(e.get(), a, nx, w.vma());
                if (takeClear()) {
                    e.set(0);
                }
                apply(w);
                return r;
            });
        }
        if (ops.contains(Op.PMD)) {
            b.pmdEntry((e, a, nx, w) -> {
                int r = pmdEntry(e.get(), a, nx, w.vma());
                if (takeClear()) {
                    e.set(0);
                }
                apply(w);
                return r;
            });
        }
        if (ops.contains(Op.PTE) && !batch) {
            b.pteEntry((e, a, nx, w) -> {
                int r = pteEntry(e.get(), a, nx, w.vma());
                apply(w);
                return r;
            });
        }
        if (ops.contains(Op.PTE) && batch) {
            // The batched form must behave as nr pte_entry calls that stop at the first non-zero.
            b.pteBatch((first, a, nr, w) -> {
                for (int k = 0; k < nr; k++) {
                    long addr = a + k * PAGE_SIZE;
                    int r = pteEntry(first.table().get(first.index() + k), addr, addr + PAGE_SIZE, w.vma());
                    apply(w);
                    if (r != 0) {
                        return r;
                    }
                }
                return 0;
            });
        }
        if (ops.contains(Op.HOLE)) {
            b.pteHole((a, nx, d, w) -> pteHole(a, nx, d, w.vma()));
        }
        if (ops.contains(Op.HUGETLB)) {
            b.hugetlbEntry((e, m, a, nx, w) -> hugetlbEntry(e.get(), m, a, nx, w.vma()));
        }
        if (ops.contains(Op.TEST_WALK)) {
            b.testWalk((s, e, w) -> testWalk(s, e, w.vma()));
        }
        if (ops.contains(Op.PRE_VMA)) {
            b.preVma((s, e, w) -> preVma(s, e, w.vma()));
        }
        if (ops.contains(Op.POST_VMA)) {
            b.postVma(w -> postVma(w.vma()));
        }
        if (ops.contains(Op.INSTALL)) {
            long[] out = new long[1];
            b.installPte((a, nx, p, w) -> {
                int r = installPte(a, nx, out, w.vma());
                p.set(out[0]);
                return r;
            });
        }
        return b.build();
    }

    /** One recorded call as text, for failure messages. */
    static String describe(long[] rec, int call) {
        if (call >= rec.length / FIELDS) {
            return "(no call: the walk ended)";
        }
        int i = call * FIELDS;
        Op kind = KINDS[(int) rec[i]];
        String vma = rec[i + 5] == 1 ? "novma" : "vma@" + hex(rec[i + 5]);
        return switch (kind) {
            case PGD, P4D, PUD, PMD, PTE -> kind.name().toLowerCase() + "_entry " + hex(rec[i + 1]) + " "
                    + hex(rec[i + 2]) + " entry=" + hex(rec[i + 3]) + " " + vma;
            case HOLE -> "pte_hole " + hex(rec[i + 1]) + " " + hex(rec[i + 2]) + " depth=" + rec[i + 3] + " " + vma;
            case HUGETLB -> "hugetlb_entry " + hex(rec[i + 1]) + " " + hex(rec[i + 2]) + " entry=" + hex(rec[i + 3])
                    + " hmask=" + hex(rec[i + 4]) + " " + vma;
            case TEST_WALK -> "test_walk " + hex(rec[i + 1]) + " " + hex(rec[i + 2]) + " " + vma;
            case PRE_VMA -> "pre_vma " + hex(rec[i + 1]) + " " + hex(rec[i + 2]) + " " + vma;
            case POST_VMA -> "post_vma " + vma;
            case INSTALL -> "install_pte " + hex(rec[i + 1]) + " " + hex(rec[i + 2]) + " " + vma;
        };
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
