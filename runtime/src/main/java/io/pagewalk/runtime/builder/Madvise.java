package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.builder.SyntheticProcess.*;
import static io.pagewalk.runtime.pgtable.Pgtable.*;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.Memory;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Swapops;

/**
 * {@code madvise(2)} ({@code mm/madvise.c}): the argument checks, the VMA walk that skips holes
 * and reports ENOMEM at the end, and each advice's effect on VMAs, entries and folios.
 */
final class Madvise {
    private final SyntheticProcess proc;
    private final MmStruct mm;
    private final MemMap mem;

    Madvise(SyntheticProcess proc) {
        this.proc = proc;
        this.mm = proc.mm();
        this.mem = proc.memMap();
    }

    int madvise(long start, long lenIn, int advice) {
        if (!known(advice)) {
            throw new SyscallException(Errno.EINVAL, "madvise: unknown advice " + advice);
        }
        if ((start & ~PagingGeometry.PAGE_MASK) != 0) {
            throw new SyscallException(Errno.EINVAL, String.format("madvise: address 0x%x is not page aligned", start));
        }
        long len = pageAlign(lenIn);
        long end = start + len;
        if ((lenIn != 0 && len == 0) || Long.compareUnsigned(end, start) < 0) {
            throw new SyscallException(Errno.EINVAL, String.format("madvise: bad range 0x%x+0x%x", start, lenIn));
        }
        if (end == start) {
            return 0;
        }
        boolean hole = false;
        long addr = start;
        while (true) {
            VmArea vma = mm.findVma(addr);
            if (vma == null) {
                throw new SyscallException(Errno.ENOMEM, String.format("madvise: 0x%x is not mapped", addr));
            }
            if (Long.compareUnsigned(addr, vma.start()) < 0) {
                hole = true;
                addr = vma.start();
                if (Long.compareUnsigned(addr, end) >= 0) {
                    break;
                }
            }
            long e = Math.min(vma.end(), end);
            apply(vma, addr, e, advice);
            addr = e;
            if (Long.compareUnsigned(addr, end) >= 0) {
                break;
            }
        }
        if (hole) {
            throw new SyscallException(Errno.ENOMEM, String.format("madvise: part of 0x%x-0x%x is not mapped", start, end));
        }
        return 0;
    }

    private static boolean known(int advice) {
        return switch (advice) {
            case MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE,
                 MADV_DONTFORK, MADV_DOFORK, MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK,
                 MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_COLD, MADV_PAGEOUT, MADV_COLLAPSE, MADV_GUARD_INSTALL,
                 MADV_GUARD_REMOVE, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
                 MADV_DONTNEED_LOCKED, MADV_REMOVE -> true;
            case MADV_HWPOISON, MADV_SOFT_OFFLINE ->
                throw new IllegalArgumentException("madvise advice " + advice + " (memory failure) is not modelled");
            default -> false;
        };
    }

    private void apply(VmArea vma, long start, long end, int advice) {
        long f = vma.flags();
        switch (advice) {
            case MADV_NORMAL -> update(vma, start, end, f & ~(VmFlags.VM_SEQ_READ | VmFlags.VM_RAND_READ));
            case MADV_RANDOM -> update(vma, start, end, (f & ~VmFlags.VM_SEQ_READ) | VmFlags.VM_RAND_READ);
            case MADV_SEQUENTIAL -> update(vma, start, end, (f & ~VmFlags.VM_RAND_READ) | VmFlags.VM_SEQ_READ);
            case MADV_DONTFORK -> update(vma, start, end, f | VmFlags.VM_DONTCOPY);
            case MADV_DOFORK -> {
                if ((f & VmFlags.VM_IO) != 0) {
                    throw invalid(vma, advice);
                }
                update(vma, start, end, f & ~VmFlags.VM_DONTCOPY);
            }
            case MADV_WIPEONFORK -> {
                if (vma.file() != null || (f & VmFlags.VM_SHARED) != 0) {
                    throw invalid(vma, advice);
                }
                update(vma, start, end, f | VmFlags.VM_WIPEONFORK);
            }
            case MADV_KEEPONFORK -> update(vma, start, end, f & ~VmFlags.VM_WIPEONFORK);
            case MADV_DONTDUMP -> update(vma, start, end, f | VmFlags.VM_DONTDUMP);
            case MADV_DODUMP -> {
                if (!vma.isHugetlb() && (f & VmFlags.VM_SPECIAL) != 0) {
                    throw invalid(vma, advice);
                }
                update(vma, start, end, f & ~VmFlags.VM_DONTDUMP);
            }
            case MADV_HUGEPAGE -> update(vma, start, end, (f & ~VmFlags.VM_NOHUGEPAGE) | VmFlags.VM_HUGEPAGE);
            case MADV_NOHUGEPAGE -> update(vma, start, end, (f & ~VmFlags.VM_HUGEPAGE) | VmFlags.VM_NOHUGEPAGE);
            case MADV_WILLNEED -> {
                // Readahead: every file page of the model is already cached; nothing to show.
            }
            case MADV_DONTNEED -> dontneed(vma, start, end, false);
            case MADV_DONTNEED_LOCKED -> dontneed(vma, start, end, true);
            case MADV_MERGEABLE -> {
                // ksm_madvise(): incompatible VMAs ignore the advice; merging itself is not modelled.
                long incompatible = VmFlags.VM_MERGEABLE | VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE | VmFlags.VM_SPECIAL
                        | VmFlags.VM_HUGETLB | VmFlags.VM_DROPPABLE;
                if ((f & incompatible) == 0) {
                    update(vma, start, end, f | VmFlags.VM_MERGEABLE);
                }
            }
            case MADV_UNMERGEABLE -> update(vma, start, end, f & ~VmFlags.VM_MERGEABLE);
            case MADV_POPULATE_READ, MADV_POPULATE_WRITE -> populate(vma, start, end, advice == MADV_POPULATE_WRITE);
            case MADV_REMOVE -> remove(vma, start, end);
            case MADV_FREE -> free(vma, start, end);
            case MADV_COLD -> cold(vma, start, end, advice, false);
            case MADV_PAGEOUT -> cold(vma, start, end, advice, true);
            case MADV_COLLAPSE -> collapse(vma, start, end);
            case MADV_GUARD_INSTALL -> guardInstall(vma, start, end);
            case MADV_GUARD_REMOVE -> guardRemove(vma, start, end);
            default -> throw new IllegalStateException("advice " + advice);
        }
    }

    private static SyscallException invalid(VmArea vma, int advice) {
        return new SyscallException(Errno.EINVAL, "madvise: advice " + advice + " not allowed on " + vma);
    }

    private void update(VmArea vma, long start, long end, long newFlags) {
        proc.vmaTree().modify(vma, start, end, newFlags);
    }

    // ---- dropping pages ----

    /**
     * {@code madvise_populate()}: faults the range in as a read or a write; a mapping that does
     * not allow the access fails with EINVAL.
     */
    private void populate(VmArea vma, long start, long end, boolean write) {
        long f = vma.flags();
        boolean allowed = write ? (f & VmFlags.VM_WRITE) != 0 : (f & VmFlags.VM_ACCESS_FLAGS) != 0;
        if (!allowed || (f & (VmFlags.VM_IO | VmFlags.VM_PFNMAP)) != 0) {
            throw invalid(vma, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
        }
        proc.populate(start, end, false, write);
    }

    /**
     * {@code madvise_remove()}: punches a hole in the file behind a shared mapping of a file open
     * for writing; every
     * mapping of those pages loses them and the page cache drops them.
     */
    private void remove(VmArea vma, long start, long end) {
        if (vma.test(VmFlags.VM_LOCKED) || vma.file() == null) {
            throw invalid(vma, MADV_REMOVE);
        }
        if (vma.isHugetlb()) {
            throw new IllegalArgumentException("MADV_REMOVE on hugetlb mappings is not modelled");
        }
        if ((vma.flags() & (VmFlags.VM_SHARED | VmFlags.VM_MAYWRITE)) != (VmFlags.VM_SHARED | VmFlags.VM_MAYWRITE)) {
            throw new SyscallException(Errno.EACCES, "madvise: MADV_REMOVE needs a shared mapping that may be written: "
                    + vma);
        }
        long first = vma.linearPageIndex(start);
        long last = vma.linearPageIndex(end);
        io.pagewalk.runtime.mm.AddressSpace file = vma.file();
        for (VmArea other : new java.util.ArrayList<>(file.iMmap())) {
            long s = Math.max(other.start(), other.start() + ((first - other.pgoff()) << PagingGeometry.PAGE_SHIFT));
            long e = Math.min(other.end(), other.start() + ((last - other.pgoff()) << PagingGeometry.PAGE_SHIFT));
            if (other.pgoff() < last && other.pgoff() + other.pages() > first && Long.compareUnsigned(s, e) < 0) {
                Zap.range(proc.machine(), other, s, e, true);
            }
        }
        for (long index = first; index < last; index++) {
            Long pfn = file.pageCache().get(index);
            if (pfn != null && mem.folioMapcount(pfn) == 0) {
                file.pageCache().remove(index);
                proc.machine().freeFolio(pfn);
            }
        }
    }

    private void dontneed(VmArea vma, long start, long end, boolean locked) {
        if (vma.isHugetlb()) {
            if ((start & ~PagingGeometry.PMD_MASK) != 0) {
                throw invalid(vma, MADV_DONTNEED);
            }
            end &= PagingGeometry.PMD_MASK;
        } else if ((vma.flags() & (VmFlags.VM_PFNMAP | (locked ? 0 : VmFlags.VM_LOCKED))) != 0) {
            throw invalid(vma, locked ? MADV_DONTNEED_LOCKED : MADV_DONTNEED);
        }
        Zap.range(proc.machine(), vma, start, end, true);
    }

    /**
     * {@code madvise_free_single_vma()}: exclusive anonymous folios become lazy-free. The kernel
     * clears PG_swapbacked when its per-CPU lazy-free batch drains (soon, or at once on mlock(),
     * MADV_PAGEOUT, reclaim); the model shows that drained state right away.
     */
    private void free(VmArea vma, long start, long end) {
        if (!vma.isAnonymous() || (vma.flags() & (VmFlags.VM_LOCKED | VmFlags.VM_PFNMAP)) != 0) {
            throw invalid(vma, MADV_FREE);
        }
        PagingGeometry g = mm.geometry();
        for (long addr = start; Long.compareUnsigned(addr, end) < 0; ) {
            long next = g.addrEnd(PagingGeometry.PMD, addr, end);
            EntryPointer pmdp = Ptes.pmd(mm, addr, false);
            if (pmdp != null && pmd_leaf(pmdp.get())) {
                long pmd = pmdp.get();
                long head = Memory.vm_normal_page_pmd(vma, addr, pmd);
                if (next - addr == PagingGeometry.PMD_SIZE) {
                    if (head >= 0 && Rmap.mappedOnce(mem, head)) {
                        lazyfree(head);
                        pmdp.set(pmd & ~(_PAGE_ACCESSED | _PAGE_DIRTY));
                    }
                    addr = next;
                    continue;
                }
                Ptes.splitPmd(proc.machine(), vma, pmdp, addr & PagingGeometry.PMD_MASK);
            }
            PageTable table = pmdp == null ? null : pmdp.lowerTable();
            for (long a = addr; table != null && a != next; a += PagingGeometry.PAGE_SIZE) {
                int i = g.index(PagingGeometry.PTE, a);
                long pte = table.get(i);
                if (is_swap_pte(pte) && !Swapops.is_pte_marker(pte)) {
                    table.set(i, 0);
                    Zap.dropPte(proc.machine(), vma, a, pte);
                    continue;
                }
                long pfn = pte_present(pte) ? Memory.vm_normal_page(vma, a, pte) : -1;
                if (pfn < 0 || !mem.test(pfn, PageFlags.ANON) || !Rmap.mappedOnce(mem, pfn)) {
                    continue;
                }
                if (mem.folioOrder(pfn) > 0 && !folioInside(vma, a, pfn, start, end)) {
                    Rmap.splitFolio(proc.machine(), pfn); // only part of the large folio is freed
                }
                lazyfree(pfn);
                table.set(i, pte & ~(_PAGE_ACCESSED | _PAGE_DIRTY));
            }
            addr = next;
        }
    }

    private boolean folioInside(VmArea vma, long addr, long pfn, long start, long end) {
        long first = addr - ((pfn - mem.folioHead(pfn)) << PagingGeometry.PAGE_SHIFT);
        long last = first + (mem.folioNrPages(pfn) << PagingGeometry.PAGE_SHIFT);
        return Long.compareUnsigned(first, start) >= 0 && Long.compareUnsigned(last, end) <= 0;
    }

    /** {@code folio_mark_lazyfree()}: no longer swap-backed, clean. */
    private void lazyfree(long pfn) {
        if (mem.test(pfn, PageFlags.SWAPBACKED) && !mem.test(pfn, PageFlags.SWAPCACHE)
                && !mem.test(pfn, PageFlags.UNEVICTABLE)) {
            mem.folioClearFlag(pfn, PageFlags.SWAPBACKED | PageFlags.DIRTY | PageFlags.ACTIVE);
        }
    }

    /**
     * MADV_COLD and MADV_PAGEOUT on folios only this process maps. Pageout with swap turns
     * anonymous pages into swap entries (exclusive ones keep that in the entry); without swap
     * reclaim fails and puts them back active, as on the test machine. File pages are left alone.
     */
    private void cold(VmArea vma, long start, long end, int advice, boolean pageout) {
        if ((vma.flags() & (VmFlags.VM_LOCKED | VmFlags.VM_PFNMAP | VmFlags.VM_HUGETLB)) != 0) {
            throw invalid(vma, advice);
        }
        boolean swap = pageout && proc.config().swap();
        PagingGeometry g = mm.geometry();
        for (long addr = start; Long.compareUnsigned(addr, end) < 0; ) {
            long next = g.addrEnd(PagingGeometry.PMD, addr, end);
            EntryPointer pmdp = Ptes.pmd(mm, addr, false);
            if (pmdp != null && pmd_leaf(pmdp.get())) {
                long head = Memory.vm_normal_page_pmd(vma, addr, pmdp.get());
                if (!swap || head < 0) {
                    if (head >= 0 && Rmap.mappedOnce(mem, head)) {
                        deactivate(head, pageout);
                    }
                    addr = next;
                    continue;
                }
                Ptes.splitPmd(proc.machine(), vma, pmdp, addr & PagingGeometry.PMD_MASK);
            }
            PageTable table = pmdp == null ? null : pmdp.lowerTable();
            for (long a = addr; table != null && a != next; a += PagingGeometry.PAGE_SIZE) {
                int i = g.index(PagingGeometry.PTE, a);
                long pte = table.get(i);
                long pfn = pte_present(pte) ? Memory.vm_normal_page(vma, a, pte) : -1;
                if (pfn < 0 || !mem.test(pfn, PageFlags.ANON) || !Rmap.mappedOnce(mem, pfn)) {
                    continue;
                }
                if (swap) {
                    swapOut(table, i, pte, pfn);
                } else {
                    deactivate(pfn, pageout);
                }
            }
            addr = next;
        }
    }

    private void deactivate(long pfn, boolean pageoutFailed) {
        mem.folioClearFlag(pfn, PageFlags.REFERENCED | PageFlags.ACTIVE);
        if (pageoutFailed && mem.test(pfn, PageFlags.SWAPBACKED)) {
            mem.folioSetFlag(pfn, PageFlags.ACTIVE);
        }
    }

    private void swapOut(PageTable table, int i, long pte, long pfn) {
        if (mem.folioOrder(pfn) > 0) {
            Rmap.splitFolio(proc.machine(), pfn);
        }
        if (!mem.test(pfn, PageFlags.SWAPBACKED)) {
            // A clean lazy-free page is simply discarded.
            table.set(i, 0);
            Rmap.removePte(proc.machine(), pfn);
            return;
        }
        long offset = proc.machine().allocSwap();
        long swp = Swapops.swp_entry_to_pte(Swapops.swp_entry(0, offset));
        if (proc.machine().anonExclusive(pfn)) {
            swp |= _PAGE_SWP_EXCLUSIVE;
        }
        table.set(i, swp);
        Rmap.removePte(proc.machine(), pfn);
    }

    // ---- MADV_COLLAPSE ----

    /** {@code madvise_collapse()}: each aligned 2 MiB of the range becomes one PMD-mapped THP. */
    private void collapse(VmArea vma, long start, long end) {
        if (!proc.thpVmaAllowed(vma, true)) {
            throw invalid(vma, MADV_COLLAPSE);
        }
        long hstart = Math.max((start + PagingGeometry.PMD_SIZE - 1) & PagingGeometry.PMD_MASK, vma.start());
        long hend = Math.min(end & PagingGeometry.PMD_MASK, vma.end() & PagingGeometry.PMD_MASK);
        boolean failed = false;
        for (long h = hstart; Long.compareUnsigned(h + PagingGeometry.PMD_SIZE, hend) <= 0; h += PagingGeometry.PMD_SIZE) {
            if (Long.compareUnsigned(h, vma.start()) < 0 || (h & ~PagingGeometry.PMD_MASK) != 0) {
                continue;
            }
            failed |= !collapseOne(vma, h);
        }
        if (failed) {
            throw new SyscallException(Errno.EINVAL, String.format("madvise: MADV_COLLAPSE failed in 0x%x-0x%x", start, end));
        }
    }

    private boolean collapseOne(VmArea vma, long haddr) {
        EntryPointer pmdp = Ptes.pmd(mm, haddr, false);
        if (pmdp == null || pmd_none(pmdp.get())) {
            return false;
        }
        if (pmd_leaf(pmdp.get())) {
            return !mem.is_huge_zero_pfn(pmd_pfn(pmdp.get()));
        }
        PageTable table = pmdp.lowerTable();
        for (long e : table.entries()) {
            if (is_swap_pte(e) && (Swapops.is_pte_marker(e) || Swapops.non_swap_entry(Swapops.pte_to_swp_entry(e)))) {
                return false;
            }
        }
        for (int i = 0; i < PagingGeometry.PTRS_PER_TABLE; i++) {
            long pte = table.get(i);
            if (!pte_none(pte)) {
                table.set(i, 0);
                Zap.dropPte(proc.machine(), vma, haddr + ((long) i << PagingGeometry.PAGE_SHIFT), pte);
            }
        }
        proc.anonVmaPrepare(vma);
        long head = proc.machine().newAnonFolio(PagingGeometry.PMD_SHIFT - PagingGeometry.PAGE_SHIFT,
                vma.linearPageIndex(haddr));
        pmdp.set(pfn_pmd(head, Ptes.writable(vma, Ptes.pageProt(vma))));
        Rmap.addPmd(mem, head);
        return true;
    }

    // ---- guard regions ----

    private static boolean guardable(VmArea vma, boolean allowLocked) {
        long disallowed = VmFlags.VM_SPECIAL | VmFlags.VM_HUGETLB | (allowLocked ? 0 : VmFlags.VM_LOCKED);
        return (vma.flags() & disallowed) == 0;
    }

    /** {@code madvise_guard_install()}: pages go, guard markers come; the VMA is marked "gu" without a split. */
    private void guardInstall(VmArea vma, long start, long end) {
        if (!guardable(vma, false)) {
            throw invalid(vma, MADV_GUARD_INSTALL);
        }
        vma.setFlags(vma.flags() | VmFlags.VM_MAYBE_GUARD);
        Zap.range(proc.machine(), vma, start, end, true);
        long marker = Swapops.make_pte_marker(Swapops.PTE_MARKER_GUARD);
        for (long a = start; Long.compareUnsigned(a, end) < 0; a += PagingGeometry.PAGE_SIZE) {
            EntryPointer ptep = PageTables.entry(mm, a, PagingGeometry.PTE, true);
            if (pte_none(ptep.get())) {
                ptep.set(marker);
            }
        }
    }

    private void guardRemove(VmArea vma, long start, long end) {
        if (!guardable(vma, true)) {
            throw invalid(vma, MADV_GUARD_REMOVE);
        }
        for (long a = start; Long.compareUnsigned(a, end) < 0; a += PagingGeometry.PAGE_SIZE) {
            EntryPointer ptep = Ptes.pte(mm, a, false);
            if (ptep != null && Swapops.is_guard_pte_marker(ptep.get())) {
                ptep.set(0);
            }
        }
    }
}
