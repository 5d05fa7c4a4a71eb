package io.pagewalk.runtime.builder;

import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import java.util.HashMap;
import java.util.Map;

/**
 * What the processes of one synthetic machine share: the {@link MemMap}, the page allocator, the
 * swap device, the hugetlb pool and the system settings. A forked child runs on its parent's
 * machine, so both see the same frames.
 */
final class Machine {
    /** Flags of a fresh anonymous folio once it is on the LRU, as kpageflags shows it on 6.18. */
    static final long ANON_FOLIO = PageFlags.UPTODATE | PageFlags.LRU | PageFlags.ANON | PageFlags.SWAPBACKED
            | PageFlags.ANON_EXCLUSIVE;
    /** {@code MKDEV()} of the pseudo file systems, as this test machine numbers them. */
    static final long SHMEM_DEV = dev(0, 1);
    static final long HUGETLBFS_DEV = dev(0, 0x11);

    final SyntheticConfig config;
    final MemMap memMap = new MemMap();
    private static final long FIRST_PFN = 0x100000;
    private long nextPfn = FIRST_PFN;
    private long nextSwapOffset = 1;
    private final Map<Long, Integer> swapCount = new HashMap<>();
    private long hugetlbFree;
    private long nextInode = 1000;
    private final Map<Integer, Long> fileSizes = new HashMap<>();
    /** PG_anon_exclusive per page, indexed by {@code pfn - FIRST_PFN} (the allocator's range). */
    private final java.util.BitSet anonExclusive = new java.util.BitSet();
    /** Files only mappings hold open (shared anonymous memory, MAP_HUGETLB): gone with the last VMA. */
    private final java.util.Set<Integer> mappingOnlyFiles = new java.util.HashSet<>();
    /** Swap cache: slot to the folio still cached for it while other entries refer to the slot. */
    final Map<Long, Long> swapCache = new HashMap<>();

    Machine(SyntheticConfig config) {
        this.config = config;
        this.hugetlbFree = config.hugetlbPages();
        memMap.setZeroPfn(memMap.zeroPfn());
    }

    /** The kernel's {@code MKDEV(major, minor)}. */
    static long dev(int major, int minor) {
        return ((long) major << 20) | minor;
    }

    /** {@code i_size} in pages (4 KiB pages; for hugetlbfs, counted in small pages too). */
    long fileSize(io.pagewalk.runtime.mm.AddressSpace file) {
        return fileSizes.getOrDefault(file.id(), 0L);
    }

    void setFileSize(io.pagewalk.runtime.mm.AddressSpace file, long pages) {
        fileSizes.put(file.id(), pages);
    }

    void markMappingOnly(io.pagewalk.runtime.mm.AddressSpace file) {
        mappingOnlyFiles.add(file.id());
    }

    /**
     * The last VMA of {@code file} went away: a file only mappings held open is released, and its
     * page cache (shmem pages, hugetlb pages back to the pool) freed, as when the kernel drops the
     * last reference to the inode.
     */
    void releaseIfUnmapped(io.pagewalk.runtime.mm.AddressSpace file) {
        if (file == null || !file.iMmap().isEmpty() || !mappingOnlyFiles.remove(file.id())) {
            return;
        }
        for (long pfn : file.pageCache().values()) {
            if (memMap.pfnValid(pfn) && memMap.folioMapcount(pfn) == 0) {
                if (memMap.test(pfn, io.pagewalk.runtime.mm.PageFlags.HUGE)) {
                    hugetlbGive();
                }
                freeFolio(pfn);
            }
        }
        file.pageCache().clear();
        fileSizes.remove(file.id());
    }

    long nextInode() {
        return nextInode++;
    }

    /** A free, naturally aligned run of {@code 2^order} frames. */
    long allocFrames(int order) {
        long n = 1L << order;
        long head = (nextPfn + n - 1) & ~(n - 1);
        nextPfn = head + n;
        return head;
    }

    /** A new, unmapped anonymous folio ({@code vma_alloc_folio} + {@code folio_add_new_anon_rmap}). */
    long newAnonFolio(int order, long index) {
        long head = allocFrames(order);
        memMap.setFolio(head, order, ANON_FOLIO | (order > 0 ? PageFlags.THP : 0), 0, 0);
        memMap.setMapping(head, null, index);
        setFolioAnonExclusive(head, true);
        return head;
    }

    // ---- PageAnonExclusive ----
    //
    // The kernel keeps PG_anon_exclusive per page, but kpageflags reports the head page's flags
    // for every page of a large folio (stable_page_flags() reads folio->flags). The truth per page
    // lives here; the MemMap shows what kpageflags would.

    boolean anonExclusive(long pfn) {
        return pfn >= FIRST_PFN && anonExclusive.get(bit(pfn));
    }

    void setAnonExclusive(long pfn, boolean on) {
        anonExclusive.set(bit(pfn), on);
        reflectAnonExclusive(memMap.folioHead(pfn));
    }

    void setFolioAnonExclusive(long pfn, boolean on) {
        long head = memMap.folioHead(pfn);
        long n = memMap.folioNrPages(head);
        anonExclusive.set(bit(head), bit(head + n), on);
        reflectAnonExclusive(head);
    }

    /** Shows the head's bit on every page of the folio, as kpageflags does. */
    void reflectAnonExclusive(long head) {
        long n = memMap.folioNrPages(head);
        boolean on = anonExclusive(head);
        for (long i = 0; i < n; i++) {
            if (on) {
                memMap.setFlag(head + i, PageFlags.ANON_EXCLUSIVE);
            } else {
                memMap.clearFlag(head + i, PageFlags.ANON_EXCLUSIVE);
            }
        }
    }

    private static int bit(long pfn) {
        return Math.toIntExact(pfn - FIRST_PFN);
    }

    /** Frees a folio and forgets its per-page state. */
    void freeFolio(long pfn) {
        long head = memMap.folioHead(pfn);
        long n = memMap.folioNrPages(head);
        if (head >= FIRST_PFN) {
            anonExclusive.clear(bit(head), bit(head + n));
        }
        memMap.freeFolio(head);
    }

    void freePage(long pfn) {
        if (pfn >= FIRST_PFN) {
            anonExclusive.clear(bit(pfn));
        }
        memMap.freePage(pfn);
    }

    /** The huge zero folio, made on first use ({@code mm_get_huge_zero_folio}). */
    long hugeZeroPfn() {
        if (memMap.hugeZeroPfn() < 0) {
            memMap.setHugeZeroPfn(allocFrames(PagingGeometry.PMD_SHIFT - PagingGeometry.PAGE_SHIFT));
        }
        return memMap.hugeZeroPfn();
    }

    // ---- hugetlb pool ----

    /** Whether {@code pages} free huge pages are there ({@code hugetlb_reserve_pages}). */
    boolean hugetlbAvailable(long pages) {
        return hugetlbFree == Long.MAX_VALUE || pages <= hugetlbFree;
    }

    /** Takes one huge page from the pool for a fault; false when the pool is empty (SIGBUS). */
    boolean hugetlbTake() {
        if (hugetlbFree == Long.MAX_VALUE) {
            return true;
        }
        if (hugetlbFree == 0) {
            return false;
        }
        hugetlbFree--;
        return true;
    }

    void hugetlbGive() {
        if (hugetlbFree != Long.MAX_VALUE) {
            hugetlbFree++;
        }
    }

    // ---- swap ----

    /** A new swap slot with one reference ({@code folio_alloc_swap}); the offset within swap type 0. */
    long allocSwap() {
        long offset = nextSwapOffset++;
        swapCount.put(offset, 1);
        return offset;
    }

    void swapDup(long offset) {
        swapCount.merge(offset, 1, Integer::sum);
    }

    /** Drops one reference ({@code swap_free}); true when the slot became free. */
    boolean swapFree(long offset) {
        Integer n = swapCount.get(offset);
        if (n == null || n <= 1) {
            swapCount.remove(offset);
            return true;
        }
        swapCount.put(offset, n - 1);
        return false;
    }

    /** References to a swap slot ({@code swp_swapcount}), 0 when free. */
    int swapCount(long offset) {
        return swapCount.getOrDefault(offset, 0);
    }
}
