package io.pagewalk.runtime.pgtable;

/**
 * x86-64 page-table entry bits and the kernel's helper predicates over raw 64-bit entries.
 *
 * <p>The methods keep the kernel's snake_case names on purpose: a walker ported from the kernel
 * reads the same ({@code pte_present(pte)}, {@code pmd_trans_huge(pmd)}), and the script layer
 * exposes the same names. Entries are plain {@code long}s, never objects.
 */
@SuppressWarnings("checkstyle:MethodName")
public final class Pgtable {
    private Pgtable() {}

    public static final int _PAGE_BIT_PRESENT = 0;
    public static final int _PAGE_BIT_RW = 1;
    public static final int _PAGE_BIT_USER = 2;
    public static final int _PAGE_BIT_PWT = 3;
    public static final int _PAGE_BIT_PCD = 4;
    public static final int _PAGE_BIT_ACCESSED = 5;
    public static final int _PAGE_BIT_DIRTY = 6;
    public static final int _PAGE_BIT_PSE = 7;
    public static final int _PAGE_BIT_GLOBAL = 8;
    /** Software bit 1: {@code pte_special()} (zero page, raw PFN mappings). */
    public static final int _PAGE_BIT_SPECIAL = 9;
    /** Software bit 2. */
    public static final int _PAGE_BIT_UFFD_WP = 10;
    /** Software bit 3. */
    public static final int _PAGE_BIT_SOFT_DIRTY = 11;
    public static final int _PAGE_BIT_PAT_LARGE = 12;
    /** Software bit 5: dirty bit saved when a shadow-stack-safe write protect cleared it. */
    public static final int _PAGE_BIT_SAVED_DIRTY = 58;
    public static final int _PAGE_BIT_PKEY_BIT0 = 59;
    public static final int _PAGE_BIT_NX = 63;
    /** PROT_NONE mappings clear PRESENT and keep GLOBAL, which means "present, not accessible". */
    public static final int _PAGE_BIT_PROTNONE = _PAGE_BIT_GLOBAL;

    public static final long _PAGE_PRESENT = 1L << _PAGE_BIT_PRESENT;
    public static final long _PAGE_RW = 1L << _PAGE_BIT_RW;
    public static final long _PAGE_USER = 1L << _PAGE_BIT_USER;
    public static final long _PAGE_PWT = 1L << _PAGE_BIT_PWT;
    public static final long _PAGE_PCD = 1L << _PAGE_BIT_PCD;
    public static final long _PAGE_ACCESSED = 1L << _PAGE_BIT_ACCESSED;
    public static final long _PAGE_DIRTY = 1L << _PAGE_BIT_DIRTY;
    public static final long _PAGE_PSE = 1L << _PAGE_BIT_PSE;
    public static final long _PAGE_GLOBAL = 1L << _PAGE_BIT_GLOBAL;
    public static final long _PAGE_SPECIAL = 1L << _PAGE_BIT_SPECIAL;
    public static final long _PAGE_UFFD_WP = 1L << _PAGE_BIT_UFFD_WP;
    public static final long _PAGE_SOFT_DIRTY = 1L << _PAGE_BIT_SOFT_DIRTY;
    public static final long _PAGE_SAVED_DIRTY = 1L << _PAGE_BIT_SAVED_DIRTY;
    public static final long _PAGE_PKEY_MASK = 0xfL << _PAGE_BIT_PKEY_BIT0;
    public static final long _PAGE_NX = 1L << _PAGE_BIT_NX;
    public static final long _PAGE_PROTNONE = 1L << _PAGE_BIT_PROTNONE;
    /** Bits some CPUs set spuriously in not-present entries; {@code p?d_none()} ignores them. */
    public static final long _PAGE_KNL_ERRATUM_MASK = _PAGE_DIRTY | _PAGE_ACCESSED;
    /** Table entries: what {@code pmd_populate()} and friends write beside the table's PFN. */
    public static final long _PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;

    /** In non-present (swap) entries the low software bits are reused. */
    public static final long _PAGE_SWP_SOFT_DIRTY = _PAGE_RW;
    public static final long _PAGE_SWP_UFFD_WP = _PAGE_USER;
    public static final long _PAGE_SWP_EXCLUSIVE = _PAGE_PSE;

    public static final int __PHYSICAL_MASK_SHIFT = 52;
    public static final long PTE_PFN_MASK = ((1L << __PHYSICAL_MASK_SHIFT) - 1) & PagingGeometry.PAGE_MASK;
    public static final long PMD_PFN_MASK = ((1L << __PHYSICAL_MASK_SHIFT) - 1) & PagingGeometry.PMD_MASK;
    public static final long PUD_PFN_MASK = ((1L << __PHYSICAL_MASK_SHIFT) - 1) & PagingGeometry.PUD_MASK;

    // ---- L1TF: not-present entries that still hold a PFN store it inverted ----

    /** {@code __pte_needs_invert()}: PROT_NONE entries keep their PFN bits inverted. */
    public static boolean __pte_needs_invert(long val) {
        return val != 0 && (val & _PAGE_PRESENT) == 0;
    }

    static long protnone_mask(long val) {
        return __pte_needs_invert(val) ? ~0L : 0L;
    }

    // ---- constructors ----

    /** {@code pfn_pte(pfn, prot)}: the PFN bits are inverted when {@code prot} is not present. */
    public static long pfn_pte(long pfn, long prot) {
        long pfnBits = (pfn << PagingGeometry.PAGE_SHIFT);
        pfnBits ^= protnone_mask(prot);
        return (pfnBits & PTE_PFN_MASK) | (prot & ~PTE_PFN_MASK);
    }

    /** A PMD leaf ({@code pfn_pmd} + {@code pmd_mkhuge}). */
    public static long pfn_pmd(long pfn, long prot) {
        long pfnBits = (pfn << PagingGeometry.PAGE_SHIFT);
        pfnBits ^= protnone_mask(prot);
        return (pfnBits & PMD_PFN_MASK) | (prot & ~PMD_PFN_MASK) | _PAGE_PSE;
    }

    /** A PUD leaf. */
    public static long pfn_pud(long pfn, long prot) {
        long pfnBits = (pfn << PagingGeometry.PAGE_SHIFT);
        pfnBits ^= protnone_mask(prot);
        return (pfnBits & PUD_PFN_MASK) | (prot & ~PUD_PFN_MASK) | _PAGE_PSE;
    }

    /** An entry pointing at a lower-level table whose page is {@code tablePfn}. */
    public static long mk_table_entry(long tablePfn) {
        return (tablePfn << PagingGeometry.PAGE_SHIFT) | _PAGE_TABLE;
    }

    // ---- PTE predicates ----

    public static boolean pte_none(long pte) {
        return (pte & ~_PAGE_KNL_ERRATUM_MASK) == 0;
    }

    public static boolean pte_present(long pte) {
        return (pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) != 0;
    }

    /** {@code is_swap_pte()}: not none and not present: swap, migration, device and marker entries. */
    public static boolean is_swap_pte(long pte) {
        return !pte_none(pte) && !pte_present(pte);
    }

    public static boolean pte_protnone(long pte) {
        return (pte & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE;
    }

    public static long pte_pfn(long pte) {
        long v = pte ^ protnone_mask(pte);
        return (v & PTE_PFN_MASK) >>> PagingGeometry.PAGE_SHIFT;
    }

    public static boolean pte_write(long pte) {
        return (pte & _PAGE_RW) != 0;
    }

    public static boolean pte_dirty(long pte) {
        return (pte & (_PAGE_DIRTY | _PAGE_SAVED_DIRTY)) != 0;
    }

    public static boolean pte_young(long pte) {
        return (pte & _PAGE_ACCESSED) != 0;
    }

    public static boolean pte_special(long pte) {
        return (pte & _PAGE_SPECIAL) != 0;
    }

    public static boolean pte_exec(long pte) {
        return (pte & _PAGE_NX) == 0;
    }

    public static boolean pte_soft_dirty(long pte) {
        return (pte & _PAGE_SOFT_DIRTY) != 0;
    }

    public static boolean pte_uffd_wp(long pte) {
        return (pte & _PAGE_UFFD_WP) != 0;
    }

    public static boolean pte_swp_soft_dirty(long pte) {
        return (pte & _PAGE_SWP_SOFT_DIRTY) != 0;
    }

    public static boolean pte_swp_uffd_wp(long pte) {
        return (pte & _PAGE_SWP_UFFD_WP) != 0;
    }

    public static boolean pte_swp_exclusive(long pte) {
        return (pte & _PAGE_SWP_EXCLUSIVE) != 0;
    }

    public static int pte_pkey(long pte) {
        return (int) ((pte & _PAGE_PKEY_MASK) >>> _PAGE_BIT_PKEY_BIT0);
    }

    public static long pte_mkold(long pte) {
        return pte & ~_PAGE_ACCESSED;
    }

    public static long pte_mkclean(long pte) {
        return pte & ~(_PAGE_DIRTY | _PAGE_SAVED_DIRTY);
    }

    public static long pte_wrprotect(long pte) {
        return pte & ~_PAGE_RW;
    }

    public static long pte_clear_soft_dirty(long pte) {
        return pte & ~_PAGE_SOFT_DIRTY;
    }

    public static long pte_swp_clear_soft_dirty(long pte) {
        return pte & ~_PAGE_SWP_SOFT_DIRTY;
    }

    // ---- PMD predicates ----

    public static boolean pmd_none(long pmd) {
        return (pmd & ~_PAGE_KNL_ERRATUM_MASK) == 0;
    }

    /** x86 counts PSE as present: split_huge_page briefly clears PRESENT on a huge PMD. */
    public static boolean pmd_present(long pmd) {
        return (pmd & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE)) != 0;
    }

    public static boolean pmd_leaf(long pmd) {
        return (pmd & _PAGE_PSE) != 0;
    }

    public static boolean pmd_trans_huge(long pmd) {
        return (pmd & _PAGE_PSE) != 0;
    }

    /** {@code is_swap_pmd()}: a PMD migration entry. */
    public static boolean is_swap_pmd(long pmd) {
        return !pmd_none(pmd) && !pmd_present(pmd);
    }

    public static long pmd_pfn(long pmd) {
        long v = pmd ^ protnone_mask(pmd);
        long mask = pmd_leaf(pmd) ? PMD_PFN_MASK : PTE_PFN_MASK;
        return (v & mask) >>> PagingGeometry.PAGE_SHIFT;
    }

    public static boolean pmd_write(long pmd) {
        return (pmd & _PAGE_RW) != 0;
    }

    public static boolean pmd_dirty(long pmd) {
        return (pmd & (_PAGE_DIRTY | _PAGE_SAVED_DIRTY)) != 0;
    }

    public static boolean pmd_young(long pmd) {
        return (pmd & _PAGE_ACCESSED) != 0;
    }

    public static boolean pmd_soft_dirty(long pmd) {
        return (pmd & _PAGE_SOFT_DIRTY) != 0;
    }

    public static boolean pmd_uffd_wp(long pmd) {
        return (pmd & _PAGE_UFFD_WP) != 0;
    }

    // ---- PUD / P4D / PGD predicates ----

    public static boolean pud_none(long pud) {
        return (pud & ~_PAGE_KNL_ERRATUM_MASK) == 0;
    }

    public static boolean pud_present(long pud) {
        return (pud & _PAGE_PRESENT) != 0;
    }

    public static boolean pud_leaf(long pud) {
        return (pud & _PAGE_PSE) != 0;
    }

    public static boolean pud_trans_huge(long pud) {
        return (pud & _PAGE_PSE) != 0;
    }

    public static long pud_pfn(long pud) {
        long v = pud ^ protnone_mask(pud);
        long mask = pud_leaf(pud) ? PUD_PFN_MASK : PTE_PFN_MASK;
        return (v & mask) >>> PagingGeometry.PAGE_SHIFT;
    }

    public static boolean p4d_none(long p4d) {
        return (p4d & ~_PAGE_KNL_ERRATUM_MASK) == 0;
    }

    /** A P4D/PGD that is not a present, non-leaf table entry; the walker clears it as a hole. */
    public static boolean p4d_bad(long p4d) {
        return (p4d & _PAGE_PRESENT) == 0 || (p4d & _PAGE_PSE) != 0;
    }

    public static boolean p4d_present(long p4d) {
        return (p4d & _PAGE_PRESENT) != 0;
    }

    public static boolean pgd_present(long pgd) {
        return (pgd & _PAGE_PRESENT) != 0;
    }

    public static boolean pgd_none(long pgd) {
        return (pgd & ~_PAGE_KNL_ERRATUM_MASK) == 0;
    }

    public static boolean pgd_bad(long pgd) {
        return p4d_bad(pgd);
    }
}
