package io.pagewalk.runtime.builder;

/**
 * The machine a {@link SyntheticProcess} runs on: the settings that change what the kernel does
 * for the same system calls. {@link #defaults()} is upstream's defaults (4-level paging, THP
 * "madvise", read faults map the shared zero page, no swap, an unlimited hugetlb pool).
 *
 * @param pagingLevels 4 or 5 (la57)
 * @param thpMode {@code transparent_hugepage/enabled}
 * @param readFaultsMapZeroPage false on kernels booted with {@code pvm_no_zero_page=1}, where a read
 *     fault on anonymous memory allocates a private page (and a huge read fault a THP)
 * @param swap whether a swap device exists (MADV_PAGEOUT then turns anonymous pages into swap entries)
 * @param hugetlbPages the free 2 MiB hugetlb pages ({@code nr_hugepages}); {@code Long.MAX_VALUE} for no limit
 */
public record SyntheticConfig(int pagingLevels, ThpMode thpMode, boolean readFaultsMapZeroPage, boolean swap,
                              long hugetlbPages) {
    public SyntheticConfig {
        if (pagingLevels != 4 && pagingLevels != 5) {
            throw new IllegalArgumentException("x86-64 has 4- or 5-level paging, not " + pagingLevels);
        }
        if (thpMode == null) {
            throw new IllegalArgumentException("thpMode must not be null");
        }
        if (hugetlbPages < 0) {
            throw new IllegalArgumentException("hugetlbPages must not be negative: " + hugetlbPages);
        }
    }

    public static SyntheticConfig defaults() {
        return new SyntheticConfig(4, ThpMode.MADVISE, true, false, Long.MAX_VALUE);
    }

    public SyntheticConfig withPagingLevels(int levels) {
        return new SyntheticConfig(levels, thpMode, readFaultsMapZeroPage, swap, hugetlbPages);
    }

    public SyntheticConfig withThpMode(ThpMode mode) {
        return new SyntheticConfig(pagingLevels, mode, readFaultsMapZeroPage, swap, hugetlbPages);
    }

    public SyntheticConfig withZeroPage(boolean readFaultsMapZeroPage) {
        return new SyntheticConfig(pagingLevels, thpMode, readFaultsMapZeroPage, swap, hugetlbPages);
    }

    public SyntheticConfig withSwap(boolean swap) {
        return new SyntheticConfig(pagingLevels, thpMode, readFaultsMapZeroPage, swap, hugetlbPages);
    }

    public SyntheticConfig withHugetlbPages(long pages) {
        return new SyntheticConfig(pagingLevels, thpMode, readFaultsMapZeroPage, swap, pages);
    }
}
