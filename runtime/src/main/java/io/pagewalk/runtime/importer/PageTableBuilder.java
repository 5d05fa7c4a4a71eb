package io.pagewalk.runtime.importer;

import static io.pagewalk.runtime.pgtable.PagingGeometry.HPAGE_PMD_NR;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PAGE_SHIFT;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD_MASK;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD_SIZE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PTE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PUD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PUD_SHIFT;

import io.pagewalk.runtime.importer.PagemapSnapshot.Run;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapScan;
import io.pagewalk.runtime.procfs.ProcfsException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Rebuilds the page tables of an imported mm from its pagemap runs.
 *
 * <ul>
 * <li>A 2 MiB-aligned span becomes one PMD leaf ({@code pfn_pmd}, PSE) exactly when PAGEMAP_SCAN
 *     reports it {@code PAGE_IS_HUGE}. Only spans that can be PMD-mapped are asked: all 512
 *     entries present, inside one VMA, PFNs consecutive from a 512-aligned head of an order-9
 *     folio (when PFNs and flags are known). Without PAGEMAP_SCAN every span stays PTE-mapped and
 *     the fact {@link LiveImport#FACT_PMD_MAPPED} is unknown.</li>
 * <li>Everything else is PTEs: PTE-mapped large folios stay PTE-mapped; swap entries and markers
 *     (guard, uffd-wp) land where pagemap shows them. hugetlb VMAs get PMD or PUD leaves by their
 *     {@code KernelPageSize}. The bits are chosen by {@link PteBits}.</li>
 * <li>Folio side: the entire mapcount of each folio mapped here by a PMD/PUD leaf is counted;
 *     mapping and index are set from the VMA: file pages (pagemap bit 61 in a file VMA) get the
 *     VMA's file and {@code linear_page_index()} minus the page's offset in its folio (and go into
 *     the file's page cache); anonymous pages get no mapping and the same linear index, which is
 *     what the kernel gives an anon folio.</li>
 * </ul>
 */
final class PageTableBuilder {
    private static final int PMD_ORDER = 9;
    private final MmStruct mm;
    private final MemMap memMap;
    private final ImportSources src;
    private final PagemapScan scan;
    private final FolioImport folios;
    /** 2 MiB spans PAGEMAP_SCAN reported as PMD-mapped. */
    private final Set<Long> pmdMapped = new HashSet<>();
    /** 2 MiB spans mapped by the huge zero PMD. */
    private final Set<Long> hugeZero = new HashSet<>();
    /** Without kpageflags: page ranges PAGEMAP_SCAN reported as the zero PFN (start to end). */
    private final TreeMap<Long, Long> zeroRanges = new TreeMap<>(Long::compareUnsigned);
    private final boolean pfnsKnown;
    private final boolean flagsKnown;

    PageTableBuilder(MmStruct mm, ImportSources src, PagemapScan scan, FolioImport folios) {
        this.mm = mm;
        this.memMap = mm.memMap();
        this.src = src;
        this.scan = src.pagemapScan() ? scan : null;
        this.folios = folios;
        this.pfnsKnown = src.pfns();
        this.flagsKnown = src.kpageflags();
    }

    void build(List<Run> runs) throws ProcfsException {
        if (scan != null) {
            findPmdMapped(runs);
            if (!flagsKnown) {
                findZeroPages(runs);
            }
        }
        for (Run run : runs) {
            if (run.vma().isHugetlb()) {
                buildHugetlb(run);
            } else {
                buildRun(run);
            }
        }
    }

    // ---- which spans are PMD-mapped ----

    private boolean pmdCandidate(Run run, int i) {
        long addr = run.address(i);
        if ((addr & ~PMD_MASK) != 0 || i + HPAGE_PMD_NR > run.entries().length
                || Long.compareUnsigned(addr + PMD_SIZE, run.vma().end()) > 0) {
            return false;
        }
        long[] e = run.entries();
        long pfn0 = PagemapEntry.pfn(e[i]);
        for (int k = 0; k < HPAGE_PMD_NR; k++) {
            if (!PagemapEntry.present(e[i + k]) || (pfnsKnown && PagemapEntry.pfn(e[i + k]) != pfn0 + k)) {
                return false;
            }
        }
        if (!pfnsKnown) {
            return true;
        }
        if ((pfn0 & (HPAGE_PMD_NR - 1)) != 0) {
            return false;
        }
        return !flagsKnown || (memMap.folioHead(pfn0) == pfn0 && memMap.folioOrder(pfn0) == PMD_ORDER);
    }

    private void findPmdMapped(List<Run> runs) throws ProcfsException {
        long rangeStart = -1;
        long rangeEnd = -1;
        for (Run run : runs) {
            if (run.vma().isHugetlb()) {
                continue;
            }
            for (int i = (int) ((((run.start() + PMD_SIZE - 1) & PMD_MASK) - run.start()) >>> PAGE_SHIFT);
                    i + HPAGE_PMD_NR <= run.entries().length; i += HPAGE_PMD_NR) {
                if (!pmdCandidate(run, i)) {
                    continue;
                }
                long addr = run.address(i);
                if (addr != rangeEnd) {
                    scanHuge(rangeStart, rangeEnd);
                    rangeStart = addr;
                }
                rangeEnd = addr + PMD_SIZE;
            }
        }
        scanHuge(rangeStart, rangeEnd);
    }

    private void scanHuge(long start, long end) throws ProcfsException {
        if (start == -1) {
            return;
        }
        long ret = PagemapScan.PAGE_IS_HUGE | PagemapScan.PAGE_IS_PFNZERO;
        for (PagemapScan.Region r : scan.scanAll(new PagemapScan.Request(start, end, 0, 0,
                PagemapScan.PAGE_IS_HUGE, 0, ret, 0, 1024))) {
            for (long a = (r.start() + PMD_SIZE - 1) & PMD_MASK; Long.compareUnsigned(a + PMD_SIZE, r.end()) <= 0;
                    a += PMD_SIZE) {
                pmdMapped.add(a);
                if ((r.categories() & PagemapScan.PAGE_IS_PFNZERO) != 0) {
                    hugeZero.add(a);
                }
            }
        }
    }

    // Without page flags the zero page is recognised by PAGEMAP_SCAN: only pages that could be it
    // (present, neither file nor exclusive) are asked.
    private void findZeroPages(List<Run> runs) throws ProcfsException {
        for (Run run : runs) {
            long[] e = run.entries();
            int i = 0;
            while (i < e.length) {
                if (!mayBeZeroPage(e[i])) {
                    i++;
                    continue;
                }
                int j = i;
                while (j < e.length && mayBeZeroPage(e[j])) {
                    j++;
                }
                for (PagemapScan.Region r : scan.scanAll(new PagemapScan.Request(run.address(i), run.address(j), 0, 0,
                        PagemapScan.PAGE_IS_PFNZERO, 0, PagemapScan.PAGE_IS_PFNZERO, 0, 1024))) {
                    zeroRanges.put(r.start(), r.end());
                }
                i = j;
            }
        }
    }

    private static boolean mayBeZeroPage(long pm) {
        return PagemapEntry.present(pm) && !PagemapEntry.fileOrSharedAnon(pm) && !PagemapEntry.exclusive(pm);
    }

    private boolean isZero(long addr, long pfn) {
        if (flagsKnown) {
            return pfn == folios.zeroPfn;
        }
        var e = zeroRanges.floorEntry(addr);
        return e != null && Long.compareUnsigned(addr, e.getValue()) < 0;
    }

    // ---- writing entries ----

    private void buildRun(Run run) {
        VmArea vma = run.vma();
        boolean shmemVma = vma.file() != null && vma.file().isShmem();
        long[] e = run.entries();
        int i = 0;
        while (i < e.length) {
            long addr = run.address(i);
            if ((addr & ~PMD_MASK) == 0 && pmdMapped.contains(addr)) {
                writePmd(vma, shmemVma, addr, e[i]);
                i += HPAGE_PMD_NR;
                continue;
            }
            // PTEs up to the next 2 MiB boundary or the end of the run: one table.
            int stop = (int) Math.min(e.length, i + ((((addr + PMD_SIZE) & PMD_MASK) - addr) >>> PAGE_SHIFT));
            PageTable table = null;
            for (; i < stop; i++) {
                long pm = e[i];
                if (PagemapEntry.none(pm)) {
                    continue;
                }
                long a = run.address(i);
                long value;
                if (PagemapEntry.present(pm)) {
                    long pfn = PagemapEntry.pfn(pm);
                    boolean zero = isZero(a, pfn);
                    long prot = PteBits.present(vma, shmemVma, pm, pageFlags(pfn), flagsKnown, zero);
                    value = Pgtable.pfn_pte(pfn, prot);
                    if (!zero && !Pgtable.pte_special(value)) {
                        linkFolio(vma, a, pfn, PagemapEntry.fileOrSharedAnon(pm), 1);
                    }
                } else if (PagemapEntry.swapped(pm)) {
                    value = PteBits.swapped(pm, pfnsKnown);
                } else {
                    continue; // only soft-dirty on a none entry: nothing to map
                }
                if (table == null) {
                    table = PageTables.entry(mm, a, PTE, true).table();
                }
                table.set(mm.geometry().index(PTE, a), value);
            }
        }
    }

    private long pageFlags(long pfn) {
        return flagsKnown ? memMap.flags(pfn) : 0;
    }

    private void writePmd(VmArea vma, boolean shmemVma, long addr, long pm) {
        long pfn = PagemapEntry.pfn(pm);
        boolean zero = hugeZero.contains(addr) || (flagsKnown && pfn == folios.hugeZeroPfn);
        long prot = PteBits.present(vma, shmemVma, pm, pageFlags(pfn), flagsKnown, zero) & ~Pgtable._PAGE_SPECIAL;
        PageTables.set(mm, addr, PMD, Pgtable.pfn_pmd(pfn, prot));
        if (!zero) {
            linkFolio(vma, addr, pfn, PagemapEntry.fileOrSharedAnon(pm), HPAGE_PMD_NR);
            if (pfnsKnown && memMap.pfnValid(pfn)) {
                memMap.addEntireMapcount(pfn, 1);
            }
        }
    }

    private void buildHugetlb(Run run) {
        VmArea vma = run.vma();
        long size = vma.pageSize();
        int level = vma.pageShift() >= PUD_SHIFT ? PUD : PMD;
        long[] e = run.entries();
        for (int i = 0; i < e.length; i++) {
            long addr = run.address(i);
            if ((addr & (size - 1)) != 0 || !PagemapEntry.present(e[i])) {
                continue;
            }
            long pfn = PagemapEntry.pfn(e[i]);
            long prot = PteBits.present(vma, true, e[i], pageFlags(pfn), flagsKnown, false);
            PageTables.set(mm, addr, level, level == PUD ? Pgtable.pfn_pud(pfn, prot) : Pgtable.pfn_pmd(pfn, prot));
            linkFolio(vma, addr, pfn, PagemapEntry.fileOrSharedAnon(e[i]), 1);
            if (pfnsKnown && memMap.pfnValid(pfn)) {
                memMap.addEntireMapcount(pfn, 1);
            }
        }
    }

    /** Sets mapping and index of the folio mapped at {@code addr} ({@code pages} pages from {@code pfn}). */
    private void linkFolio(VmArea vma, long addr, long pfn, boolean filePage, int pages) {
        if (!pfnsKnown || !memMap.pfnValid(pfn)) {
            return;
        }
        long index = vma.linearPageIndex(addr);
        long head = memMap.folioHead(pfn);
        AddressSpace file = filePage && !vma.test(VmFlags.VM_PFNMAP) ? vma.file() : null;
        memMap.setMapping(pfn, file, index - (pfn - head));
        if (file != null) {
            for (int k = 0; k < pages; k++) {
                file.pageCache().put(index + k, pfn + k);
            }
        }
    }
}
