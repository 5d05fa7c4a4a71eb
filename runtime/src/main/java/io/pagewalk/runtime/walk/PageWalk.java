package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.pgtable.PagingGeometry.P4D;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PAGE_SHIFT;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PAGE_SIZE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PGD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PTE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PUD;
import static io.pagewalk.runtime.pgtable.Pgtable.p4d_bad;
import static io.pagewalk.runtime.pgtable.Pgtable.p4d_none;
import static io.pagewalk.runtime.pgtable.Pgtable.p4d_present;
import static io.pagewalk.runtime.pgtable.Pgtable.pgd_present;
import static io.pagewalk.runtime.pgtable.Pgtable.pgd_bad;
import static io.pagewalk.runtime.pgtable.Pgtable.pgd_none;
import static io.pagewalk.runtime.pgtable.Pgtable.pmd_leaf;
import static io.pagewalk.runtime.pgtable.Pgtable.pmd_none;
import static io.pagewalk.runtime.pgtable.Pgtable.pmd_present;
import static io.pagewalk.runtime.pgtable.Pgtable.pmd_trans_huge;
import static io.pagewalk.runtime.pgtable.Pgtable.pte_none;
import static io.pagewalk.runtime.pgtable.Pgtable.pud_leaf;
import static io.pagewalk.runtime.pgtable.Pgtable.pud_none;
import static io.pagewalk.runtime.pgtable.Pgtable.pud_present;
import static io.pagewalk.runtime.pgtable.Pgtable.pud_trans_huge;
import static io.pagewalk.runtime.walk.PageWalkAction.ACTION_AGAIN;
import static io.pagewalk.runtime.walk.PageWalkAction.ACTION_CONTINUE;
import static io.pagewalk.runtime.walk.PageWalkAction.ACTION_SUBTREE;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.HugeSplit;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;

/**
 * The page walker of {@code mm/pagewalk.c} (Linux 6.13 to 6.18): the entry points of
 * {@code include/linux/pagewalk.h} and one function per level, with the kernel's loop shape at
 * every level.
 *
 * <p>Addresses are unsigned 64-bit values held in {@code long}: every comparison is unsigned, and
 * {@code end} may be {@code -1} (the top of the address space). Nothing checks page alignment,
 * because the kernel does not.
 *
 * <p>Deviations, all listed in runtime/CONFORMANCE.md with the test of every rule: where the kernel
 * would loop for ever on a callback that always asks for {@link PageWalkAction#ACTION_AGAIN}, the
 * walk gives up after {@link #MAX_AGAIN_RETRIES} retries of the same entry and returns
 * {@code -ELOOP}; {@code install_pte} ops without {@code pte_entry} leave existing PTEs alone (the
 * kernel would call NULL); a PUD that is neither none, huge nor a table is skipped.
 */
public final class PageWalk {
    private PageWalk() {}

    /** Consecutive ACTION_AGAIN retries of one entry before the walk returns -ELOOP. */
    public static final int MAX_AGAIN_RETRIES = 1 << 16;

    // ---------------------------------------------------------------- PTE level

    /** {@code walk_pte_range_inner()}: every PTE of {@code [addr, end)}, none ones included. */
    private static int walkPteRangeInner(EntryPointer pte, long addr, long end, MmWalk walk) {
        MmWalkOps ops = walk.ops();
        if (ops.installPte == null && ops.pteBatch != null) {
            return ops.pteBatch.call(pte, addr, ptesInRange(addr, end), walk);
        }
        int err = 0;
        for (;;) {
            if (ops.installPte != null && pte_none(pte.get())) {
                EntryPointer newPte = walk.installSlot();
                newPte.set(0);
                err = ops.installPte.call(addr, addr + PAGE_SIZE, newPte, walk);
                if (err != 0) {
                    break;
                }
                pte.set(newPte.get());
            } else if (ops.pteEntry != null) {
                err = ops.pteEntry.call(pte, addr, addr + PAGE_SIZE, walk);
                if (err != 0) {
                    break;
                }
            } else if (ops.pteBatch != null) {
                err = ops.pteBatch.call(pte, addr, 1, walk);
                if (err != 0) {
                    break;
                }
            }
            // else: install_pte without pte_entry met an existing PTE. The kernel would call a
            // NULL pointer here; the model leaves the PTE alone (see CONFORMANCE.md).
            if (Long.compareUnsigned(addr, end - PAGE_SIZE) >= 0) {
                break;
            }
            addr += PAGE_SIZE;
            pte.next();
        }
        return err;
    }

    /** How many PTEs {@link #walkPteRangeInner} visits: at least one, and a partial last page. */
    static int ptesInRange(long addr, long end) {
        long last = end - PAGE_SIZE;
        if (Long.compareUnsigned(addr, last) >= 0) {
            return 1;
        }
        return 1 + (int) Long.divideUnsigned(last - addr + PAGE_SIZE - 1, PAGE_SIZE);
    }

    /**
     * {@code walk_pte_range()}: maps the PTE table (and, for VMA walks, takes its lock). When the
     * PMD is no longer a page table ({@code pte_offset_map_lock()} returning NULL: it became none,
     * huge or a migration entry) the walker itself asks for ACTION_AGAIN.
     */
    private static int walkPteRange(EntryPointer pmd, long addr, long end, MmWalk walk) {
        PagingGeometry g = walk.mm().geometry();
        PageTable table = pmd.lowerTable();
        int err = 0;
        if (table != null) {
            EntryPointer pte = walk.pointers[PTE].point(table, g.index(PTE, addr));
            if (walk.noVma()) {
                err = walkPteRangeInner(pte, addr, end, walk);
            } else {
                table.ptlLock();
                try {
                    err = walkPteRangeInner(pte, addr, end, walk);
                } finally {
                    table.ptlUnlock();
                }
            }
        } else {
            walk.setAction(ACTION_AGAIN);
        }
        return err;
    }

    // ---------------------------------------------------------------- PMD level

    private static int walkPmdRange(EntryPointer pud, long addr, long end, MmWalk walk) {
        MmWalkOps ops = walk.ops();
        PagingGeometry g = walk.mm().geometry();
        boolean hasHandler = ops.hasPteHandler();
        boolean hasInstall = ops.installPte != null;
        int depth = g.realDepth(PMD);
        int err = 0;
        PageTable pmdTable = pud.lowerTable();
        if (pmdTable == null) {
            // A PUD that is neither none, huge nor a table (no such entry exists on x86). 6.18
            // would read a PMD table that is not there and 7.0 retries at PUD level; the model has
            // nothing to read and skips the range.
            return 0;
        }
        EntryPointer pmd = walk.pointers[PMD].point(pmdTable, g.index(PMD, addr));
        do {
            long next;
            int retries = 0;
            again:
            for (;;) {
                next = g.addrEnd(PMD, addr, end);
                if (pmd_none(pmd.get())) {
                    if (hasInstall) {
                        err = pteAlloc(walk.mm(), pmd);
                    } else if (ops.pteHole != null) {
                        err = ops.pteHole.call(addr, next, depth, walk);
                    }
                    if (err != 0 || !hasInstall) {
                        break;
                    }
                }

                walk.setAction(ACTION_SUBTREE);
                // Every pmd_entry must handle pmd_trans_huge() PMDs itself.
                if (ops.pmdEntry != null) {
                    err = ops.pmdEntry.call(pmd, addr, next, walk);
                }
                if (err != 0) {
                    break;
                }
                if (walk.action() == ACTION_AGAIN) {
                    if (++retries > MAX_AGAIN_RETRIES) {
                        return -Errno.ELOOP;
                    }
                    continue again;
                }
                if (walk.action() == ACTION_CONTINUE) {
                    break;
                }
                if (!hasHandler) {
                    if (!hasInstall) {
                        break;
                    }
                    // Only installing: no need to split a present huge page.
                    if (pmd_present(pmd.get()) && pmd_trans_huge(pmd.get())) {
                        break;
                    }
                }
                if (walk.vma() != null) {
                    HugeSplit.split_huge_pmd(walk.vma(), pmd, addr);
                } else if (pmd_leaf(pmd.get()) || !pmd_present(pmd.get())) {
                    break;
                }
                err = walkPteRange(pmd, addr, next, walk);
                if (err != 0) {
                    break;
                }
                // Set by the walker when the PTE table went away, or by a pte_entry: the whole
                // PMD range is walked again.
                if (walk.action() == ACTION_AGAIN) {
                    if (++retries > MAX_AGAIN_RETRIES) {
                        return -Errno.ELOOP;
                    }
                    continue again;
                }
                break;
            }
            if (err != 0) {
                break;
            }
            pmd.next();
            addr = next;
        } while (addr != end);
        return err;
    }

    // ---------------------------------------------------------------- PUD level

    private static int walkPudRange(EntryPointer p4d, long addr, long end, MmWalk walk) {
        MmWalkOps ops = walk.ops();
        PagingGeometry g = walk.mm().geometry();
        boolean hasHandler = ops.pmdEntry != null || ops.hasPteHandler();
        boolean hasInstall = ops.installPte != null;
        int depth = g.realDepth(PUD);
        int err = 0;
        EntryPointer pud = walk.pointers[PUD].point(p4d.lowerTable(), g.index(PUD, addr));
        do {
            long next;
            int retries = 0;
            again:
            for (;;) {
                next = g.addrEnd(PUD, addr, end);
                if (pud_none(pud.get())) {
                    if (hasInstall) {
                        err = tableAlloc(walk.mm(), pud, PMD);
                    } else if (ops.pteHole != null) {
                        err = ops.pteHole.call(addr, next, depth, walk);
                    }
                    if (err != 0 || !hasInstall) {
                        break;
                    }
                }

                walk.setAction(ACTION_SUBTREE);
                if (ops.pudEntry != null) {
                    err = ops.pudEntry.call(pud, addr, next, walk);
                }
                if (err != 0) {
                    break;
                }
                if (walk.action() == ACTION_AGAIN) {
                    if (++retries > MAX_AGAIN_RETRIES) {
                        return -Errno.ELOOP;
                    }
                    continue again;
                }
                if (walk.action() == ACTION_CONTINUE) {
                    break;
                }
                if (!hasHandler) {
                    if (!hasInstall) {
                        break;
                    }
                    if (pud_present(pud.get()) && pud_trans_huge(pud.get())) {
                        break;
                    }
                }
                if (walk.vma() != null) {
                    HugeSplit.split_huge_pud(walk.vma(), pud, addr);
                } else if (pud_leaf(pud.get()) || !pud_present(pud.get())) {
                    break;
                }
                if (pud_none(pud.get())) {
                    if (++retries > MAX_AGAIN_RETRIES) {
                        return -Errno.ELOOP;
                    }
                    continue again;
                }
                err = walkPmdRange(pud, addr, next, walk);
                break;
            }
            if (err != 0) {
                break;
            }
            pud.next();
            addr = next;
        } while (addr != end);
        return err;
    }

    // ---------------------------------------------------------------- P4D level

    /** {@code p4d_none_or_clear_bad()}: a bad entry is cleared and then reads as a hole. */
    private static boolean p4dNoneOrClearBad(EntryPointer p4d) {
        long v = p4d.get();
        if (p4d_none(v)) {
            return true;
        }
        if (p4d_bad(v)) {
            p4d.set(0);
            return true;
        }
        return false;
    }

    private static int walkP4dRange(EntryPointer pgd, long addr, long end, MmWalk walk) {
        MmWalkOps ops = walk.ops();
        PagingGeometry g = walk.mm().geometry();
        boolean hasHandler = ops.pudEntry != null || ops.pmdEntry != null || ops.hasPteHandler();
        boolean hasInstall = ops.installPte != null;
        int depth = g.realDepth(P4D);
        int err = 0;
        // p4d_offset(): with a folded P4D the PGD entry is the P4D entry.
        EntryPointer p4d = g.isFolded(P4D)
                ? walk.pointers[P4D].point(pgd.table(), pgd.index())
                : walk.pointers[P4D].point(pgd.lowerTable(), g.index(P4D, addr));
        do {
            long next = g.isFolded(P4D) ? end : g.addrEnd(P4D, addr, end);
            if (p4dNoneOrClearBad(p4d)) {
                if (hasInstall) {
                    err = tableAlloc(walk.mm(), p4d, PUD);
                } else if (ops.pteHole != null) {
                    err = ops.pteHole.call(addr, next, depth, walk);
                }
                if (err != 0) {
                    break;
                }
                if (!hasInstall) {
                    p4d.next();
                    addr = next;
                    continue;
                }
            }
            if (ops.p4dEntry != null) {
                err = ops.p4dEntry.call(p4d, addr, next, walk);
                if (err != 0) {
                    break;
                }
            }
            if (hasHandler || hasInstall) {
                err = walkPudRange(p4d, addr, next, walk);
            }
            if (err != 0) {
                break;
            }
            p4d.next();
            addr = next;
        } while (addr != end);
        return err;
    }

    // ---------------------------------------------------------------- PGD level

    /**
     * {@code pgd_none_or_clear_bad()}. With a folded P4D, x86-64 defines {@code pgd_none()} and
     * {@code pgd_bad()} as constant false: every slot is "present" at this level and the hole is
     * found one level down.
     */
    private static boolean pgdNoneOrClearBad(PagingGeometry g, EntryPointer pgd) {
        if (g.isFolded(P4D)) {
            return false;
        }
        long v = pgd.get();
        if (pgd_none(v)) {
            return true;
        }
        if (pgd_bad(v)) {
            pgd.set(0);
            return true;
        }
        return false;
    }

    static int walkPgdRange(long addr, long end, MmWalk walk) {
        MmWalkOps ops = walk.ops();
        PagingGeometry g = walk.mm().geometry();
        boolean hasHandler = ops.p4dEntry != null || ops.pudEntry != null || ops.pmdEntry != null
                || ops.hasPteHandler();
        boolean hasInstall = ops.installPte != null;
        int err = 0;
        PageTable root = walk.pgd() != null ? walk.pgd() : walk.mm().pgd();
        EntryPointer pgd = walk.pointers[PGD].point(root, g.index(PGD, addr));
        do {
            long next = g.addrEnd(PGD, addr, end);
            if (pgdNoneOrClearBad(g, pgd)) {
                if (hasInstall) {
                    err = tableAlloc(walk.mm(), pgd, P4D);
                } else if (ops.pteHole != null) {
                    err = ops.pteHole.call(addr, next, 0, walk);
                }
                if (err != 0) {
                    break;
                }
                if (!hasInstall) {
                    advance(pgd);
                    addr = next;
                    continue;
                }
            }
            if (ops.pgdEntry != null) {
                err = ops.pgdEntry.call(pgd, addr, next, walk);
                if (err != 0) {
                    break;
                }
            }
            if (hasHandler || hasInstall) {
                err = walkP4dRange(pgd, addr, next, walk);
            }
            if (err != 0) {
                break;
            }
            advance(pgd);
            addr = next;
        } while (addr != end);
        return err;
    }

    /** {@code pgd++}: the PGD index wraps, as {@code pgd_index()} of the next address does. */
    private static void advance(EntryPointer pgd) {
        pgd.point(pgd.table(), (pgd.index() + 1) & (PagingGeometry.PTRS_PER_TABLE - 1));
    }

    // ---------------------------------------------------------------- table allocation (install_pte)

    /** {@code __pte_alloc()}. */
    private static int pteAlloc(MmStruct mm, EntryPointer pmd) {
        return tableAlloc(mm, pmd, PTE);
    }

    /**
     * {@code __p4d_alloc()}/{@code __pud_alloc()}/{@code __pmd_alloc()}/{@code __pte_alloc()}:
     * gives the empty slot a new table of {@code level}, or -ENOMEM.
     */
    private static int tableAlloc(MmStruct mm, EntryPointer slot, int level) {
        if (!pte_none(slot.get())) {
            return 0;
        }
        PageTable table = mm.allocTable(level);
        if (table == null) {
            return -Errno.ENOMEM;
        }
        slot.table().setTable(slot.index(), table);
        return 0;
    }

    // ---------------------------------------------------------------- hugetlb

    /**
     * {@code hugetlb_walk()}: the huge entry for {@code addr}, or null when the tables down to the
     * huge level are not there. An existing but none entry is returned (callers check it).
     */
    static EntryPointer hugetlbWalk(MmWalk walk, VmArea vma, long addr, long size) {
        MmStruct mm = vma.mm();
        PagingGeometry g = mm.geometry();
        EntryPointer pgd = walk.pointers[PGD].point(mm.pgd(), g.index(PGD, addr));
        if (!g.isFolded(P4D) && !pgd_present(pgd.get())) {
            return null;
        }
        EntryPointer p4d = g.isFolded(P4D) ? walk.pointers[P4D].point(pgd.table(), pgd.index())
                : walk.pointers[P4D].point(pgd.lowerTable(), g.index(P4D, addr));
        if (!p4d_present(p4d.get()) || p4d.lowerTable() == null) {
            return null;
        }
        EntryPointer pud = walk.pointers[PUD].point(p4d.lowerTable(), g.index(PUD, addr));
        if (size == PagingGeometry.PUD_SIZE) {
            return pud;
        }
        if (!pud_present(pud.get()) || pud.lowerTable() == null) {
            return null;
        }
        return walk.pointers[PMD].point(pud.lowerTable(), g.index(PMD, addr));
    }

    private static int walkHugetlbRange(long addr, long end, MmWalk walk) {
        VmArea vma = walk.vma();
        MmWalkOps ops = walk.ops();
        long sz = vma.pageSize();
        long hmask = ~(sz - 1);
        int err = 0;
        vma.hugetlbVmaLockRead();
        try {
            do {
                long boundary = (addr & hmask) + sz;
                long next = Long.compareUnsigned(boundary, end) < 0 ? boundary : end;
                EntryPointer pte = hugetlbWalk(walk, vma, addr & hmask, sz);
                if (pte != null) {
                    err = ops.hugetlbEntry.call(pte, hmask, addr, next, walk);
                } else if (ops.pteHole != null) {
                    err = ops.pteHole.call(addr, next, -1, walk);
                }
                if (err != 0) {
                    break;
                }
                addr = next;
            } while (addr != end);
        } finally {
            vma.hugetlbVmaUnlockRead();
        }
        return err;
    }

    // ---------------------------------------------------------------- per VMA

    /**
     * {@code walk_page_test()}: 0 walks the VMA, positive skips it, negative aborts. Without a
     * {@code test_walk}, VM_PFNMAP VMAs are not walked; their range goes to {@code pte_hole(-1)}
     * with the VMA set.
     */
    private static int walkPageTest(long start, long end, MmWalk walk) {
        VmArea vma = walk.vma();
        MmWalkOps ops = walk.ops();
        if (ops.testWalk != null) {
            return ops.testWalk.call(start, end, walk);
        }
        if (vma.test(VmFlags.VM_PFNMAP)) {
            int err = 1;
            if (ops.pteHole != null) {
                err = ops.pteHole.call(start, end, -1, walk);
            }
            return err != 0 ? err : 1;
        }
        return 0;
    }

    /**
     * {@code __walk_page_range()}. Note that {@code post_vma} runs whenever {@code pre_vma}
     * succeeded, even after a failed table walk (the header says otherwise; the code wins).
     */
    private static int walkVmaRange(long start, long end, MmWalk walk) {
        VmArea vma = walk.vma();
        MmWalkOps ops = walk.ops();
        boolean isHugetlb = vma.isHugetlb();
        int err = 0;
        if (ops.installPte != null && isHugetlb) {
            return -Errno.EINVAL;
        }
        if (ops.preVma != null) {
            err = ops.preVma.call(start, end, walk);
            if (err != 0) {
                return err;
            }
        }
        if (isHugetlb) {
            if (ops.hugetlbEntry != null) {
                err = walkHugetlbRange(start, end, walk);
            }
        } else {
            err = walkPgdRange(start, end, walk);
        }
        if (ops.postVma != null) {
            ops.postVma.call(walk);
        }
        return err;
    }

    private static void processMmWalkLock(MmStruct mm, PageWalkLock walkLock) {
        if (walkLock == PageWalkLock.PGWALK_RDLOCK) {
            mm.mmapLock().assertLocked();
        } else if (walkLock != PageWalkLock.PGWALK_VMA_RDLOCK_VERIFY) {
            mm.mmapLock().assertWriteLocked();
        }
    }

    private static void processVmaWalkLock(VmArea vma, PageWalkLock walkLock) {
        switch (walkLock) {
            case PGWALK_WRLOCK -> vma.vmaStartWrite();
            case PGWALK_WRLOCK_VERIFY -> vma.vmaAssertWriteLocked();
            case PGWALK_VMA_RDLOCK_VERIFY -> vma.vmaAssertLocked();
            case PGWALK_RDLOCK -> {
                // Asserted once for the mm.
            }
        }
    }

    /** {@code check_ops_valid()}: only mm-internal callers may install PTEs. */
    private static boolean checkOpsValid(MmWalkOps ops) {
        return ops.installPte == null;
    }

    // ---------------------------------------------------------------- entry points

    /**
     * {@code walk_page_range_mm()} (mm/internal.h): the VMA loop, and the only entry point that
     * accepts {@code install_pte}. Gaps between VMAs go to {@code pte_hole(-1)} with no VMA set.
     */
    public static int walkPageRangeMm(MmStruct mm, long start, long end, MmWalkOps ops, Object privateData) {
        if (Long.compareUnsigned(start, end) >= 0) {
            return -Errno.EINVAL;
        }
        if (mm == null) {
            return -Errno.EINVAL;
        }
        MmWalk walk = new MmWalk(ops, mm, null, null, false, privateData);
        processMmWalkLock(mm, ops.walkLock);

        int err = 0;
        long next;
        VmArea vma = mm.findVma(start);
        do {
            if (vma == null) {
                walk.setVma(null);
                next = end;
                if (ops.pteHole != null) {
                    err = ops.pteHole.call(start, next, -1, walk);
                }
            } else if (Long.compareUnsigned(start, vma.start()) < 0) {
                walk.setVma(null);
                next = minUnsigned(end, vma.start());
                if (ops.pteHole != null) {
                    err = ops.pteHole.call(start, next, -1, walk);
                }
            } else {
                processVmaWalkLock(vma, ops.walkLock);
                walk.setVma(vma);
                next = minUnsigned(end, vma.end());
                // The next VMA is found before this one is walked: callbacks that change the tree
                // are not seen by this loop (the kernel relies on mmap_lock for that).
                vma = mm.findVma(vma.end());

                err = walkPageTest(start, next, walk);
                if (err > 0) {
                    // Positive test results only steer the walk; they never reach the caller.
                    err = 0;
                    start = next;
                    continue;
                }
                if (err < 0) {
                    break;
                }
                err = walkVmaRange(start, next, walk);
            }
            if (err != 0) {
                break;
            }
            start = next;
        } while (Long.compareUnsigned(start, end) < 0);
        return err;
    }

    /** {@code walk_page_range()}: the public form; -EINVAL for ops with {@code install_pte}. */
    public static int walkPageRange(MmStruct mm, long start, long end, MmWalkOps ops, Object privateData) {
        if (!checkOpsValid(ops)) {
            return -Errno.EINVAL;
        }
        return walkPageRangeMm(mm, start, end, ops, privateData);
    }

    /**
     * {@code walk_page_range_novma()}: walks page tables with no regard to VMAs ({@code walk->vma}
     * stays null, nothing is split, leaf and non-present PUDs/PMDs are not descended, PTEs are
     * visited without the page-table lock), from {@code pgd} if given, else from {@code mm->pgd}.
     * Needs the mmap lock for write.
     */
    public static int walkPageRangeNovma(MmStruct mm, long start, long end, MmWalkOps ops, PageTable pgd,
            Object privateData) {
        if (Long.compareUnsigned(start, end) >= 0 || mm == null) {
            return -Errno.EINVAL;
        }
        if (!checkOpsValid(ops)) {
            return -Errno.EINVAL;
        }
        mm.mmapLock().assertWriteLocked();
        MmWalk walk = new MmWalk(ops, mm, pgd, null, true, privateData);
        return walkPgdRange(start, end, walk);
    }

    /**
     * {@code walk_kernel_page_table_range()} (6.16+): a no_vma walk of the kernel's page tables.
     * The model has no global {@code init_mm}: the caller passes the mm standing for it, whose
     * mmap lock (read or write) must be held.
     */
    public static int walkKernelPageTableRange(MmStruct initMm, long start, long end, MmWalkOps ops,
            PageTable pgd, Object privateData) {
        initMm.mmapLock().assertLocked();
        return walkKernelPageTableRangeLockless(initMm, start, end, ops, pgd, privateData);
    }

    /**
     * {@code walk_kernel_page_table_range_lockless()}: as {@link #walkKernelPageTableRange} with no
     * lock assertion at all (the caller owns the range exclusively).
     */
    public static int walkKernelPageTableRangeLockless(MmStruct initMm, long start, long end, MmWalkOps ops,
            PageTable pgd, Object privateData) {
        if (Long.compareUnsigned(start, end) >= 0) {
            return -Errno.EINVAL;
        }
        if (!checkOpsValid(ops)) {
            return -Errno.EINVAL;
        }
        MmWalk walk = new MmWalk(ops, initMm, pgd, null, true, privateData);
        return walkPgdRange(start, end, walk);
    }

    /**
     * {@code walk_page_range_vma()}: {@code [start, end)} inside one VMA. No {@code test_walk},
     * so VM_PFNMAP VMAs are walked.
     */
    public static int walkPageRangeVma(VmArea vma, long start, long end, MmWalkOps ops, Object privateData) {
        if (!checkOpsValid(ops)) {
            return -Errno.EINVAL;
        }
        return walkPageRangeVmaUnsafe(vma, start, end, ops, privateData);
    }

    /** The mm-internal form of {@link #walkPageRangeVma} that accepts {@code install_pte}. */
    public static int walkPageRangeVmaUnsafe(VmArea vma, long start, long end, MmWalkOps ops,
            Object privateData) {
        MmStruct mm = vma.mm();
        if (Long.compareUnsigned(start, end) >= 0 || mm == null) {
            return -Errno.EINVAL;
        }
        if (Long.compareUnsigned(start, vma.start()) < 0 || Long.compareUnsigned(end, vma.end()) > 0) {
            return -Errno.EINVAL;
        }
        MmWalk walk = new MmWalk(ops, mm, null, vma, false, privateData);
        processMmWalkLock(mm, ops.walkLock);
        processVmaWalkLock(vma, ops.walkLock);
        return walkVmaRange(start, end, walk);
    }

    /** {@code walk_page_vma()}: the whole VMA, no {@code test_walk}. */
    public static int walkPageVma(VmArea vma, MmWalkOps ops, Object privateData) {
        MmStruct mm = vma.mm();
        if (mm == null) {
            return -Errno.EINVAL;
        }
        if (!checkOpsValid(ops)) {
            return -Errno.EINVAL;
        }
        MmWalk walk = new MmWalk(ops, mm, null, vma, false, privateData);
        processMmWalkLock(mm, ops.walkLock);
        processVmaWalkLock(vma, ops.walkLock);
        return walkVmaRange(vma.start(), vma.end(), walk);
    }

    /**
     * {@code walk_page_mapping()}: every VMA (of any mm) mapping file pages
     * {@code [firstIndex, firstIndex + nr)}, each clipped to those pages. {@code test_walk} sees
     * the whole VMA, and a positive result ends the whole walk with 0. Asserts only
     * {@code i_mmap_rwsem}; no {@code walk_lock} handling, no gap holes.
     */
    public static int walkPageMapping(AddressSpace mapping, long firstIndex, long nr, MmWalkOps ops,
            Object privateData) {
        if (!checkOpsValid(ops)) {
            return -Errno.EINVAL;
        }
        mapping.assertIMmapLocked();
        MmWalk walk = new MmWalk(ops, null, null, null, false, privateData);
        long lastIndex = firstIndex + nr - 1;
        int err = 0;
        for (VmArea vma : java.util.List.copyOf(mapping.iMmap())) {
            long vba = vma.pgoff();
            long vea = vba + vma.pages();
            // vma_interval_tree_foreach(): VMAs whose page range meets [first, last].
            if (Long.compareUnsigned(vea - 1, firstIndex) < 0 || Long.compareUnsigned(vba, lastIndex) > 0) {
                continue;
            }
            long cba = maxUnsigned(firstIndex, vba);
            long cea = minUnsigned(firstIndex + nr, vea);
            long startAddr = ((cba - vba) << PAGE_SHIFT) + vma.start();
            long endAddr = ((cea - vba) << PAGE_SHIFT) + vma.start();
            if (Long.compareUnsigned(startAddr, endAddr) >= 0) {
                continue;
            }
            walk.setVma(vma);
            walk.setMm(vma.mm());
            err = walkPageTest(vma.start(), vma.end(), walk);
            if (err > 0) {
                err = 0;
                break;
            } else if (err < 0) {
                break;
            }
            err = walkVmaRange(startAddr, endAddr, walk);
            if (err != 0) {
                break;
            }
        }
        return err;
    }

    static long minUnsigned(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    static long maxUnsigned(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }
}
