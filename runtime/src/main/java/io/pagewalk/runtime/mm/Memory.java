package io.pagewalk.runtime.mm;

import static io.pagewalk.runtime.pgtable.Pgtable.pmd_pfn;
import static io.pagewalk.runtime.pgtable.Pgtable.pte_pfn;
import static io.pagewalk.runtime.pgtable.Pgtable.pte_special;
import static io.pagewalk.runtime.pgtable.Pgtable.pud_pfn;

import io.pagewalk.runtime.pgtable.Pgtable;

/**
 * {@code mm/memory.c} lookups from an entry to the page it maps. They return a PFN, or -1 where
 * the kernel returns NULL: a "special" mapping with no refcounted page behind it (the zero pages,
 * raw PFN maps).
 */
public final class Memory {
    private Memory() {}

    /**
     * {@code vm_normal_page()}: x86 has {@code pte_special()}, so any special PTE (zero page,
     * PFNMAP/MIXEDMAP raw PFNs) has no normal page.
     */
    public static long vm_normal_page(VmArea vma, long addr, long pte) {
        if (pte_special(pte)) {
            return -1;
        }
        long pfn = pte_pfn(pte);
        if (vma != null && vma.mm().memMap().is_zero_pfn(pfn)) {
            return -1;
        }
        return pfn;
    }

    /** {@code vm_normal_page_pmd()}: the huge zero page and special PMDs have no normal page. */
    public static long vm_normal_page_pmd(VmArea vma, long addr, long pmd) {
        if ((pmd & Pgtable._PAGE_SPECIAL) != 0) {
            return -1;
        }
        long pfn = pmd_pfn(pmd);
        if (vma != null && vma.mm().memMap().is_huge_zero_pfn(pfn)) {
            return -1;
        }
        if (vma != null && vma.test(VmFlags.VM_PFNMAP)) {
            return -1;
        }
        return pfn;
    }

    /** {@code vm_normal_page_pud()}. */
    public static long vm_normal_page_pud(VmArea vma, long addr, long pud) {
        if ((pud & Pgtable._PAGE_SPECIAL) != 0) {
            return -1;
        }
        if (vma != null && vma.test(VmFlags.VM_PFNMAP)) {
            return -1;
        }
        return pud_pfn(pud);
    }

    /** {@code is_huge_zero_pmd()}. */
    public static boolean is_huge_zero_pmd(MemMap memMap, long pmd) {
        return Pgtable.pmd_present(pmd) && Pgtable.pmd_leaf(pmd) && memMap.is_huge_zero_pfn(pmd_pfn(pmd));
    }
}
