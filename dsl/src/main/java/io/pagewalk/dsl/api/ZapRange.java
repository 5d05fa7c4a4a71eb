package io.pagewalk.dsl.api;

import io.pagewalk.runtime.mm.HugeSplit;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.Memory;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;

/**
 * {@code zap_page_range_single(vma, address, size, NULL)} on the model: what madvise's guard
 * install does before it retries its walk. Present pages are unmapped (their mapcounts and the
 * folio's reference dropped), swap and migration entries cleared; PTE markers stay, since a NULL
 * {@code zap_details} keeps them (guard markers are never dropped by a zap). A huge PMD wholly
 * inside the range is cleared, one partly inside is split first. Page tables are not freed.
 */
final class ZapRange {
    private ZapRange() {}

    static void zapPageRangeSingle(VmArea vma, long start, long size) {
        long end = start + size;
        if (Long.compareUnsigned(start, vma.start()) < 0 || Long.compareUnsigned(end, vma.end()) > 0
                || Long.compareUnsigned(end, start) < 0) {
            throw new IllegalArgumentException(String.format(
                    "zap_page_range_single: [%x, %x) is not inside the VMA [%x, %x)", start, end, vma.start(), vma.end()));
        }
        MemMap mem = vma.mm().memMap();
        long addr = start;
        while (Long.compareUnsigned(addr, end) < 0) {
            long pmdStart = addr & PagingGeometry.PMD_MASK;
            long pmdEnd = pmdStart + PagingGeometry.PMD_SIZE;
            long next = Long.compareUnsigned(pmdEnd, end) < 0 && pmdEnd != 0 ? pmdEnd : end;
            EntryPointer pmdp = PageTables.entry(vma.mm(), addr, PagingGeometry.PMD, false);
            if (pmdp != null) {
                long pmd = pmdp.get();
                boolean huge = (Pgtable.pmd_present(pmd) && Pgtable.pmd_trans_huge(pmd)) || Swapops.is_pmd_migration_entry(pmd);
                if (huge && addr == pmdStart && next == pmdEnd) {
                    zapHugePmd(vma, mem, pmdp, pmd);
                } else {
                    if (huge) {
                        HugeSplit.split_huge_pmd(vma, pmdp, addr);
                    }
                    if (pmdp.lowerTable() != null) {
                        for (long a = addr; Long.compareUnsigned(a, next) < 0; a += PagingGeometry.PAGE_SIZE) {
                            zapPte(vma, mem, PageTables.entry(vma.mm(), a, PagingGeometry.PTE, false), a);
                        }
                    }
                }
            }
            addr = next;
        }
    }

    private static void zapHugePmd(VmArea vma, MemMap mem, EntryPointer pmdp, long pmd) {
        pmdp.set(0);
        if (!Pgtable.pmd_present(pmd)) {
            return;
        }
        long head = Pgtable.pmd_pfn(pmd);
        if (!mem.pfnValid(head)) {
            return;
        }
        mem.addEntireMapcount(head, -1);
        if (!mem.is_huge_zero_pfn(head)) {
            for (int i = 0; i < PagingGeometry.HPAGE_PMD_NR; i++) {
                mem.addMapcount(head + i, -1);
            }
            mem.addRefcount(head, -1);
        }
    }

    private static void zapPte(VmArea vma, MemMap mem, EntryPointer ptep, long addr) {
        if (ptep == null) {
            return;
        }
        long pte = ptep.get();
        if (Pgtable.pte_none(pte)) {
            return;
        }
        if (Pgtable.pte_present(pte)) {
            ptep.set(0);
            long pfn = Memory.vm_normal_page(vma, addr, pte);
            if (pfn >= 0 && mem.pfnValid(pfn)) {
                mem.addMapcount(pfn, -1);
                mem.addRefcount(mem.folioHead(pfn), -1);
            }
            return;
        }
        if (!Swapops.is_pte_marker(pte)) {
            ptep.set(0); // swap or migration entry: the page is no longer mapped here
        }
    }
}
