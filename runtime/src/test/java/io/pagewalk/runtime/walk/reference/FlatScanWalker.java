package io.pagewalk.runtime.walk.reference;

import static io.pagewalk.runtime.pgtable.PagingGeometry.P4D;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PAGE_SIZE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PGD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PTE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PUD;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.HugeSplit;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.walk.PageWalkAction;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A second, deliberately plain implementation of the callback sequence of {@code mm/pagewalk.c},
 * written only to check {@link io.pagewalk.runtime.walk.PageWalk} against: one flat loop over
 * addresses per VMA instead of one function per level. At each address it works out which levels
 * start a new chunk there (by alignment), looks the entries up from the root by address, and emits
 * what the kernel would: entry callbacks, holes, descent only where a lower handler exists.
 *
 * <p>It changes the model where the kernel changes the page tables: {@code install_pte} (tables
 * allocated at every level, the new PTE stored) and splits of huge entries before a descent. The
 * split itself is the model's ({@link HugeSplit}), not the walker's, so the reference calls it;
 * give the reference and the walker equal copies of one model.
 */
public final class FlatScanWalker {

    /** The callbacks an ops structure may have. */
    public enum Op { PGD, P4D, PUD, PMD, PTE, HOLE, HUGETLB, TEST_WALK, PRE_VMA, POST_VMA, INSTALL }

    /**
     * The hooks of one walk. Entry callbacks get the entry's value; {@link #takeAction()} reports
     * what the last pud/pmd/pte callback asked the walker to do (null: it set nothing).
     */
    public interface Callbacks {
        Set<Op> ops();

        int pgdEntry(long entry, long addr, long next, VmArea vma);

        int p4dEntry(long entry, long addr, long next, VmArea vma);

        int pudEntry(long entry, long addr, long next, VmArea vma);

        int pmdEntry(long entry, long addr, long next, VmArea vma);

        int pteEntry(long entry, long addr, long next, VmArea vma);

        int pteHole(long addr, long next, int depth, VmArea vma);

        int hugetlbEntry(long entry, long hmask, long addr, long next, VmArea vma);

        int testWalk(long start, long end, VmArea vma);

        int preVma(long start, long end, VmArea vma);

        void postVma(VmArea vma);

        /** {@code install_pte}: puts the PTE to install in {@code newPte[0]}. */
        int installPte(long addr, long next, long[] newPte, VmArea vma);

        PageWalkAction takeAction();

        /** True when the last pud/pmd callback cleared the entry it was given ({@code pmd_clear()}). */
        boolean takeClear();
    }

    private final MmStruct mm;
    private final PagingGeometry g;
    private final Callbacks cb;
    private final Set<Op> ops;

    public FlatScanWalker(MmStruct mm, Callbacks cb) {
        this.mm = mm;
        this.g = mm.geometry();
        this.cb = cb;
        this.ops = EnumSet.copyOf(cb.ops().isEmpty() ? EnumSet.noneOf(Op.class) : cb.ops());
    }

    private boolean has(Op op) {
        return ops.contains(op);
    }

    private static boolean below(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    // ------------------------------------------------------------------ entry points

    /**
     * {@code walk_page_range()} ({@code publicApi}: -EINVAL with {@code install_pte}) or
     * {@code walk_page_range_mm()}: gaps, then each VMA clipped to the range.
     */
    public int walkPageRange(long start, long end, boolean publicApi) {
        if ((publicApi && has(Op.INSTALL)) || !below(start, end)) {
            return -Errno.EINVAL;
        }
        long cur = start;
        for (VmArea vma : mm.vmas()) {
            if (!below(cur, vma.end())) {
                continue;
            }
            if (!below(vma.start(), end)) {
                break;
            }
            if (below(cur, vma.start())) {
                int err = hole(cur, vma.start(), -1, null);
                if (err != 0) {
                    return err;
                }
                cur = vma.start();
            }
            long next = below(vma.end(), end) ? vma.end() : end;
            int err = pageTest(cur, next, vma);
            if (err < 0) {
                return err;
            }
            if (err == 0) {
                err = vmaRange(cur, next, vma);
                if (err != 0) {
                    return err;
                }
            }
            cur = next;
            if (cur == end) {
                return 0;
            }
        }
        return hole(cur, end, -1, null);
    }

    /** {@code walk_page_range_vma[_unsafe]()}: no gaps, no test_walk, PFNMAP walked. */
    public int walkPageRangeVma(VmArea vma, long start, long end, boolean publicApi) {
        if ((publicApi && has(Op.INSTALL)) || !below(start, end) || below(start, vma.start()) || below(vma.end(), end)) {
            return -Errno.EINVAL;
        }
        return vmaRange(start, end, vma);
    }

    /** {@code walk_page_range_novma()}: the tables alone, no VMA, nothing split. */
    public int walkPageRangeNovma(long start, long end) {
        if (!below(start, end) || has(Op.INSTALL)) {
            return -Errno.EINVAL;
        }
        return scanTables(start, end, null);
    }

    /**
     * {@code walk_page_mapping()}: the VMAs mapping file pages {@code [first, first + nr)} in
     * {@code vm_pgoff} order, each clipped to those pages; test_walk sees the whole VMA and a
     * positive answer ends the whole walk with 0; no gap holes.
     */
    public int walkPageMapping(AddressSpace mapping, long first, long nr) {
        if (has(Op.INSTALL)) {
            return -Errno.EINVAL;
        }
        List<VmArea> vmas = new ArrayList<>(mapping.iMmap());
        vmas.sort((a, b) -> a.pgoff() != b.pgoff() ? Long.compareUnsigned(a.pgoff(), b.pgoff())
                : Long.compareUnsigned(a.start(), b.start()));
        for (VmArea vma : vmas) {
            long vba = vma.pgoff();
            long vea = vba + vma.pages();
            if (below(vea - 1, first) || below(first + nr - 1, vba)) {
                continue;
            }
            long cba = below(first, vba) ? vba : first;
            long cea = below(first + nr, vea) ? first + nr : vea;
            long s = ((cba - vba) << PagingGeometry.PAGE_SHIFT) + vma.start();
            long e = ((cea - vba) << PagingGeometry.PAGE_SHIFT) + vma.start();
            if (!below(s, e)) {
                continue;
            }
            int err = pageTest(vma.start(), vma.end(), vma);
            if (err > 0) {
                return 0;
            }
            if (err < 0) {
                return err;
            }
            err = vmaRange(s, e, vma);
            if (err != 0) {
                return err;
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------ per VMA

    /** {@code walk_page_test()}: >0 skip, <0 abort, 0 walk. */
    private int pageTest(long start, long end, VmArea vma) {
        if (has(Op.TEST_WALK)) {
            return cb.testWalk(start, end, vma);
        }
        if (vma.test(VmFlags.VM_PFNMAP)) {
            int err = hole(start, end, -1, vma);
            return err != 0 ? err : 1;
        }
        return 0;
    }

    private int vmaRange(long start, long end, VmArea vma) {
        if (has(Op.INSTALL) && vma.isHugetlb()) {
            return -Errno.EINVAL;
        }
        if (has(Op.PRE_VMA)) {
            int err = cb.preVma(start, end, vma);
            if (err != 0) {
                return err;
            }
        }
        int err = 0;
        if (vma.isHugetlb()) {
            if (has(Op.HUGETLB)) {
                err = scanHugetlb(start, end, vma);
            }
        } else {
            err = scanTables(start, end, vma);
        }
        if (has(Op.POST_VMA)) {
            cb.postVma(vma);
        }
        return err;
    }

    private int hole(long addr, long next, int depth, VmArea vma) {
        return has(Op.HOLE) ? cb.pteHole(addr, next, depth, vma) : 0;
    }

    // ------------------------------------------------------------------ table lookups by address

    /** The table holding the entries of {@code level} for {@code addr}, or null if one is missing. */
    private PageTable tableFor(long addr, int level) {
        PageTable t = mm.pgd();
        int l = PGD;
        while (l < level) {
            int lower = l + 1 == P4D && g.isFolded(P4D) ? PUD : l + 1; // the P4D entry is the PGD entry
            if (lower > level) {
                break;
            }
            t = t.table(g.index(l, addr));
            if (t == null) {
                return null;
            }
            l = lower;
        }
        return t;
    }

    private long entryAt(long addr, int level) {
        int l = level == P4D && g.isFolded(P4D) ? PGD : level;
        PageTable t = tableFor(addr, l);
        return t.get(g.index(l, addr));
    }

    private boolean isTable(long addr, int level) {
        int l = level == P4D && g.isFolded(P4D) ? PGD : level;
        return tableFor(addr, l).table(g.index(l, addr)) != null;
    }

    /** {@code p?d_addr_end()} with the folded P4D sharing its PGD's chunk. */
    private long chunkEnd(int level, long addr, long end) {
        return g.addrEnd(level == P4D && g.isFolded(P4D) ? PGD : level, addr, end);
    }

    /** The highest level whose chunk begins at the boundary {@code addr}. */
    private int firstLevelStartingAt(long addr) {
        for (int l = PGD; l < PTE; l++) {
            if ((addr & (g.size(l) - 1)) == 0) {
                return l;
            }
        }
        return PTE;
    }

    // ------------------------------------------------------------------ changes (install, split)

    /** Gives the none entry of {@code level} at {@code addr} a new empty table, or -ENOMEM. */
    private int alloc(long addr, int level) {
        int l = level == P4D && g.isFolded(P4D) ? PGD : level;
        PageTable parent = tableFor(addr, l);
        int lowerLevel = l == PGD && g.isFolded(P4D) ? PUD : l + 1;
        PageTable child = mm.allocTable(lowerLevel);
        if (child == null) {
            return -Errno.ENOMEM;
        }
        parent.setTable(g.index(l, addr), child);
        return 0;
    }

    private EntryPointer slot(long addr, int level) {
        return new EntryPointer(tableFor(addr, level), g.index(level, addr));
    }

    // ------------------------------------------------------------------ the flat scan

    /**
     * One loop over {@code [start, end)}: {@code level} is where processing of {@code addr} begins
     * (PGD at the start, else the highest level whose chunk starts there), each step either
     * descends one level at the same address, retries the same entry, or moves past the chunk it
     * handled.
     */
    private int scanTables(long start, long end, VmArea vma) {
        boolean install = has(Op.INSTALL);
        boolean belowPmd = has(Op.PTE);
        boolean belowPud = has(Op.PMD) || belowPmd;
        boolean belowP4d = has(Op.PUD) || belowPud;
        boolean belowPgd = has(Op.P4D) || belowP4d;
        long addr = start;
        int level = PGD;
        long ptesFrom = 0;
        boolean ptesAgain = false;
        long[] newPte = new long[1];
        for (;;) {
            long next = chunkEnd(level == PTE ? PMD : level, addr, end);
            boolean descend = false;
            int err = 0;
            switch (level) {
                case PGD, P4D -> {
                    long v = entryAt(addr, level);
                    // With a folded P4D, pgd_none() is constant false: holes are found a level down.
                    boolean none = level == PGD ? !g.isFolded(P4D) && Pgtable.pgd_none(v) : Pgtable.p4d_none(v);
                    if (none && install) {
                        err = alloc(addr, level);
                        v = err == 0 ? entryAt(addr, level) : v;
                        none = false;
                    } else if (none) {
                        err = hole(addr, next, level == PGD ? 0 : g.realDepth(P4D), vma);
                    }
                    if (err == 0 && !none) {
                        if (has(level == PGD ? Op.PGD : Op.P4D)) {
                            err = level == PGD ? cb.pgdEntry(v, addr, next, vma) : cb.p4dEntry(v, addr, next, vma);
                        }
                        descend = (level == PGD ? belowPgd : belowP4d) || install;
                    }
                }
                case PUD, PMD -> {
                    boolean pmdLevel = level == PMD;
                    long v = entryAt(addr, level);
                    boolean none = pmdLevel ? Pgtable.pmd_none(v) : Pgtable.pud_none(v);
                    if (none && !install) {
                        err = hole(addr, next, g.realDepth(level), vma);
                        break;
                    }
                    if (none) {
                        err = alloc(addr, level);
                        if (err != 0) {
                            break;
                        }
                        v = entryAt(addr, level);
                    }
                    PageWalkAction action = PageWalkAction.ACTION_SUBTREE;
                    if (has(pmdLevel ? Op.PMD : Op.PUD)) {
                        err = pmdLevel ? cb.pmdEntry(v, addr, next, vma) : cb.pudEntry(v, addr, next, vma);
                        action = actionOr(PageWalkAction.ACTION_SUBTREE);
                        if (cb.takeClear()) {
                            slot(addr, level).set(0);
                        }
                    }
                    if (err != 0 || action == PageWalkAction.ACTION_CONTINUE) {
                        break;
                    }
                    if (action == PageWalkAction.ACTION_AGAIN) {
                        continue; // the same entry again, from the none check
                    }
                    boolean hugePresent = pmdLevel ? Pgtable.pmd_present(v) && Pgtable.pmd_trans_huge(v)
                            : Pgtable.pud_present(v) && Pgtable.pud_trans_huge(v);
                    if (!(pmdLevel ? belowPmd : belowPud) && (!install || hugePresent)) {
                        break; // nothing below to call; installing never splits a present huge entry
                    }
                    if (vma != null) {
                        if (pmdLevel) {
                            HugeSplit.split_huge_pmd(vma, slot(addr, PMD), addr);
                        } else {
                            HugeSplit.split_huge_pud(vma, slot(addr, PUD), addr);
                        }
                    } else if (pmdLevel ? Pgtable.pmd_leaf(v) || !Pgtable.pmd_present(v)
                            : Pgtable.pud_leaf(v) || !Pgtable.pud_present(v)) {
                        break; // no-VMA walks never split or descend below leaves
                    }
                    if (!isTable(addr, level)) {
                        if (!Pgtable.pmd_none(entryAt(addr, level))) {
                            throw new IllegalStateException(String.format(
                                    "level %d entry at 0x%x is neither a table nor none after split", level, addr));
                        }
                        // Split to nothing (zapped): the walker retries the entry, now none.
                        continue;
                    }
                    descend = true;
                    if (pmdLevel) {
                        ptesFrom = addr;
                        ptesAgain = false;
                    }
                }
                default -> {
                    // One PTE. next is always addr + PAGE_SIZE; the run over this PMD's chunk ends
                    // once addr reaches its last page (so a partial last page is visited).
                    long v = entryAt(addr, PTE);
                    if (install && Pgtable.pte_none(v)) {
                        newPte[0] = 0;
                        err = cb.installPte(addr, addr + PAGE_SIZE, newPte, vma);
                        if (err == 0) {
                            slot(addr, PTE).set(newPte[0]);
                        }
                    } else if (has(Op.PTE)) {
                        err = cb.pteEntry(v, addr, addr + PAGE_SIZE, vma);
                        if (err == 0 && cb.takeAction() == PageWalkAction.ACTION_AGAIN) {
                            ptesAgain = true;
                        }
                    }
                    // else: an install-only walk leaves an existing PTE alone (the kernel would
                    // call a NULL pte_entry; the model's deviation, CONFORMANCE.md).
                    if (err != 0) {
                        return err;
                    }
                    if (below(addr, next - PAGE_SIZE)) {
                        addr += PAGE_SIZE;
                        continue;
                    }
                    if (ptesAgain) {
                        // The whole PMD chunk is walked again, pmd_entry included.
                        addr = ptesFrom;
                        level = PMD;
                        continue;
                    }
                }
            }
            if (err != 0) {
                return err;
            }
            if (descend) {
                level++;
                continue;
            }
            if (next == end) {
                return 0;
            }
            addr = next;
            level = firstLevelStartingAt(addr);
        }
    }

    private PageWalkAction actionOr(PageWalkAction dflt) {
        PageWalkAction a = cb.takeAction();
        return a == null ? dflt : a;
    }

    // ------------------------------------------------------------------ hugetlb

    /** One {@code hugetlb_entry} per huge page (part of one at the ends), or a -1 hole where tables are missing. */
    private int scanHugetlb(long start, long end, VmArea vma) {
        long sz = vma.pageSize();
        long hmask = ~(sz - 1);
        int hugeLevel = sz == PagingGeometry.PUD_SIZE ? PUD : PMD;
        for (long addr = start; addr != end;) {
            long boundary = (addr & hmask) + sz;
            long next = below(boundary, end) ? boundary : end;
            long base = addr & hmask;
            int err;
            PageTable t = tableFor(base, hugeLevel);
            if (t != null && hugePathPresent(base, hugeLevel)) {
                err = cb.hugetlbEntry(t.get(g.index(hugeLevel, base)), hmask, addr, next, vma);
            } else {
                err = hole(addr, next, -1, vma);
            }
            if (err != 0) {
                return err;
            }
            addr = next;
        }
        return 0;
    }

    /** {@code hugetlb_walk()} returns NULL unless the entries above the huge level are present. */
    private boolean hugePathPresent(long addr, int hugeLevel) {
        for (int l = g.isFolded(P4D) ? P4D : PGD; l < hugeLevel; l++) {
            if (!Pgtable.pgd_present(entryAt(addr, l))) {
                return false;
            }
        }
        return true;
    }
}
