package io.pagewalk.runtime.pgtable;

/**
 * Non-present entries that are not none: swap entries, migration entries, device entries,
 * hwpoison entries and PTE markers, with x86-64's encoding ({@code include/linux/swapops.h},
 * {@code arch/x86/include/asm/pgtable_64.h}).
 *
 * <p>x86-64 stores the 5-bit type in bits 59-63 and the offset <em>inverted</em> in bits 9-58 (the
 * L1TF mitigation keeps a not-present entry from pointing at real memory). The arch-independent
 * {@code swp_entry_t} used here packs {@code type << 58 | offset}, as the kernel's does.
 *
 * <p>Type numbers above the real swap files are a kernel configuration fact; this is the layout of
 * the kernel the project runs on (MAX_SWAPFILES_SHIFT 5, hwpoison, 3 migration, 3 device-private
 * types, markers at 31), which matches the frame {@code 0x9f} pagemap reports for a guard marker.
 */
public final class Swapops {
    private Swapops() {}

    public static final int MAX_SWAPFILES_SHIFT = 5;
    public static final int SWP_TYPE_SHIFT = 64 - MAX_SWAPFILES_SHIFT;
    public static final long SWP_OFFSET_MASK = (1L << SWP_TYPE_SHIFT) - 1;

    public static final int SWP_PTE_MARKER_NUM = 1;
    public static final int SWP_DEVICE_NUM = 3;
    public static final int SWP_MIGRATION_NUM = 3;
    public static final int SWP_HWPOISON_NUM = 1;
    public static final int MAX_SWAPFILES = (1 << MAX_SWAPFILES_SHIFT)
            - SWP_DEVICE_NUM - SWP_MIGRATION_NUM - SWP_HWPOISON_NUM - SWP_PTE_MARKER_NUM;
    public static final int SWP_HWPOISON = MAX_SWAPFILES;
    public static final int SWP_MIGRATION_READ = MAX_SWAPFILES + SWP_HWPOISON_NUM;
    public static final int SWP_MIGRATION_READ_EXCLUSIVE = SWP_MIGRATION_READ + 1;
    public static final int SWP_MIGRATION_WRITE = SWP_MIGRATION_READ + 2;
    public static final int SWP_DEVICE_WRITE = MAX_SWAPFILES + SWP_HWPOISON_NUM + SWP_MIGRATION_NUM;
    public static final int SWP_DEVICE_READ = SWP_DEVICE_WRITE + 1;
    public static final int SWP_DEVICE_EXCLUSIVE = SWP_DEVICE_WRITE + 2;
    public static final int SWP_PTE_MARKER = SWP_DEVICE_WRITE + SWP_DEVICE_NUM;

    public static final long PTE_MARKER_UFFD_WP = 1L << 0;
    public static final long PTE_MARKER_POISONED = 1L << 1;
    public static final long PTE_MARKER_GUARD = 1L << 2;

    // x86-64 arch encoding
    private static final int ARCH_SWP_TYPE_BITS = 5;
    private static final int ARCH_SWP_OFFSET_FIRST_BIT = Pgtable._PAGE_BIT_PROTNONE + 1;
    private static final int ARCH_SWP_OFFSET_SHIFT = ARCH_SWP_OFFSET_FIRST_BIT + ARCH_SWP_TYPE_BITS;

    /** {@code swp_entry(type, offset)}: the arch-independent value. */
    public static long swp_entry(int type, long offset) {
        return ((long) type << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK);
    }

    public static int swp_type(long entry) {
        return (int) (entry >>> SWP_TYPE_SHIFT);
    }

    public static long swp_offset(long entry) {
        return entry & SWP_OFFSET_MASK;
    }

    /** {@code swp_entry_to_pte()}: the x86-64 PTE for a swap entry, with no software bits set. */
    public static long swp_entry_to_pte(long entry) {
        long type = swp_type(entry);
        long offset = swp_offset(entry);
        return ((~offset) << ARCH_SWP_OFFSET_SHIFT >>> ARCH_SWP_TYPE_BITS) | (type << (64 - ARCH_SWP_TYPE_BITS));
    }

    /** {@code pte_to_swp_entry()}; the software bits (soft-dirty, uffd-wp, exclusive) are dropped. */
    public static long pte_to_swp_entry(long pte) {
        int type = (int) (pte >>> (64 - ARCH_SWP_TYPE_BITS));
        long offset = (~pte) << ARCH_SWP_TYPE_BITS >>> ARCH_SWP_OFFSET_SHIFT;
        return swp_entry(type, offset);
    }

    public static long pmd_to_swp_entry(long pmd) {
        return pte_to_swp_entry(pmd);
    }

    public static long swp_entry_to_pmd(long entry) {
        return swp_entry_to_pte(entry);
    }

    public static boolean non_swap_entry(long entry) {
        return swp_type(entry) >= MAX_SWAPFILES;
    }

    public static boolean is_migration_entry(long entry) {
        int t = swp_type(entry);
        return t >= SWP_MIGRATION_READ && t <= SWP_MIGRATION_WRITE;
    }

    public static boolean is_writable_migration_entry(long entry) {
        return swp_type(entry) == SWP_MIGRATION_WRITE;
    }

    public static boolean is_device_private_entry(long entry) {
        int t = swp_type(entry);
        return t == SWP_DEVICE_WRITE || t == SWP_DEVICE_READ;
    }

    public static boolean is_device_exclusive_entry(long entry) {
        return swp_type(entry) == SWP_DEVICE_EXCLUSIVE;
    }

    public static boolean is_hwpoison_entry(long entry) {
        return swp_type(entry) == SWP_HWPOISON;
    }

    /** Entries whose offset is a PFN: migration, device-private/exclusive and hwpoison. */
    public static boolean is_pfn_swap_entry(long entry) {
        return is_migration_entry(entry) || is_device_private_entry(entry)
                || is_device_exclusive_entry(entry) || is_hwpoison_entry(entry);
    }

    public static long swp_offset_pfn(long entry) {
        return swp_offset(entry);
    }

    public static long make_migration_entry(int type, long pfn) {
        return swp_entry(type, pfn);
    }

    public static boolean is_pte_marker_entry(long entry) {
        return swp_type(entry) == SWP_PTE_MARKER;
    }

    public static long pte_marker_get(long entry) {
        return swp_offset(entry);
    }

    public static long make_pte_marker_entry(long marker) {
        return swp_entry(SWP_PTE_MARKER, marker);
    }

    /** {@code make_pte_marker()}: a PTE holding only a marker (guard, poisoned, uffd-wp). */
    public static long make_pte_marker(long marker) {
        return swp_entry_to_pte(make_pte_marker_entry(marker));
    }

    public static boolean is_pte_marker(long pte) {
        return Pgtable.is_swap_pte(pte) && is_pte_marker_entry(pte_to_swp_entry(pte));
    }

    public static boolean is_guard_pte_marker(long pte) {
        return is_pte_marker(pte) && (pte_marker_get(pte_to_swp_entry(pte)) & PTE_MARKER_GUARD) != 0;
    }

    public static boolean is_uffd_wp_pte_marker(long pte) {
        return is_pte_marker(pte) && (pte_marker_get(pte_to_swp_entry(pte)) & PTE_MARKER_UFFD_WP) != 0;
    }

    public static boolean is_poisoned_pte_marker(long pte) {
        return is_pte_marker(pte) && (pte_marker_get(pte_to_swp_entry(pte)) & PTE_MARKER_POISONED) != 0;
    }

    /** {@code is_pmd_migration_entry()}. */
    public static boolean is_pmd_migration_entry(long pmd) {
        return Pgtable.is_swap_pmd(pmd) && is_migration_entry(pmd_to_swp_entry(pmd));
    }
}
