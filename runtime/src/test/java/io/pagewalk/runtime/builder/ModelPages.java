package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.pgtable.Pgtable.*;

import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.Memory;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.procfs.PagemapEntry;

/**
 * What /proc/PID/pagemap would say about a synthetic address space (6.18 rules, reference section
 * 3.1), computed straight from its entries, so tests can compare a model with the kernel bit by bit.
 */
final class ModelPages {
    private ModelPages() {}

    /** The pagemap entry of the page at {@code addr}. */
    static long pagemap(MmStruct mm, long addr) {
        VmArea vma = mm.vmaLookup(addr);
        if (vma == null) {
            return 0;
        }
        MemMap mem = mm.memMap();
        long pmd = PageTables.get(mm, addr, PagingGeometry.PMD);
        long pfn;
        long normal;
        if (pmd_present(pmd) && pmd_leaf(pmd)) {
            long off = (addr & ~PagingGeometry.PMD_MASK) >>> PagingGeometry.PAGE_SHIFT;
            pfn = pmd_pfn(pmd) + off;
            long head = Memory.vm_normal_page_pmd(vma, addr, pmd);
            normal = head < 0 ? -1 : head + off;
        } else {
            long pte = pmd_leaf(pmd) || pmd_none(pmd) ? 0 : PageTables.get(mm, addr, PagingGeometry.PTE);
            if (pte_none(pte)) {
                return 0;
            }
            if (!pte_present(pte)) {
                long e = Swapops.pte_to_swp_entry(pte);
                long out = PagemapEntry.PM_SWAP | Swapops.swp_type(e) | (Swapops.swp_offset(e) << PagemapEntry.SWAP_TYPE_BITS);
                if (Swapops.is_guard_pte_marker(pte)) {
                    out |= PagemapEntry.PM_GUARD_REGION;
                }
                return out;
            }
            pfn = pte_pfn(pte);
            normal = Memory.vm_normal_page(vma, addr, pte);
        }
        long out = PagemapEntry.PM_PRESENT | pfn;
        if (normal >= 0) {
            if (!mem.test(normal, PageFlags.ANON)) {
                out |= PagemapEntry.PM_FILE;
            }
            // 6.18 (CONFIG_PAGE_MAPCOUNT): a PTE mapping looks at its own page's mapcount; a PMD
            // mapping decides once, from the mapcount of the first page it maps, for all 512
            // entries (observed: after a fork child copies page 0 away, every entry of the
            // parent's PMD reads exclusive; after it copies page 5, none does).
            boolean exclusive = pmd_present(pmd) && pmd_leaf(pmd) ? mem.mapcount(pmd_pfn(pmd)) == 1
                    : mem.mapcount(normal) == 1;
            if (exclusive) {
                out |= PagemapEntry.PM_MMAP_EXCLUSIVE;
            }
        }
        return out;
    }

    static long[] pagemap(MmStruct mm, long start, long end) {
        long[] out = new long[(int) ((end - start) >>> PagingGeometry.PAGE_SHIFT)];
        for (int i = 0; i < out.length; i++) {
            out[i] = pagemap(mm, start + ((long) i << PagingGeometry.PAGE_SHIFT));
        }
        return out;
    }

    /**
     * PAGEMAP_SCAN's PAGE_IS_HUGE: a present PMD leaf; in a hugetlb VMA every entry its walk
     * reaches, none ones too (a hole only where the tables down to the huge level are missing).
     */
    static boolean huge(MmStruct mm, long addr) {
        VmArea vma = mm.vmaLookup(addr);
        if (vma != null && vma.isHugetlb()) {
            return PageTables.entry(mm, addr, PagingGeometry.PMD, false) != null;
        }
        long pmd = PageTables.get(mm, addr, PagingGeometry.PMD);
        return pmd_present(pmd) && pmd_leaf(pmd);
    }

    /** kpageflags of a model page as the kernel reports it (the zero page's mapcount is 0). */
    static long flags(MemMap mem, long pfn) {
        return mem.flags(pfn);
    }
}
