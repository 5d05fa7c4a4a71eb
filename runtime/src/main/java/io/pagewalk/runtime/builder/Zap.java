package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.pgtable.Pgtable.*;

import io.pagewalk.runtime.mm.Memory;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Swapops;

/**
 * {@code zap_page_range_single()} / {@code unmap_page_range()}: clears the entries of a range of one
 * VMA, dropping the mappings they held. A huge PMD only partly in the range is split first, as
 * {@code zap_pmd_range()} does. Page tables stay (only munmap frees them).
 */
final class Zap {
    private Zap() {}

    /**
     * @param keepGuards true for MADV_DONTNEED and friends, which leave guard markers in place;
     *     false when the range is unmapped
     */
    static void range(Machine machine, VmArea vma, long start, long end, boolean keepGuards) {
        if (vma.isHugetlb()) {
            hugetlb(machine, vma, start, end);
            return;
        }
        long addr = start;
        while (Long.compareUnsigned(addr, end) < 0) {
            long next = vma.mm().geometry().addrEnd(PagingGeometry.PMD, addr, end);
            EntryPointer pmdp = Ptes.pmd(vma.mm(), addr, false);
            if (pmdp != null && !pmd_none(pmdp.get())) {
                if (pmd_leaf(pmdp.get())) {
                    if (next - addr == PagingGeometry.PMD_SIZE) {
                        zapPmd(machine, pmdp);
                        addr = next;
                        continue;
                    }
                    Ptes.splitPmd(machine, vma, pmdp, addr & PagingGeometry.PMD_MASK);
                }
                PageTable table = pmdp.lowerTable();
                if (table != null) {
                    for (long a = addr; a != next; a += PagingGeometry.PAGE_SIZE) {
                        int i = vma.mm().geometry().index(PagingGeometry.PTE, a);
                        long pte = table.get(i);
                        if (pte_none(pte) || (keepGuards && Swapops.is_guard_pte_marker(pte))) {
                            continue;
                        }
                        table.set(i, 0);
                        dropPte(machine, vma, a, pte);
                    }
                }
            }
            addr = next;
        }
    }

    /** What one PTE held goes away: a page mapping, or a swap slot reference. */
    static void dropPte(Machine machine, VmArea vma, long addr, long pte) {
        if (pte_present(pte)) {
            long pfn = Memory.vm_normal_page(vma, addr, pte);
            if (pfn >= 0 && machine.memMap.pfnValid(pfn)) {
                // zap_present_ptes(): a young file PTE hands its access on to the page cache.
                if (pte_young(pte) && !machine.memMap.test(pfn, io.pagewalk.runtime.mm.PageFlags.ANON)
                        && (vma.flags() & (io.pagewalk.runtime.mm.VmFlags.VM_SEQ_READ
                        | io.pagewalk.runtime.mm.VmFlags.VM_RAND_READ)) == 0) {
                    Rmap.markAccessed(machine.memMap, pfn);
                }
                Rmap.removePte(machine, pfn);
            }
        } else if (!Swapops.is_pte_marker(pte)) {
            long entry = Swapops.pte_to_swp_entry(pte);
            if (!Swapops.non_swap_entry(entry)) {
                machine.swapFree(Swapops.swp_offset(entry));
            }
        }
    }

    static void zapPmd(Machine machine, EntryPointer pmdp) {
        long pmd = pmdp.get();
        pmdp.set(0);
        MemMap mem = machine.memMap;
        long pfn = pmd_pfn(pmd);
        if (mem.is_huge_zero_pfn(pfn)) {
            mem.addEntireMapcount(pfn, -1);
        } else if (mem.pfnValid(pfn)) {
            Rmap.removePmd(machine, pfn);
        }
    }

    private static void hugetlb(Machine machine, VmArea vma, long start, long end) {
        for (long a = start; Long.compareUnsigned(a, end) < 0; a += PagingGeometry.PMD_SIZE) {
            EntryPointer pmdp = Ptes.pmd(vma.mm(), a, false);
            if (pmdp != null && pmd_present(pmdp.get())) {
                zapPmd(machine, pmdp);
            }
        }
    }
}
