package io.pagewalk.runtime.pgtable;

/**
 * The shape of an x86-64 page-table tree, as data (the walker has one function per level, but the
 * shifts and folding come from here, as Volatility's intel layers keep geometry out of the walker).
 *
 * <p>Levels are numbered as the kernel's {@code pte_hole} depth: 0 PGD, 1 P4D, 2 PUD, 3 PMD, and 4
 * for the PTE tables. With 4-level paging the P4D is folded into the PGD exactly as x86-64 does it
 * when la57 is off: {@code PTRS_PER_P4D == 1}, {@code p4d_offset()} returns the PGD entry itself,
 * and {@code pgd_none()} is constant false.
 */
public enum PagingGeometry {
    /** 48-bit virtual addresses, P4D folded. */
    X86_64_4LEVEL(4, new int[] {39, 39, 30, 21, 12}),
    /** 57-bit virtual addresses (la57). */
    X86_64_5LEVEL(5, new int[] {48, 39, 30, 21, 12});

    public static final int PGD = 0;
    public static final int P4D = 1;
    public static final int PUD = 2;
    public static final int PMD = 3;
    public static final int PTE = 4;

    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    public static final long PAGE_MASK = ~(PAGE_SIZE - 1);
    public static final int PMD_SHIFT = 21;
    public static final long PMD_SIZE = 1L << PMD_SHIFT;
    public static final long PMD_MASK = ~(PMD_SIZE - 1);
    public static final int PUD_SHIFT = 30;
    public static final long PUD_SIZE = 1L << PUD_SHIFT;
    public static final long PUD_MASK = ~(PUD_SIZE - 1);
    public static final int PTRS_PER_TABLE = 512;
    /** Pages mapped by one PMD leaf. */
    public static final int HPAGE_PMD_NR = 1 << (PMD_SHIFT - PAGE_SHIFT);

    private final int levels;
    private final int[] shifts;

    PagingGeometry(int levels, int[] shifts) {
        this.levels = levels;
        this.shifts = shifts;
    }

    public int pagingLevels() {
        return levels;
    }

    /** Address bits translated; user space is the lower half of this. */
    public int virtualAddressBits() {
        return shifts[PGD] + 9;
    }

    /** {@code TASK_SIZE_MAX}: one page below the top of the lower canonical half. */
    public long taskSize() {
        return (1L << (virtualAddressBits() - 1)) - PAGE_SIZE;
    }

    /** log2 of the bytes one entry of {@code level} maps. */
    public int shift(int level) {
        return shifts[level];
    }

    public long size(int level) {
        return 1L << shifts[level];
    }

    public long mask(int level) {
        return ~(size(level) - 1);
    }

    /** {@code PTRS_PER_P?D}: 1 for a folded level. */
    public int ptrsPer(int level) {
        return isFolded(level) ? 1 : PTRS_PER_TABLE;
    }

    public boolean isFolded(int level) {
        return level == P4D && levels == 4;
    }

    /** Index of {@code addr} in a table of {@code level} ({@code pgd_index}, {@code pmd_index}, ...). */
    public int index(int level, long addr) {
        return isFolded(level) ? 0 : (int) ((addr >>> shifts[level]) & (PTRS_PER_TABLE - 1));
    }

    /**
     * {@code p?d_addr_end()}: the next boundary of {@code level} after {@code addr}, or {@code end}
     * if that comes first. Unsigned with the kernel's {@code -1} trick, so {@code end == 0} means
     * the top of the address space and a boundary that wraps to 0 still compares correctly.
     */
    public long addrEnd(int level, long addr, long end) {
        long boundary = (addr + size(level)) & mask(level);
        return Long.compareUnsigned(boundary - 1, end - 1) < 0 ? boundary : end;
    }

    /**
     * {@code real_depth()}: a hole found at a folded level is reported at the nearest real level
     * above it.
     */
    public int realDepth(int depth) {
        if (depth == PMD && ptrsPer(PMD) == 1) {
            depth = PUD;
        }
        if (depth == PUD && ptrsPer(PUD) == 1) {
            depth = P4D;
        }
        if (depth == P4D && ptrsPer(P4D) == 1) {
            depth = PGD;
        }
        return depth;
    }

    public static PagingGeometry ofLevels(int levels) {
        return switch (levels) {
            case 4 -> X86_64_4LEVEL;
            case 5 -> X86_64_5LEVEL;
            default -> throw new IllegalArgumentException("x86-64 has 4- or 5-level paging, not " + levels);
        };
    }
}
