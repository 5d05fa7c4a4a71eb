package io.pagewalk.runtime.procfs;

import java.util.Arrays;

/**
 * Decoding of one 64-bit /proc/PID/pagemap entry (Documentation/admin-guide/mm/pagemap.rst).
 *
 * <pre>
 * 63 present   62 swapped (any non-present, non-none PTE: swap, migration, guard marker, ...)
 * 61 file page or shared anonymous (shmem counts as file)
 * 58 guard region (6.15+)   57 uffd-wp   56 exclusively mapped   55 soft-dirty
 *  0-54 PFN when present (zeroed without CAP_SYS_ADMIN)
 *  0-4 swap type and 5-54 swap offset when swapped (also zeroed without CAP_SYS_ADMIN)
 * </pre>
 */
public final class PagemapEntry {
    public static final long PM_PRESENT = 1L << 63;
    public static final long PM_SWAP = 1L << 62;
    public static final long PM_FILE = 1L << 61;
    public static final long PM_GUARD_REGION = 1L << 58;
    public static final long PM_UFFD_WP = 1L << 57;
    public static final long PM_MMAP_EXCLUSIVE = 1L << 56;
    public static final long PM_SOFT_DIRTY = 1L << 55;
    public static final long PM_PFN_MASK = (1L << 55) - 1;
    /** MAX_SWAPFILES_SHIFT: the swap type takes the low 5 bits of the frame field. */
    public static final int SWAP_TYPE_BITS = 5;

    private PagemapEntry() {
    }

    public static boolean present(long e) {
        return (e & PM_PRESENT) != 0;
    }

    public static boolean swapped(long e) {
        return (e & PM_SWAP) != 0;
    }

    /** Bit 61: a file page, or shared anonymous (shmem) memory. */
    public static boolean fileOrSharedAnon(long e) {
        return (e & PM_FILE) != 0;
    }

    public static boolean guard(long e) {
        return (e & PM_GUARD_REGION) != 0;
    }

    public static boolean uffdWriteProtected(long e) {
        return (e & PM_UFFD_WP) != 0;
    }

    /** Bit 56: set means certainly mapped only here; clear means it might be shared. */
    public static boolean exclusive(long e) {
        return (e & PM_MMAP_EXCLUSIVE) != 0;
    }

    public static boolean softDirty(long e) {
        return (e & PM_SOFT_DIRTY) != 0;
    }

    /** True when nothing is mapped (none PTE, no table, or outside any VMA). */
    public static boolean none(long e) {
        return (e & ~PM_SOFT_DIRTY) == 0;
    }

    /** The PFN of a present entry, else 0. 0 for present entries also means "PFNs hidden". */
    public static long pfn(long e) {
        return present(e) ? e & PM_PFN_MASK : 0;
    }

    /** The swap type of a swapped entry (31 = PTE markers on the test machine), else -1. */
    public static int swapType(long e) {
        return swapped(e) ? (int) (e & ((1 << SWAP_TYPE_BITS) - 1)) : -1;
    }

    /** The swap offset of a swapped entry (the PFN for migration entries), else -1. */
    public static long swapOffset(long e) {
        return swapped(e) ? (e & PM_PFN_MASK) >>> SWAP_TYPE_BITS : -1;
    }

    /**
     * The distinct PFNs of the present entries, sorted: the input for
     * {@link KpageReader#read(long[])}. PFN 0 (hidden PFNs) is left out.
     */
    public static long[] presentPfns(long[] entries, int from, int to) {
        long[] pfns = new long[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            long pfn = pfn(entries[i]);
            if (pfn != 0) {
                pfns[n++] = pfn;
            }
        }
        long[] sorted = Arrays.copyOf(pfns, n);
        Arrays.sort(sorted);
        int u = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (u == 0 || sorted[i] != sorted[u - 1]) {
                sorted[u++] = sorted[i];
            }
        }
        return Arrays.copyOf(sorted, u);
    }

    /** A short human form: {@code present|file|exclusive pfn=0x1234}, {@code swap|guard type=31 offset=0x4}. */
    public static String describe(long e) {
        if (none(e)) {
            return softDirty(e) ? "none|soft-dirty" : "none";
        }
        StringBuilder sb = new StringBuilder(present(e) ? "present" : swapped(e) ? "swap" : "flags");
        if (fileOrSharedAnon(e)) {
            sb.append("|file");
        }
        if (exclusive(e)) {
            sb.append("|exclusive");
        }
        if (guard(e)) {
            sb.append("|guard");
        }
        if (uffdWriteProtected(e)) {
            sb.append("|uffd-wp");
        }
        if (softDirty(e)) {
            sb.append("|soft-dirty");
        }
        if (present(e)) {
            sb.append(" pfn=0x").append(Long.toHexString(pfn(e)));
        } else if (swapped(e)) {
            sb.append(" type=").append(swapType(e)).append(" offset=0x").append(Long.toHexString(swapOffset(e)));
        }
        return sb.toString();
    }
}
