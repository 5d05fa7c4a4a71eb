package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.pgtable.Pgtable.*;

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
 * {@code dup_mmap()} and {@code copy_page_range()}: the child gets every VMA but VM_DONTCOPY ones
 * (without VM_LOCKED), and copies of the page tables of those that need them
 * ({@code vma_needs_copy}: anonymous pages, guard regions, raw PFN maps). Private anonymous
 * folios become shared copy-on-write: both entries read-only, mapcounts up, anon-exclusive
 * cleared. VM_WIPEONFORK VMAs start empty in the child.
 */
final class Fork {
    private Fork() {}

    static SyntheticProcess fork(SyntheticProcess parent) {
        SyntheticProcess child = parent.sibling();
        MmStruct src = parent.mm();
        MmStruct dst = child.mm();
        for (VmArea vma : src.vmas()) {
            if (vma.test(VmFlags.VM_DONTCOPY)) {
                continue;
            }
            long flags = vma.flags() & ~(VmFlags.VM_LOCKED | VmFlags.VM_LOCKONFAULT);
            VmArea copy = dst.insertVma(vma.start(), vma.end(), flags, vma.pgoff(), vma.file(), vma.name());
            copy.setPageShift(vma.pageShift());
            boolean wipe = vma.test(VmFlags.VM_WIPEONFORK);
            if (parent.anonVma(vma) != null && !wipe) {
                child.setAnonVma(copy, new Object()); // anon_vma_fork(): a new anon_vma chained to the parent's
            }
            boolean needsCopy = !wipe && (parent.anonVma(vma) != null || vma.test(VmFlags.VM_MAYBE_GUARD)
                    || (vma.flags() & (VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP)) != 0);
            if (needsCopy) {
                copyRange(parent, vma, copy);
            }
        }
        return child;
    }

    private static void copyRange(SyntheticProcess parent, VmArea src, VmArea dst) {
        MemMap mem = parent.memMap();
        PagingGeometry g = src.mm().geometry();
        boolean cow = (src.flags() & (VmFlags.VM_SHARED | VmFlags.VM_MAYWRITE)) == VmFlags.VM_MAYWRITE;
        for (long addr = src.start(); Long.compareUnsigned(addr, src.end()) < 0; ) {
            long next = g.addrEnd(PagingGeometry.PMD, addr, src.end());
            EntryPointer pmdp = Ptes.pmd(src.mm(), addr, false);
            if (pmdp == null || pmd_none(pmdp.get())) {
                addr = next;
                continue;
            }
            long pmd = pmdp.get();
            if (pmd_leaf(pmd)) {
                long head = pmd_pfn(pmd);
                if (mem.is_huge_zero_pfn(head)) {
                    mem.addEntireMapcount(head, 1);
                } else if (mem.pfnValid(head)) {
                    Rmap.addPmd(mem, head);
                    if (mem.test(head, PageFlags.ANON)) {
                        parent.machine().setFolioAnonExclusive(head, false);
                    }
                }
                if (cow && pmd_write(pmd)) {
                    pmd &= ~_PAGE_RW;
                    pmdp.set(pmd);
                }
                PageTables.set(dst.mm(), addr, PagingGeometry.PMD, pmd & ~_PAGE_ACCESSED);
                addr = next;
                continue;
            }
            PageTable table = pmdp.lowerTable();
            for (long a = addr; a != next; a += PagingGeometry.PAGE_SIZE) {
                int i = g.index(PagingGeometry.PTE, a);
                long pte = table.get(i);
                if (pte_none(pte)) {
                    continue;
                }
                long copy = copyPte(parent, src, dst, table, i, a, pte, cow);
                if (copy != 0) {
                    PageTables.setPte(dst.mm(), a, copy);
                }
            }
            addr = next;
        }
    }

    /** {@code copy_present_pte()} / {@code copy_nonpresent_pte()}: the child's entry (0 for none). */
    private static long copyPte(SyntheticProcess parent, VmArea src, VmArea dst, PageTable table, int i, long addr,
                                long pte, boolean cow) {
        MemMap mem = parent.memMap();
        if (!pte_present(pte)) {
            if (Swapops.is_pte_marker(pte)) {
                return Swapops.is_guard_pte_marker(pte) ? pte : 0;
            }
            long entry = Swapops.pte_to_swp_entry(pte);
            if (!Swapops.non_swap_entry(entry)) {
                parent.machine().swapDup(Swapops.swp_offset(entry));
                if (pte_swp_exclusive(pte)) {
                    pte &= ~_PAGE_SWP_EXCLUSIVE;
                    table.set(i, pte);
                }
            }
            return pte;
        }
        long pfn = Memory.vm_normal_page(src, addr, pte);
        if (pfn >= 0 && mem.pfnValid(pfn)) {
            Rmap.addPte(mem, pfn);
            if (mem.test(pfn, PageFlags.ANON)) {
                parent.machine().setAnonExclusive(pfn, false);
            }
        }
        if (cow && pte_write(pte)) {
            pte &= ~_PAGE_RW;
            table.set(i, pte);
        }
        if (dst.test(VmFlags.VM_SHARED)) {
            pte &= ~_PAGE_DIRTY;
        }
        return pte & ~_PAGE_ACCESSED;
    }
}
