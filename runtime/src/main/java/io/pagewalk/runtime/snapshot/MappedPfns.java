package io.pagewalk.runtime.snapshot;

import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The PFNs that present leaf entries map, each once, in the order the page-table tree lists them
 * (depth first), keeping only PFNs whose memmap section exists. Writer and reader compute the same
 * list from the same entries, so the memmap of mapped pages is written in this order and costs
 * no positions: a PFN the page tables already hold is not written twice.
 */
final class MappedPfns {
    private static final int SLOTS = MemMap.RAW_SECTION_PAGES;
    private static final int SHIFT = Integer.numberOfTrailingZeros(SLOTS);

    /** Visited slots of each existing section, as a bitmap, and (last word) how many. */
    private final Map<Long, long[]> visited = new HashMap<>();
    private long[] pfns = new long[1024];
    private int size;

    MappedPfns(Iterable<Long> sectionNumbers) {
        for (long number : sectionNumbers) {
            visited.put(number, new long[SLOTS / 64 + 1]);
        }
    }

    /** Adds what {@code entry}, a leaf or non-present entry of a table of {@code level}, maps. */
    void addEntry(int level, long entry) {
        switch (level) {
            case PagingGeometry.PTE -> {
                if (Pgtable.pte_present(entry)) {
                    add(Pgtable.pte_pfn(entry), 1);
                }
            }
            case PagingGeometry.PMD -> {
                if (Pgtable.pmd_present(entry) && Pgtable.pmd_leaf(entry)) {
                    add(Pgtable.pmd_pfn(entry), PagingGeometry.HPAGE_PMD_NR);
                }
            }
            case PagingGeometry.PUD -> {
                if (Pgtable.pud_present(entry) && Pgtable.pud_leaf(entry)) {
                    add(Pgtable.pud_pfn(entry), 1L << (PagingGeometry.PUD_SHIFT - PagingGeometry.PAGE_SHIFT));
                }
            }
            default -> { }
        }
    }

    /**
     * Section by section, and 64 slots at a time, so that a leaf over missing sections or over
     * slots already seen costs next to nothing (a crafted file may repeat one huge leaf many times).
     */
    private void add(long first, long n) {
        long pfn = first;
        long end = first + n;
        while (pfn < end) {
            long sectionEnd = ((pfn >>> SHIFT) + 1) << SHIFT;
            long chunkEnd = Math.min(end, sectionEnd);
            long[] bits = visited.get(pfn >>> SHIFT);
            if (bits != null && bits[SLOTS / 64] < SLOTS) {
                long p = pfn;
                while (p < chunkEnd) {
                    int slot = (int) (p & (SLOTS - 1));
                    if ((slot & 63) == 0 && p + 64 <= chunkEnd && bits[slot >>> 6] == -1L) {
                        p += 64;
                        continue;
                    }
                    long mask = 1L << slot;
                    if ((bits[slot >>> 6] & mask) == 0) {
                        bits[slot >>> 6] |= mask;
                        bits[SLOTS / 64]++;
                        if (size == pfns.length) {
                            pfns = Arrays.copyOf(pfns, size * 2);
                        }
                        pfns[size++] = p;
                    }
                    p++;
                }
            }
            pfn = chunkEnd;
        }
    }

    boolean contains(long pfn) {
        long[] bits = visited.get(pfn >>> SHIFT);
        int slot = (int) (pfn & (SLOTS - 1));
        return bits != null && (bits[slot >>> 6] & (1L << slot)) != 0;
    }

    long pfn(int i) {
        return pfns[i];
    }

    int size() {
        return size;
    }
}
