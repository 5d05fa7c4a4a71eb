package io.pagewalk.plugins.more;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.procfs.KpageReader;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.procfs.PagemapScan;
import io.pagewalk.runtime.testing.FixtureProcess;
import io.pagewalk.runtime.testing.TestMm;
import io.pagewalk.runtime.thp.ThpSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The thp plugin on the fixture's thp part (one PMD THP) and thpsplit part (an order-9 folio
 * mapped by PTEs, one page zapped), against PAGEMAP_SCAN's PAGE_IS_HUGE and /proc/kpageflags.
 */
class ThpPluginTest {
    private static Live.Shared live;

    @BeforeAll
    static void start() throws Exception {
        live = Live.shared();
    }

    @Test
    void pmdLinesAreExactlyThePagesPagemapScanCallsHuge() throws Exception {
        List<String> lines = Live.run("thp", live.mm(), false).lines().toList();
        List<String> pmd = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("pmd ")) {
                pmd.add(l.split(" ")[1]);
            }
        }
        List<String> huge = new ArrayList<>();
        try (PagemapScan scan = PagemapScan.open(live.fx().pid())) {
            for (PagemapScan.Region r : scan.scanAll(PagemapScan.Request.of(0, live.mm().taskSize())
                    .withCategories(0, PagemapScan.PAGE_IS_HUGE, 0, PagemapScan.PAGE_IS_HUGE))) {
                for (long s = r.start(); s < r.end(); s += 2L << 20) {
                    huge.add(Long.toHexString(s) + "-" + Long.toHexString(s + (2L << 20)));
                }
            }
        }
        assertEquals(huge, pmd);
        FixtureProcess.Region thp = live.fx().region("thp");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("pmd " + range(thp.start(), thp.end()) + " anon pfn=0x")), lines.toString());
        assertTrue(lines.getLast().startsWith("total pmd=" + pmd.size() + " "), lines.getLast());
    }

    @Test
    void theSplitThpIsAPteMappedOrder9FolioWithOneHole() throws Exception {
        FixtureProcess.Region split = live.fx().region("thpsplit");
        List<String> lines = Live.run("thp", live.mm(), false).lines().toList();
        String line = lines.stream().filter(l -> l.startsWith("pte-folio " + range(split.start(), split.end()) + " "))
                .findFirst().orElseThrow(() -> new AssertionError(lines.toString()));
        assertTrue(line.contains(" order=9 mapped=511/512 "), line);
        long head = Long.parseLong(line.substring(line.indexOf("pfn=0x") + 6), 16);
        assertTrue(lines.contains("order 9 2048 kB: 1 folios, 511 pages mapped by PTEs") || lines.stream()
                .anyMatch(l -> l.matches("order 9 2048 kB: \\d+ folios, \\d+ pages mapped by PTEs")), lines.toString());
        // The kernel's view: every mapped page of the part is a THP subpage of that one folio.
        long[] entries;
        try (PagemapReader pagemap = PagemapReader.open(live.fx().pid())) {
            entries = pagemap.read(split.start(), split.end());
        }
        long[] pfns = Arrays.stream(entries).filter(PagemapEntry::present).map(PagemapEntry::pfn).sorted().toArray();
        assertEquals(511, pfns.length);
        long[] flags;
        try (KpageReader k = KpageReader.open()) {
            flags = k.readFlags(pfns);
        }
        for (int i = 0; i < pfns.length; i++) {
            assertTrue((flags[i] & PageFlags.THP) != 0, "KPF_THP on pfn " + Long.toHexString(pfns[i]));
            assertEquals(pfns[i] == head, (flags[i] & PageFlags.COMPOUND_HEAD) != 0, "the head is the plugin's pfn");
            assertTrue(pfns[i] >= head && pfns[i] < head + 512);
        }
    }

    @Test
    void eligibleBlocksThatAreNotHugeSayWhy() throws Exception {
        long a = 0x7f0000000000L;
        TestMm t = new TestMm();
        t.mm.setThpSettings(ThpSettings.madviseDefaults());
        t.vma(a, a + (8L << 20), TestMm.RW_ANON | VmFlags.VM_HUGEPAGE);
        t.vma(a + (16L << 20), a + (16L << 20) + 0x10000, TestMm.RW_ANON | VmFlags.VM_HUGEPAGE);
        t.anon(a + (32L << 20), a + (36L << 20)); // not madvised: not eligible in "madvise" mode
        t.thp(a);
        t.page(a + (2L << 20) + 0x5000);
        t.page(a + (32L << 20));
        List<String> lines = Live.run("thp", t.mm, false).lines().toList();
        assertEquals(List.of(
                "pmd " + range(a, a + (2L << 20)) + " anon pfn=0x" + Long.toHexString(t.mm.memMap().folioHead(
                        io.pagewalk.runtime.pgtable.Pgtable.pmd_pfn(t.get(a, io.pagewalk.runtime.pgtable.PagingGeometry.PMD)))),
                "not-huge " + range(a + (2L << 20), a + (4L << 20)) + " 1/512 pages mapped, all small folios",
                "not-huge " + range(a + (4L << 20), a + (6L << 20)) + " none of its pages are mapped",
                "not-huge " + range(a + (6L << 20), a + (8L << 20)) + " none of its pages are mapped",
                // The 64 KiB VMA has no room for a PMD: smaps says THPeligible 0 there (only PMD-sized
                // THP is enabled), so it is not listed.
                "total pmd=1 pte-folios=0 not-huge=3"), lines);
    }

    private static String range(long s, long e) {
        return Long.toHexString(s) + "-" + Long.toHexString(e);
    }
}
