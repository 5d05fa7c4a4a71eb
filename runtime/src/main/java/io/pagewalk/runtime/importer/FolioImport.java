package io.pagewalk.runtime.importer;

import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.procfs.KpageReader;
import io.pagewalk.runtime.procfs.ProcfsException;
import java.util.Arrays;

/**
 * Fills a {@link MemMap} from /proc/kpageflags and /proc/kpagecount for the PFNs a process maps.
 *
 * <ul>
 * <li>Flags are stored as read (KPF numbering is the model's own, {@link PageFlags}).</li>
 * <li>Folios: a page with {@code COMPOUND_HEAD} followed by {@code 2^order - 1} pages with
 *     {@code COMPOUND_TAIL} is one folio of that order. Folios are naturally aligned, so for every
 *     mapped page of a large folio its whole aligned 512-page block is read as well (one more run
 *     per folio), which finds the head and the unmapped subpages (a THP with a hole); blocks
 *     before it are read while the block still starts with a tail (hugetlb 1 GiB folios).</li>
 * <li>Mapcounts are kpagecount per page (every mapping in every process, a PMD mapping counting
 *     for each subpage). The entire mapcount is added by the page-table builder for the PMD and
 *     PUD leaves of this process only: other processes' PMD mappings of the same folio cannot be
 *     told apart from PTE mappings, so it is a lower bound when the folio is shared.</li>
 * <li>The zero page and the huge zero folio are recognised by {@code KPF_ZERO_PAGE}.</li>
 * <li>Without flags every page is order 0 with flags 0 and {@link MemMap#flagsKnown()} false;
 *     without counts mapcounts are 0 and {@link MemMap#countsKnown()} false.</li>
 * </ul>
 */
final class FolioImport {
    private static final int BLOCK = 512;
    /** Largest folio looked for: order 18, a 1 GiB hugetlb page. */
    private static final int MAX_BLOCKS_BACK = 1 << (18 - 9);

    /** Heads of the large folios made, for the refcounts set once entire mapcounts are known. */
    long[] heads = new long[0];
    /** Pages that had COMPOUND_TAIL but whose head was not found; imported as small pages. */
    int orphanTails;
    /** PFN of the zero page, or -1 if no mapped page has KPF_ZERO_PAGE. */
    long zeroPfn = -1;
    long hugeZeroPfn = -1;

    static FolioImport load(MemMap memMap, long[] pfns, KpageReader reader, boolean flagsKnown, boolean countsKnown)
            throws ProcfsException {
        FolioImport f = new FolioImport();
        long[] flags = flagsKnown ? reader.readFlags(pfns) : new long[pfns.length];
        long[] counts = countsKnown ? reader.readCounts(pfns) : new long[pfns.length];
        if (flagsKnown) {
            // Whole aligned blocks around large folios, then further back while a block starts with a tail.
            long[][] merged = {pfns, flags, counts};
            long[] extra = blocksAroundCompound(merged[0], merged[1]);
            for (int round = 0; extra.length > 0 && round <= MAX_BLOCKS_BACK; round++) {
                merged = merge(merged, extra, reader.readFlags(extra), countsKnown ? reader.readCounts(extra)
                        : new long[extra.length]);
                extra = blocksBeforeLeadingTails(merged[0], merged[1]);
            }
            pfns = merged[0];
            flags = merged[1];
            counts = merged[2];
        }
        f.fill(memMap, pfns, flags, counts);
        return f;
    }

    private static boolean compound(long flags) {
        return (flags & (PageFlags.COMPOUND_HEAD | PageFlags.COMPOUND_TAIL)) != 0;
    }

    private static long[] blocksAroundCompound(long[] pfns, long[] flags) {
        LongList out = new LongList();
        long lastBlock = -1;
        for (int i = 0; i < pfns.length; i++) {
            if (compound(flags[i])) {
                long block = pfns[i] & ~(BLOCK - 1L);
                if (block != lastBlock) {
                    addMissing(out, pfns, block, block + BLOCK);
                    lastBlock = block;
                }
            }
        }
        return out.sortedDistinct();
    }

    // A block whose first page is a tail belongs to a folio larger than 512 pages: read the block before.
    private static long[] blocksBeforeLeadingTails(long[] pfns, long[] flags) {
        LongList out = new LongList();
        for (int i = 0; i < pfns.length; i++) {
            long pfn = pfns[i];
            if ((pfn & (BLOCK - 1)) == 0 && (flags[i] & PageFlags.COMPOUND_TAIL) != 0 && pfn >= BLOCK
                    && (i == 0 || pfns[i - 1] != pfn - 1)) {
                addMissing(out, pfns, pfn - BLOCK, pfn);
            }
        }
        return out.sortedDistinct();
    }

    private static void addMissing(LongList out, long[] have, long from, long to) {
        int i = Arrays.binarySearch(have, from);
        if (i < 0) {
            i = -i - 1;
        }
        for (long p = from; p < to; p++) {
            if (i < have.length && have[i] == p) {
                i++;
            } else {
                out.add(p);
            }
        }
    }

    private static long[][] merge(long[][] a, long[] bp, long[] bf, long[] bc) {
        long[] ap = a[0];
        int n = ap.length + bp.length;
        long[] p = new long[n];
        long[] f = new long[n];
        long[] c = new long[n];
        int i = 0;
        int j = 0;
        for (int k = 0; k < n; k++) {
            if (j >= bp.length || (i < ap.length && ap[i] < bp[j])) {
                p[k] = ap[i];
                f[k] = a[1][i];
                c[k] = a[2][i];
                i++;
            } else {
                p[k] = bp[j];
                f[k] = bf[j];
                c[k] = bc[j];
                j++;
            }
        }
        return new long[][] {p, f, c};
    }

    /** Makes the pages and folios of sorted {@code pfns} with their kpageflags and kpagecount values. */
    void fill(MemMap memMap, long[] pfns, long[] flags, long[] counts) {
        LongList headList = new LongList();
        int i = 0;
        while (i < pfns.length) {
            long pfn = pfns[i];
            long fl = flags[i];
            int n = 1;
            if ((fl & PageFlags.COMPOUND_HEAD) != 0) {
                while (i + n < pfns.length && pfns[i + n] == pfn + n && (flags[i + n] & PageFlags.COMPOUND_TAIL) != 0) {
                    n++;
                }
            }
            int order = 31 - Integer.numberOfLeadingZeros(n);
            if (n != 1 << order || (pfn & (n - 1)) != 0) {
                order = 0; // not a whole aligned folio (torn read): keep its pages as small pages
                n = 1;
            }
            if (order == 0 && (fl & PageFlags.COMPOUND_TAIL) != 0) {
                orphanTails++;
            }
            if ((fl & PageFlags.ZERO_PAGE) != 0) {
                if (order > 0) {
                    memMap.setHugeZeroPfn(pfn);
                    hugeZeroPfn = pfn;
                } else {
                    memMap.setZeroPfn(pfn);
                    zeroPfn = pfn;
                }
            }
            if (order == 0) {
                // setPage drops the compound bits of an orphan tail; a small page has no entire
                // mapping, so its refcount (mapcount, at least 1) is final here.
                memMap.setPage(pfn, fl, (int) counts[i], Math.max(1, (int) counts[i]));
            } else {
                headList.add(pfn);
                memMap.setFolio(pfn, order, fl, 0, 1);
                for (int k = 0; k < n; k++) {
                    memMap.setFlags(pfn + k, flags[i + k]);
                    memMap.setMapcount(pfn + k, (int) counts[i + k]);
                }
            }
            i += n;
        }
        heads = headList.toArray();
    }

    /**
     * Sets each large folio's refcount to its mapcount (at least 1), as small pages already have
     * it: the kernel does not export refcounts, and the model assumes no extra pins.
     */
    void setRefcounts(MemMap memMap) {
        for (long head : heads) {
            memMap.setRefcount(head, Math.max(1, memMap.folioMapcount(head)));
        }
    }

    /** A growable primitive long list. */
    static final class LongList {
        private long[] a = new long[16];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        long get(int i) {
            return a[i];
        }

        long[] toArray() {
            return Arrays.copyOf(a, n);
        }

        long[] sortedDistinct() {
            long[] s = toArray();
            Arrays.sort(s);
            int u = 0;
            for (int i = 0; i < s.length; i++) {
                if (u == 0 || s[i] != s[u - 1]) {
                    s[u++] = s[i];
                }
            }
            return Arrays.copyOf(s, u);
        }
    }
}
