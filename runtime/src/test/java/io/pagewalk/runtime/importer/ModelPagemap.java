package io.pagewalk.runtime.importer;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;

/** What the model maps at one address, in the terms pagemap reports: test helper. */
record ModelPagemap(boolean present, boolean swapped, long pfn, boolean pmdLeaf, long entry) {
    static ModelPagemap at(MmStruct mm, long addr) {
        long pmd = PageTables.get(mm, addr, PagingGeometry.PMD);
        if (Pgtable.pmd_leaf(pmd)) {
            long idx = (addr & ~PagingGeometry.PMD_MASK) >>> PagingGeometry.PAGE_SHIFT;
            return new ModelPagemap(Pgtable.pmd_present(pmd), false, Pgtable.pmd_pfn(pmd) + idx, true, pmd);
        }
        long pte = PageTables.get(mm, addr, PagingGeometry.PTE);
        boolean present = Pgtable.pte_present(pte);
        return new ModelPagemap(present, Pgtable.is_swap_pte(pte), present ? Pgtable.pte_pfn(pte) : 0, false, pte);
    }
}
