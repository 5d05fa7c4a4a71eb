package io.pagewalk.runtime.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.pagewalk.runtime.procfs.PagemapEntry;
import org.junit.jupiter.api.Test;

class PagemapSnapshotTest {
    private static long present(long pfn) {
        return PagemapEntry.PM_PRESENT | pfn;
    }

    private static PagemapSnapshot of(long[]... runs) {
        PagemapSnapshot s = new PagemapSnapshot();
        long addr = 0x400000;
        for (long[] r : runs) {
            s.runs.add(new PagemapSnapshot.Run(null, addr, r));
            addr += 0x1000000;
        }
        return s;
    }

    @Test
    void presentPfnsAreSortedAndDistinctWithTheBitmap() {
        PagemapSnapshot s = of(new long[] {present(9), 0, present(3), PagemapEntry.PM_SWAP | 0x9f},
                new long[] {present(3), present(4), present(200)});
        assertArrayEquals(new long[] {3, 4, 9, 200}, s.presentPfns());
    }

    @Test
    void presentPfnsAreSortedAndDistinctWhenTooSparseForABitmap() {
        PagemapSnapshot s = of(new long[] {present(1L << 40), present(5), present(1L << 40)});
        assertArrayEquals(new long[] {5, 1L << 40}, s.presentPfns());
    }

    @Test
    void hiddenPfnsGiveNone() {
        assertArrayEquals(new long[0], of(new long[] {PagemapEntry.PM_PRESENT}).presentPfns());
    }
}
