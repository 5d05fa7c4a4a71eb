package io.pagewalk.runtime.importer;

import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.procfs.PagemapScan;
import io.pagewalk.runtime.procfs.ProcfsException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pagemap entries of every VMA, kept as runs that start and end with a non-none entry, so
 * that a large, sparsely populated VMA costs only its populated parts. Read sequentially, VMA by
 * VMA, {@link PagemapReader#MAX_ENTRIES_PER_READ} entries per system call.
 */
final class PagemapSnapshot {
    /** VMAs larger than this (64 GiB) are narrowed to their populated ranges with PAGEMAP_SCAN first. */
    static final long SCAN_FIRST_BYTES = 64L << 30;
    private static final int PAGE_SHIFT = 12;

    /** Pagemap entries of {@code [start, start + entries.length * 4096)}, all inside {@code vma}. */
    record Run(VmArea vma, long start, long[] entries) {
        long end() {
            return start + ((long) entries.length << PAGE_SHIFT);
        }

        long address(int i) {
            return start + ((long) i << PAGE_SHIFT);
        }
    }

    final List<Run> runs = new ArrayList<>();
    private boolean hidePfns;
    private final long[] buffer = new long[PagemapReader.MAX_ENTRIES_PER_READ];

    /**
     * Reads the entries of every VMA below {@code taskSize}. With {@code hidePfns} the frame bits
     * are cleared, as the kernel does for a reader without CAP_SYS_ADMIN.
     */
    static PagemapSnapshot read(PagemapReader reader, PagemapScan scan, List<VmArea> vmas, long taskSize,
                                boolean hidePfns) throws ProcfsException {
        PagemapSnapshot s = new PagemapSnapshot();
        s.hidePfns = hidePfns;
        for (VmArea vma : vmas) {
            if (Long.compareUnsigned(vma.start(), taskSize) >= 0) {
                continue; // [vsyscall]: not in any page table of the mm; pagemap reads nothing there
            }
            if (scan != null && vma.end() - vma.start() > SCAN_FIRST_BYTES) {
                for (PagemapScan.Region r : scan.scanAll(new PagemapScan.Request(vma.start(), vma.end(), 0, 0, 0,
                        PagemapScan.PAGE_IS_PRESENT | PagemapScan.PAGE_IS_SWAPPED, 0, 0, 1024))) {
                    s.readRange(reader, vma, r.start(), r.end());
                }
            } else {
                s.readRange(reader, vma, vma.start(), vma.end());
            }
        }
        return s;
    }

    private void readRange(PagemapReader reader, VmArea vma, long start, long end) throws ProcfsException {
        for (long addr = start; Long.compareUnsigned(addr, end) < 0; ) {
            // Chunks end on 2 MiB boundaries, so a PMD-sized span is never cut between two runs.
            long chunkEnd = (addr + ((long) buffer.length << PAGE_SHIFT)) & PagingGeometry.PMD_MASK;
            if (Long.compareUnsigned(chunkEnd, addr) <= 0 || Long.compareUnsigned(chunkEnd, end) > 0) {
                chunkEnd = end;
            }
            int n = (int) ((chunkEnd - addr) >>> PAGE_SHIFT);
            reader.read(addr, buffer, 0, n);
            if (hidePfns) {
                for (int i = 0; i < n; i++) {
                    buffer[i] &= ~PagemapEntry.PM_PFN_MASK;
                }
            }
            int first = 0;
            while (first < n && PagemapEntry.none(buffer[first])) {
                first++;
            }
            if (first < n) {
                int last = n - 1;
                while (PagemapEntry.none(buffer[last])) {
                    last--;
                }
                runs.add(new Run(vma, addr + ((long) first << PAGE_SHIFT), Arrays.copyOfRange(buffer, first, last + 1)));
            }
            addr += (long) n << PAGE_SHIFT;
        }
    }

    /**
     * The distinct non-zero PFNs of all present entries, sorted. A bitmap over the PFN range does
     * it in linear time when the range is not much sparser than the PFNs (the usual case: a
     * process's pages lie within the machine's memory); otherwise they are sorted.
     */
    long[] presentPfns() {
        int count = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        for (Run r : runs) {
            for (long e : r.entries) {
                long pfn = PagemapEntry.pfn(e);
                if (pfn != 0) {
                    count++;
                    min = Math.min(min, pfn);
                    max = Math.max(max, pfn);
                }
            }
        }
        if (count == 0) {
            return new long[0];
        }
        long span = max - min + 1;
        if (span / 64 <= 8L * count && span / 64 < Integer.MAX_VALUE - 8) {
            long[] bits = new long[(int) (span / 64) + 1];
            for (Run r : runs) {
                for (long e : r.entries) {
                    long pfn = PagemapEntry.pfn(e);
                    if (pfn != 0) {
                        long b = pfn - min;
                        bits[(int) (b >>> 6)] |= 1L << b;
                    }
                }
            }
            long[] out = new long[count];
            int n = 0;
            for (int w = 0; w < bits.length; w++) {
                for (long word = bits[w]; word != 0; word &= word - 1) {
                    out[n++] = min + ((long) w << 6) + Long.numberOfTrailingZeros(word);
                }
            }
            return n == count ? out : Arrays.copyOf(out, n);
        }
        long[] pfns = new long[count];
        int n = 0;
        for (Run r : runs) {
            for (long e : r.entries) {
                long pfn = PagemapEntry.pfn(e);
                if (pfn != 0) {
                    pfns[n++] = pfn;
                }
            }
        }
        Arrays.sort(pfns);
        int u = 0;
        for (int i = 0; i < n; i++) {
            if (u == 0 || pfns[i] != pfns[u - 1]) {
                pfns[u++] = pfns[i];
            }
        }
        return u == n ? pfns : Arrays.copyOf(pfns, u);
    }

    /** Bytes of pagemap these runs hold (8 per entry). */
    long entryBytes() {
        long b = 0;
        for (Run r : runs) {
            b += 8L * r.entries.length;
        }
        return b;
    }
}
