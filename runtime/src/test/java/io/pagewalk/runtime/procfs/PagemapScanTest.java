package io.pagewalk.runtime.procfs;

import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_FILE;
import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_GUARD;
import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_HUGE;
import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_PFNZERO;
import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_PRESENT;
import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_SWAPPED;
import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_WRITTEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.testing.FixtureProcess;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PAGEMAP_SCAN through FFM, against the fixture (reference section 3.4). */
class PagemapScanTest {
    private static FixtureProcess fx;
    private static PagemapScan scan;

    @BeforeAll
    static void start() throws Exception {
        fx = FixtureProcess.start("all");
        scan = PagemapScan.open(fx.pid());
    }

    @AfterAll
    static void stop() {
        if (scan != null) {
            scan.close();
        }
        if (fx != null) {
            fx.close();
        }
    }

    private static PagemapScan.Request whole(String region) {
        FixtureProcess.Region r = fx.region(region);
        return PagemapScan.Request.of(r.start(), r.end());
    }

    private static PagemapScan.Region region(String name, long categories) {
        FixtureProcess.Region r = fx.region(name);
        return new PagemapScan.Region(r.start(), r.end(), categories);
    }

    @Test
    void emptyRangeProbeReturnsZero() throws Exception {
        PagemapScan.Result r = scan.scan(new PagemapScan.Request(0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertEquals(0, r.returnValue());
        assertEquals(List.of(), r.regions());
    }

    @Test
    void unknownFlagIsEinvalWithOneLineMessage() {
        ProcfsException e = assertThrows(ProcfsException.class,
                () -> scan.scan(whole("anon").withFlags(1L << 5)));
        assertEquals(Libc.EINVAL, e.errno());
        assertEquals(ProcfsException.Reason.SYSCALL_FAILED, e.reason());
        assertTrue(e.getMessage().startsWith("pid " + fx.pid() + ": PAGEMAP_SCAN on /proc/" + fx.pid()
                + "/pagemap failed with EINVAL"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void unalignedStartIsEinval() {
        FixtureProcess.Region r = fx.region("anon");
        ProcfsException e = assertThrows(ProcfsException.class,
                () -> scan.scan(PagemapScan.Request.of(r.start() + 1, r.end())));
        assertEquals(Libc.EINVAL, e.errno());
    }

    @Test
    void categoryBitNineIsEinvalAndEndBeforeStartIsEfault() {
        ProcfsException bit9 = assertThrows(ProcfsException.class,
                () -> scan.scan(whole("anon").withCategories(0, 1L << 9, 0, 0)));
        assertEquals(Libc.EINVAL, bit9.errno());
        FixtureProcess.Region r = fx.region("anon");
        ProcfsException backwards = assertThrows(ProcfsException.class,
                () -> scan.scan(PagemapScan.Request.of(r.end(), r.start())));
        assertEquals(Libc.EFAULT, backwards.errno());
    }

    @Test
    void hugeIsReportedForExactlyTheUnsplitThp() throws Exception {
        FixtureProcess.Region arena = fx.region("arena");
        List<PagemapScan.Region> huge = scan.scanAll(PagemapScan.Request.of(arena.start(), arena.end())
                .withCategories(0, PAGE_IS_HUGE, 0, PAGE_IS_HUGE));
        assertEquals(List.of(region("thp", PAGE_IS_HUGE)), huge);
        // A PMD THP is a single region with every category of a present anonymous PMD.
        assertEquals(List.of(region("thp", PAGE_IS_HUGE | PAGE_IS_PRESENT | PAGE_IS_WRITTEN)),
                scan.scanAll(whole("thp")));
    }

    /** PFNZERO where read faults map the zero page; 0 on kernels that allocate instead. */
    private static long zeroPfnCategory() {
        return fx.readFaultsMapZeroPage() ? PAGE_IS_PFNZERO : 0;
    }

    @Test
    void categoriesOfEachKindOfPage() throws Exception {
        assertEquals(List.of(region("anon", PAGE_IS_PRESENT | PAGE_IS_WRITTEN)), scan.scanAll(whole("anon")));
        assertEquals(List.of(region("zero.read", PAGE_IS_PRESENT | PAGE_IS_WRITTEN | zeroPfnCategory())),
                scan.scanAll(whole("zero.read")));
        assertEquals(List.of(region("shmem", PAGE_IS_PRESENT | PAGE_IS_WRITTEN | PAGE_IS_FILE)),
                scan.scanAll(whole("shmem")));
        assertEquals(List.of(region("fileprivate.read", PAGE_IS_PRESENT | PAGE_IS_WRITTEN | PAGE_IS_FILE)),
                scan.scanAll(whole("fileprivate.read")));
        assertEquals(List.of(region("guard.markers", PAGE_IS_SWAPPED | PAGE_IS_WRITTEN | PAGE_IS_GUARD)),
                scan.scanAll(whole("guard.markers")));
    }

    @Test
    void guardQueryFindsExactlyTheGuardMarkers() throws Exception {
        FixtureProcess.Region arena = fx.region("arena");
        assertEquals(List.of(region("guard.markers", PAGE_IS_GUARD)),
                scan.scanAll(PagemapScan.Request.of(arena.start(), arena.end())
                        .withCategories(0, PAGE_IS_GUARD, 0, PAGE_IS_GUARD)));
    }

    @Test
    void maxPagesAndVecLenStopEarlyAndScanAllResumesAtWalkEnd() throws Exception {
        FixtureProcess.Region anon = fx.region("anon");
        PagemapScan.Result one = scan.scan(whole("anon").withMaxPages(1));
        assertEquals(1, one.returnValue());
        assertEquals(anon.start() + 4096, one.walkEnd());

        // Alternating categories force one region per page; a one-slot buffer needs a call each.
        FixtureProcess.Region guard = fx.region("guard");
        List<PagemapScan.Region> big = scan.scanAll(whole("guard"));
        List<PagemapScan.Region> small = scan.scanAll(whole("guard").withVecLen(1));
        assertEquals(big, small);
        assertEquals(guard.start(), big.getFirst().start());

        PagemapScan.Result whole = scan.scan(whole("anon"));
        assertEquals(anon.end(), whole.walkEnd());
    }

    @Test
    void noneEntriesInsideAPopulatedPageTableReportWrittenOnThisKernel() throws Exception {
        // Reference section 6.1: 6.18.44 reports PAGE_IS_WRITTEN for none PTEs that sit in an
        // existing PTE table; ranges without a table (the PROT_NONE arena rest) report 0.
        assertEquals(List.of(region("zero.read", PAGE_IS_PRESENT | PAGE_IS_WRITTEN | zeroPfnCategory()),
                region("zero.untouched", PAGE_IS_WRITTEN)), scan.scanAll(whole("zero")));
        assertEquals(List.of(region("thpsplit.hole", PAGE_IS_WRITTEN)), scan.scanAll(whole("thpsplit.hole")));
    }

    @Test
    void scanningAProcessThatExitedAfterOpenIsOneClearError() throws Exception {
        FixtureProcess victim = FixtureProcess.start("anon");
        try (PagemapScan s = PagemapScan.open(victim.pid())) {
            FixtureProcess.Region anon = victim.region("anon");
            assertEquals(1, s.scan(PagemapScan.Request.of(anon.start(), anon.end())).returnValue());
            victim.close();
            ProcfsException e = assertThrows(ProcfsException.class,
                    () -> s.scan(PagemapScan.Request.of(anon.start(), anon.end())));
            assertEquals(ProcfsException.Reason.EXITED, e.reason());
            assertEquals("pid " + victim.pid() + ": process exited while reading /proc/" + victim.pid() + "/pagemap",
                    e.getMessage());
        } finally {
            victim.close();
        }
    }

    @Test
    void categoryNamesReadable() {
        assertEquals("written|present|huge", PagemapScan.categoryNames(0x4a));
        assertEquals("0", PagemapScan.categoryNames(0));
    }
}
