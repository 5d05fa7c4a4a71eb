package io.pagewalk.runtime.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.procfs.KPageFlags;
import io.pagewalk.runtime.procfs.KpageReader;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.procfs.PagemapScan;
import io.pagewalk.runtime.procfs.ProcMaps;
import io.pagewalk.runtime.procfs.ProcVma;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongFunction;

/**
 * Compares a synthetic address space with a live process over a range: VMAs and VmFlags, pagemap
 * bits page by page, PMD mappings (PAGEMAP_SCAN), kpageflags and kpagecount, and whether the two
 * share frames the same way (a bijection between kernel and model PFNs).
 */
final class KernelComparison {
    private static final long PAGE = 4096;
    /**
     * State that changes under the test's feet: LRU while a page sits in a per-CPU batch, and IDLE,
     * which anyone may set through /sys/kernel/mm/page_idle/bitmap.
     */
    static final long UNSTABLE = PageFlags.LRU | PageFlags.IDLE;
    /** Page-cache state of file pages that the file system decides (dirty after write(), buffer heads). */
    static final long FILE_STATE = PageFlags.DIRTY | PageFlags.REFERENCED | PageFlags.ACTIVE | (1L << PageFlags.KPF_PRIVATE);

    /** One process's view: the live pid, the model, and the range to compare. */
    record Side(String label, int pid, MmStruct mm, long start, long end) {
    }

    private KernelComparison() {}

    static void assertSameVmas(int pid, MmStruct mm, long start, long end) throws Exception {
        List<String> kernel = new ArrayList<>();
        for (ProcVma v : ProcMaps.readSmaps(pid)) {
            if (Long.compareUnsigned(v.end(), start) > 0 && Long.compareUnsigned(v.start(), end) < 0) {
                assertTrue(v.unmappedVmFlags().isEmpty(), "unknown VmFlags " + v.unmappedVmFlags());
                kernel.add(describe(Math.max(v.start(), start), Math.min(v.end(), end), v.vmFlags(), v.name()));
            }
        }
        List<String> synthetic = new ArrayList<>();
        for (VmArea v : mm.vmas()) {
            if (Long.compareUnsigned(v.end(), start) > 0 && Long.compareUnsigned(v.start(), end) < 0) {
                synthetic.add(describe(Math.max(v.start(), start), Math.min(v.end(), end), v.flags(), v.name()));
            }
        }
        assertEquals(String.join("\n", kernel), String.join("\n", synthetic), "VMAs of pid " + pid);
    }

    private static String describe(long start, long end, long flags, String name) {
        return String.format("%x-%x %s[%s] %s", start, end, VmFlags.permissions(flags), VmFlags.toSmapsString(flags),
                name.replace(" (deleted)", ""));
    }

    /**
     * Pagemap bits, swap/marker values, frame sharing, kpageflags (all but {@link #UNSTABLE}, and
     * for file pages also {@code fileStateMask}) and kpagecount. Returns the number of mapped pages compared.
     */
    static int assertSamePages(List<Side> sides, long fileStateMask, LongFunction<String> where) throws Exception {
        Map<Long, Long> kernelToModel = new HashMap<>();
        Map<Long, Long> modelToKernel = new HashMap<>();
        long bits = PagemapEntry.PM_PRESENT | PagemapEntry.PM_SWAP | PagemapEntry.PM_FILE | PagemapEntry.PM_GUARD_REGION
                | PagemapEntry.PM_MMAP_EXCLUSIVE | PagemapEntry.PM_UFFD_WP;
        List<long[]> pairs = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        MmStruct anyMm = null;
        for (Side s : sides) {
            anyMm = s.mm();
            long[] k;
            try (PagemapReader pm = PagemapReader.open(s.pid())) {
                k = pm.read(s.start(), s.end());
            }
            long[] m = ModelPages.pagemap(s.mm(), s.start(), s.end());
            for (int i = 0; i < k.length; i++) {
                long addr = s.start() + i * PAGE;
                String at = String.format("%s page 0x%x (%s)", s.label(), addr, where.apply(addr));
                assertEquals(PagemapEntry.describe(k[i] & bits), PagemapEntry.describe(m[i] & bits), at);
                if (PagemapEntry.swapped(k[i]) && (k[i] & PagemapEntry.PM_GUARD_REGION) != 0) {
                    assertEquals(PagemapEntry.swapType(k[i]), PagemapEntry.swapType(m[i]), at);
                    assertEquals(PagemapEntry.swapOffset(k[i]), PagemapEntry.swapOffset(m[i]), at);
                }
                if (PagemapEntry.present(k[i])) {
                    long kp = PagemapEntry.pfn(k[i]);
                    long mp = PagemapEntry.pfn(m[i]);
                    Long prevM = kernelToModel.putIfAbsent(kp, mp);
                    Long prevK = modelToKernel.putIfAbsent(mp, kp);
                    assertTrue((prevM == null || prevM == mp) && (prevK == null || prevK == kp),
                            at + ": frames are shared differently (kernel pfn 0x" + Long.toHexString(kp) + ")");
                    pairs.add(new long[] {kp, mp});
                    labels.add(at);
                }
            }
        }
        long[] sorted = new TreeSet<>(kernelToModel.keySet()).stream().mapToLong(Long::longValue).toArray();
        Map<Long, long[]> kernelInfo = new HashMap<>();
        try (KpageReader kp = KpageReader.open()) {
            long[] flags = kp.readFlags(sorted);
            long[] counts = kp.readCounts(sorted);
            for (int i = 0; i < sorted.length; i++) {
                kernelInfo.put(sorted[i], new long[] {flags[i], counts[i]});
            }
        }
        for (int i = 0; i < pairs.size(); i++) {
            long[] info = kernelInfo.get(pairs.get(i)[0]);
            long model = anyMm.memMap().flags(pairs.get(i)[1]);
            long mask = ~UNSTABLE;
            if ((info[0] & (PageFlags.ANON | PageFlags.SWAPBACKED)) == 0) {
                mask &= ~fileStateMask;
            }
            assertEquals(KPageFlags.longNames(info[0] & mask), KPageFlags.longNames(model & mask),
                    labels.get(i) + " kpageflags");
            assertEquals(info[1], anyMm.memMap().mapcount(pairs.get(i)[1]), labels.get(i) + " kpagecount");
        }
        return pairs.size();
    }

    /** The PMD-mapped ranges: PAGE_IS_HUGE from PAGEMAP_SCAN against the model's PMD leaves. */
    static void assertSameHuge(int pid, MmStruct mm, long start, long end) throws Exception {
        List<String> kernel = new ArrayList<>();
        try (PagemapScan scan = PagemapScan.open(pid)) {
            for (PagemapScan.Region r : scan.scanAll(PagemapScan.Request.of(start, end)
                    .withCategories(0, PagemapScan.PAGE_IS_HUGE, 0, PagemapScan.PAGE_IS_HUGE))) {
                kernel.add(Long.toHexString(r.start()) + "-" + Long.toHexString(r.end()));
            }
        }
        assertEquals(kernel, hugeRanges(mm, start, end), "PMD-mapped ranges of pid " + pid);
    }

    static List<String> hugeRanges(MmStruct mm, long start, long end) {
        List<String> out = new ArrayList<>();
        long runStart = -1;
        for (long a = start; a <= end; a += PAGE) {
            boolean huge = a < end && ModelPages.huge(mm, a);
            if (huge && runStart < 0) {
                runStart = a;
            } else if (!huge && runStart >= 0) {
                out.add(Long.toHexString(runStart) + "-" + Long.toHexString(a));
                runStart = -1;
            }
        }
        return out;
    }
}
