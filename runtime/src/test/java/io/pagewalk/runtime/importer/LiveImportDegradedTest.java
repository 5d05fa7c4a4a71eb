package io.pagewalk.runtime.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.importer.LiveImport.Source;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Imports with sources withheld, as a caller without root (or on an older kernel) would get them:
 * what is readable is used, one warning line says what is missing, and the facts are marked
 * unknown rather than zero. The fixture holds still (see {@link LiveImportTest}).
 */
class LiveImportDegradedTest {
    private static FixtureProcess fx;

    @BeforeAll
    static void start() throws Exception {
        fx = FixtureProcess.start("anon", "zero", "thp", "fork", "guard", "fileshared");
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private static MmStruct importWithout(List<String> warnings, Source... withheld) throws Exception {
        return LiveImport.importProcess(fx.pid(), new ImportOptions(false, warnings::add),
                withheld.length == 0 ? EnumSet.noneOf(Source.class) : EnumSet.of(withheld[0], withheld));
    }

    // Present/swapped of every page still equal pagemap; PFNs equal it when they are known.
    private static void assertPagesEqualPagemap(MmStruct mm, boolean pfns) throws Exception {
        try (PagemapReader r = PagemapReader.open(fx.pid())) {
            for (VmArea vma : mm.vmas()) {
                if (Long.compareUnsigned(vma.start(), mm.taskSize()) >= 0) {
                    continue;
                }
                long[] e = r.read(vma.start(), vma.end());
                for (int i = 0; i < e.length; i++) {
                    long addr = vma.start() + ((long) i << 12);
                    ModelPagemap m = ModelPagemap.at(mm, addr);
                    String where = String.format("0x%x %s", addr, PagemapEntry.describe(e[i]));
                    assertEquals(PagemapEntry.present(e[i]), m.present(), where);
                    assertEquals(PagemapEntry.swapped(e[i]), m.swapped(), where);
                    if (m.present() && pfns) {
                        assertEquals(PagemapEntry.pfn(e[i]), m.pfn(), where);
                    } else if (m.present()) {
                        long entryPfn = m.pmdLeaf() ? Pgtable.pmd_pfn(m.entry()) : Pgtable.pte_pfn(m.entry());
                        assertEquals(0, entryPfn, where + ": hidden PFNs are written as 0");
                    }
                }
            }
        }
    }

    @Test
    void withoutKpageFilesAndPagemapScan() throws Exception {
        List<String> warnings = new ArrayList<>();
        MmStruct mm = importWithout(warnings, Source.KPAGEFLAGS, Source.KPAGECOUNT, Source.PAGEMAP_SCAN);
        assertEquals(1, warnings.size(), warnings.toString());
        String w = warnings.get(0);
        assertFalse(w.contains("\n"));
        assertTrue(w.startsWith("pid " + fx.pid() + ": partial import"), w);
        assertTrue(w.contains("/proc/kpageflags") && w.contains("/proc/kpagecount") && w.contains("PAGEMAP_SCAN"), w);
        assertTrue(w.contains("withheld by the caller"), w);
        assertEquals(Set.of(LiveImport.FACT_KPAGEFLAGS, LiveImport.FACT_KPAGECOUNT, LiveImport.FACT_PMD_MAPPED),
                mm.unknownFacts());
        assertFalse(mm.memMap().flagsKnown());
        assertFalse(mm.memMap().countsKnown());
        assertPagesEqualPagemap(mm, true);
        ModelPagemap thp = ModelPagemap.at(mm, fx.region("thp").start());
        assertTrue(thp.present() && !thp.pmdLeaf(), "without PAGEMAP_SCAN a THP is imported PTE-mapped");
        assertEquals(0, mm.memMap().flags(thp.pfn()), "flags unknown, left empty");
    }

    @Test
    void withoutPagemapScanOnly() throws Exception {
        List<String> warnings = new ArrayList<>();
        MmStruct mm = importWithout(warnings, Source.PAGEMAP_SCAN);
        assertEquals(Set.of(LiveImport.FACT_PMD_MAPPED), mm.unknownFacts());
        assertEquals(1, warnings.size());
        assertTrue(mm.memMap().flagsKnown() && mm.memMap().countsKnown());
        ModelPagemap thp = ModelPagemap.at(mm, fx.region("thp").start());
        assertFalse(thp.pmdLeaf());
        assertEquals(9, mm.memMap().folioOrder(thp.pfn()), "the folio is still known to be order 9");
        assertEquals(0, mm.memMap().entireMapcount(thp.pfn()));
    }

    @Test
    void withPfnsHidden() throws Exception {
        List<String> warnings = new ArrayList<>();
        MmStruct mm = importWithout(warnings, Source.PFNS);
        assertEquals(Set.of(LiveImport.FACT_PFNS, LiveImport.FACT_SWAP_ENTRIES, LiveImport.FACT_KPAGEFLAGS,
                LiveImport.FACT_KPAGECOUNT), mm.unknownFacts());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("PFNs hidden"), warnings.get(0));
        assertPagesEqualPagemap(mm, false);
        assertTrue(ModelPagemap.at(mm, fx.region("thp").start()).pmdLeaf(), "PAGEMAP_SCAN needs no PFNs");
        assertTrue(Swapops.is_guard_pte_marker(ModelPagemap.at(mm, fx.region("guard.markers").start()).entry()),
                "pagemap bit 58 needs no PFNs");
        long[] valid = {0};
        mm.memMap().forEachPfn(p -> valid[0]++);
        assertEquals(0, valid[0], "no folio is made from PFN 0");
    }

    @Test
    void withoutKpageflagsTheZeroPageComesFromPagemapScan() throws Exception {
        MmStruct mm = importWithout(new ArrayList<>(), Source.KPAGEFLAGS);
        FixtureProcess.Region r = fx.region("zero.read");
        for (int i = 0; i < r.pages(); i++) {
            long pte = ModelPagemap.at(mm, r.page(i)).entry();
            assertEquals(fx.readFaultsMapZeroPage(), Pgtable.pte_special(pte), String.format("0x%x", pte));
        }
        assertTrue(mm.memMap().countsKnown());
        assertEquals(2, mm.memMap().mapcount(ModelPagemap.at(mm, fx.region("fork").start()).pfn()));
    }
}
