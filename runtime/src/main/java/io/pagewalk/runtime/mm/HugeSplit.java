package io.pagewalk.runtime.mm;

import static io.pagewalk.runtime.pgtable.Pgtable.*;

import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Swapops;

/**
 * Splitting of huge PMD and PUD mappings ({@code split_huge_pmd()}, {@code split_huge_pud()} in
 * {@code mm/huge_memory.c}), which the walker does before descending below a huge entry.
 *
 * <p>What a split leaves depends on what is mapped, as in the kernel: an anonymous THP becomes 512
 * PTEs mapping the same (still large) folio; the huge zero page becomes 512 zero-page PTEs; a PMD
 * migration entry becomes 512 PTE migration entries. In a file or shmem VMA the PMD is just
 * unmapped (zapped), whatever it holds, to be faulted back in as small pages later; so is any
 * PUD leaf.
 */
public final class HugeSplit {
    private HugeSplit() {}

    /** {@code split_huge_pmd(vma, pmd, addr)}: does nothing unless the PMD is huge or a migration entry. */
    public static void split_huge_pmd(VmArea vma, EntryPointer pmdp, long addr) {
        long pmd = pmdp.get();
        boolean migration = Swapops.is_pmd_migration_entry(pmd);
        if (!(pmd_present(pmd) && pmd_trans_huge(pmd)) && !migration) {
            return;
        }
        MmStruct mm = vma.mm();
        MemMap memMap = mm.memMap();

        // Outside anonymous VMAs the PMD is cleared whatever it holds (THP, huge zero page or a
        // migration entry): the pages come back through faults.
        if (!vma.isAnonymous()) {
            zapPmd(memMap, pmdp, pmd);
            return;
        }
        PageTable pte = mm.allocTable(PagingGeometry.PTE);
        if (pte == null) {
            // The kernel deposits the PTE table when it maps a THP, so its split cannot fail;
            // the model has no deposit, and unmapping is the only safe fallback.
            zapPmd(memMap, pmdp, pmd);
            return;
        }
        long[] ptes = pte.entries();
        if (migration) {
            long entry = Swapops.pmd_to_swp_entry(pmd);
            long pfn = Swapops.swp_offset_pfn(entry);
            int type = Swapops.swp_type(entry);
            long swBits = pmd & (_PAGE_SWP_SOFT_DIRTY | _PAGE_SWP_UFFD_WP);
            for (int i = 0; i < PagingGeometry.PTRS_PER_TABLE; i++) {
                ptes[i] = Swapops.swp_entry_to_pte(Swapops.make_migration_entry(type, pfn + i)) | swBits;
            }
        } else if (memMap.is_huge_zero_pfn(pmd_pfn(pmd))) {
            long prot = (pmd & ~(PMD_PFN_MASK | _PAGE_PSE | _PAGE_RW)) | _PAGE_SPECIAL;
            long zero = memMap.zeroPfn();
            for (int i = 0; i < PagingGeometry.PTRS_PER_TABLE; i++) {
                ptes[i] = pfn_pte(zero, prot);
            }
            memMap.addEntireMapcount(pmd_pfn(pmd), -1);
        } else {
            long head = pmd_pfn(pmd);
            // The PSE bit means PAT in a PTE, and bit 12 (PAT in a huge entry) is PFN in a PTE.
            long prot = pmd & ~(PMD_PFN_MASK | _PAGE_PSE | (1L << _PAGE_BIT_PAT_LARGE));
            for (int i = 0; i < PagingGeometry.PTRS_PER_TABLE; i++) {
                ptes[i] = pfn_pte(head + i, prot);
            }
            // Each subpage trades its share of the PMD mapping for a PTE mapping: per-page
            // mapcounts stay, the entire mapcount drops.
            memMap.addEntireMapcount(head, -1);
        }
        pmdp.table().setTable(pmdp.index(), pte);
    }

    private static void zapPmd(MemMap memMap, EntryPointer pmdp, long pmd) {
        pmdp.set(0);
        if (!pmd_present(pmd)) {
            return;
        }
        long head = pmd_pfn(pmd);
        if (memMap.is_huge_zero_pfn(head)) {
            memMap.addEntireMapcount(head, -1);
            return;
        }
        if (!memMap.pfnValid(head)) {
            return;
        }
        memMap.addEntireMapcount(head, -1);
        for (int i = 0; i < PagingGeometry.HPAGE_PMD_NR; i++) {
            memMap.addMapcount(head + i, -1);
        }
        memMap.addRefcount(head, -1);
    }

    /**
     * {@code split_huge_pud()}: x86 has no anonymous PUD THPs, so a PUD leaf is always zapped. The
     * kernel tests only {@code pud_trans_huge()} (the PSE bit), so a PROT_NONE leaf, which has
     * PRESENT clear, is zapped too.
     */
    public static void split_huge_pud(VmArea vma, EntryPointer pudp, long addr) {
        long pud = pudp.get();
        if (!pud_trans_huge(pud)) {
            return;
        }
        MemMap memMap = vma.mm().memMap();
        pudp.set(0);
        long head = pud_pfn(pud);
        if ((pud & _PAGE_SPECIAL) != 0 || !memMap.pfnValid(head)) {
            return;
        }
        memMap.addEntireMapcount(head, -1);
        long n = PagingGeometry.PUD_SIZE >>> PagingGeometry.PAGE_SHIFT;
        for (long i = 0; i < n; i++) {
            memMap.addMapcount(head + i, -1);
        }
        memMap.addRefcount(head, -1);
    }
}
