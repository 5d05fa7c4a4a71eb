package io.pagewalk.runtime.procfs;

import static io.pagewalk.runtime.procfs.PagemapEntry.exclusive;
import static io.pagewalk.runtime.procfs.PagemapEntry.fileOrSharedAnon;
import static io.pagewalk.runtime.procfs.PagemapEntry.present;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.testing.FixtureProcess;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pagemap entries of each fixture part, as observed on 6.18 (reference section 3.1). */
class PagemapReaderTest {
    private static FixtureProcess fx;
    private static PagemapReader reader;
    private static KpageReader kpage;

    @BeforeAll
    static void start() throws Exception {
        fx = FixtureProcess.start("all");
        reader = PagemapReader.open(fx.pid());
        kpage = KpageReader.open();
    }

    @AfterAll
    static void stop() throws Exception {
        if (reader != null) {
            reader.close();
        }
        if (kpage != null) {
            kpage.close();
        }
        if (fx != null) {
            fx.close();
        }
    }

    private static long[] entries(String region) throws ProcfsException {
        FixtureProcess.Region r = fx.region(region);
        return reader.read(r.start(), r.end());
    }

    private static void assertAll(String region, LongPredicate p, String what) throws ProcfsException {
        long[] e = entries(region);
        for (int i = 0; i < e.length; i++) {
            assertTrue(p.test(e[i]), region + " page " + i + " should be " + what + ": " + PagemapEntry.describe(e[i]));
        }
    }

    private static long flagsOf(long entry) throws ProcfsException {
        return kpage.readFlags(new long[] {PagemapEntry.pfn(entry)})[0];
    }

    private static long countOf(long entry) throws ProcfsException {
        return kpage.readCounts(new long[] {PagemapEntry.pfn(entry)})[0];
    }

    @Test
    void writtenAnonPagesArePresentAndExclusiveWithPfns() throws Exception {
        assertAll("anon", e -> present(e) && exclusive(e) && !fileOrSharedAnon(e) && PagemapEntry.pfn(e) != 0,
                "present|exclusive");
        long e = entries("anon")[0];
        long f = flagsOf(e);
        assertTrue(KPageFlags.has(f, KPageFlags.ANON) && KPageFlags.has(f, KPageFlags.SWAPBACKED)
                && KPageFlags.has(f, KPageFlags.OWNER_2), KPageFlags.longNames(f));
        assertFalse(KPageFlags.has(f, KPageFlags.DIRTY), "written anon pages have no PG_dirty: " + KPageFlags.longNames(f));
        assertEquals(1, countOf(e));
    }

    @Test
    void zeroPageIsPresentWithoutExclusiveAndIsTheKernelZeroPage() throws Exception {
        assertAll("zero.untouched", e2 -> e2 == 0, "none");
        long[] e = entries("zero.read");
        if (!fx.readFaultsMapZeroPage()) {
            // This kernel allocates on read faults: private anonymous pages, each its own.
            assertAll("zero.read", x -> present(x) && exclusive(x) && !fileOrSharedAnon(x), "present|exclusive");
            assertEquals(e.length, java.util.Arrays.stream(e).map(PagemapEntry::pfn).distinct().count());
            assertFalse(KPageFlags.has(flagsOf(e[0]), KPageFlags.ZERO_PAGE));
            return;
        }
        for (long x : e) {
            assertTrue(present(x) && !exclusive(x) && !fileOrSharedAnon(x), PagemapEntry.describe(x));
            assertEquals(PagemapEntry.pfn(e[0]), PagemapEntry.pfn(x), "one shared zero page");
        }
        long f = flagsOf(e[0]);
        assertTrue(KPageFlags.has(f, KPageFlags.ZERO_PAGE), KPageFlags.longNames(f));
        assertEquals(0, countOf(e[0]), "the zero page has mapcount 0");
    }

    @Test
    void guardMarkersAreSwapPlusGuardWithFrame0x9f() throws Exception {
        assertArrayEquals(new long[] {0x440000000000009fL, 0x440000000000009fL}, entries("guard.markers"));
        long g = entries("guard.markers")[0];
        assertEquals(31, PagemapEntry.swapType(g));
        assertEquals(4, PagemapEntry.swapOffset(g));
        assertAll("guard.written", e -> present(e) && exclusive(e), "present|exclusive");
        assertAll("guard.untouched", e -> e == 0, "none");
    }

    @Test
    void filePrivatePagesHaveTheFileBitUntilWritten() throws Exception {
        assertAll("fileprivate.read", e -> present(e) && fileOrSharedAnon(e) && exclusive(e), "present|file|exclusive");
        assertAll("fileprivate.written", e -> present(e) && !fileOrSharedAnon(e) && exclusive(e),
                "present|exclusive (a private anonymous copy)");
        assertAll("fileprivate.untouched", e -> e == 0, "none");
        long f = flagsOf(entries("fileprivate.read")[0]);
        assertFalse(KPageFlags.has(f, KPageFlags.ANON), KPageFlags.longNames(f));
    }

    @Test
    void sharedFileAndShmemPagesArePresentFileExclusive() throws Exception {
        assertAll("fileshared.written", e -> present(e) && fileOrSharedAnon(e) && exclusive(e), "present|file|exclusive");
        assertAll("shmem", e -> present(e) && fileOrSharedAnon(e) && exclusive(e), "present|file|exclusive");
        long f = flagsOf(entries("shmem")[0]);
        assertTrue(KPageFlags.has(f, KPageFlags.SWAPBACKED) && !KPageFlags.has(f, KPageFlags.ANON), KPageFlags.longNames(f));
    }

    @Test
    void pagesSharedWithTheForkChildLoseExclusiveAndHaveMapcountTwo() throws Exception {
        assertTrue(fx.childPid() > 0);
        for (long e : entries("fork")) {
            assertTrue(present(e) && !exclusive(e), PagemapEntry.describe(e));
            assertEquals(2, countOf(e));
            assertFalse(KPageFlags.has(flagsOf(e), KPageFlags.OWNER_2), "anon-exclusive is cleared by fork");
        }
        // The child sees the very same frames.
        try (PagemapReader child = PagemapReader.open(fx.childPid())) {
            FixtureProcess.Region r = fx.region("fork");
            long[] mine = entries("fork");
            long[] its = child.read(r.start(), r.end());
            for (int i = 0; i < mine.length; i++) {
                assertEquals(PagemapEntry.pfn(mine[i]), PagemapEntry.pfn(its[i]));
            }
        }
    }

    @Test
    void thpPagesAreOneContiguousCompoundFolio() throws Exception {
        long[] e = entries("thp");
        long head = PagemapEntry.pfn(e[0]);
        assertEquals(0, head % 512, "a PMD THP starts on a 2 MiB-aligned frame");
        for (int i = 0; i < e.length; i++) {
            assertTrue(present(e[i]) && exclusive(e[i]), PagemapEntry.describe(e[i]));
            assertEquals(head + i, PagemapEntry.pfn(e[i]));
        }
        long[] pfns = PagemapEntry.presentPfns(e, 0, e.length);
        long[] flags = kpage.readFlags(pfns);
        assertTrue(KPageFlags.has(flags[0], KPageFlags.COMPOUND_HEAD), KPageFlags.longNames(flags[0]));
        for (long f : flags) {
            assertTrue(KPageFlags.has(f, KPageFlags.THP), KPageFlags.longNames(f));
        }
        assertTrue(KPageFlags.has(flags[511], KPageFlags.COMPOUND_TAIL));
    }

    @Test
    void splitThpKeepsItsLargeFolioExceptTheDroppedPage() throws Exception {
        assertArrayEquals(new long[] {0}, entries("thpsplit.hole"));
        long[] e = entries("thpsplit");
        assertEquals(511, java.util.Arrays.stream(e).filter(PagemapEntry::present).count());
        long f = flagsOf(e[0]);
        assertTrue(KPageFlags.has(f, KPageFlags.THP), "still a large folio, now PTE-mapped: " + KPageFlags.longNames(f));
    }

    @Test
    void mlockedLazyFreedProtNoneAndPagedOutPagesStayPresent() throws Exception {
        assertAll("mlock", PagemapEntry::present, "present");
        long lockedFlags = flagsOf(entries("mlock")[0]);
        assertTrue(KPageFlags.has(lockedFlags, KPageFlags.MLOCKED), KPageFlags.longNames(lockedFlags));

        assertAll("protnone", e -> present(e) && exclusive(e), "present (PROT_NONE keeps the PTE)");

        assertAll("free", PagemapEntry::present, "present until reclaim");
        long freed = flagsOf(entries("free")[0]);
        assertTrue(KPageFlags.has(freed, KPageFlags.ANON) && !KPageFlags.has(freed, KPageFlags.SWAPBACKED),
                "MADV_FREE clears swapbacked: " + KPageFlags.longNames(freed));

        // No swap on the test machine: MADV_PAGEOUT cannot reclaim anonymous pages.
        assertEquals("rc=0 present=8", fx.notes().get("pageout"));
        assertAll("pageout", PagemapEntry::present, "present (no swap)");
    }

    @Test
    void aWholeRangeIsReadInOneSystemCall() throws Exception {
        FixtureProcess.Region arena = fx.region("arena");
        long before = reader.readCalls();
        long[] all = reader.read(arena.start(), arena.end());
        assertEquals(arena.pages(), all.length);
        assertEquals(1, reader.readCalls() - before);

        long[] into = new long[all.length + 2];
        reader.read(arena.start(), into, 1, all.length);
        assertArrayEquals(all, java.util.Arrays.copyOfRange(into, 1, all.length + 1));
    }

    @Test
    void addressesPastTheUserAddressSpaceReadAsZero() throws Exception {
        assertArrayEquals(new long[4], reader.read(0xffffffffff600000L, 0xffffffffff604000L));
    }

    @Test
    void entriesDecode() {
        long anon = 0x810000000011b8b0L;
        assertTrue(present(anon) && exclusive(anon));
        assertEquals(0x11b8b0L, PagemapEntry.pfn(anon));
        assertEquals(-1, PagemapEntry.swapType(anon));
        assertEquals("present|exclusive pfn=0x11b8b0", PagemapEntry.describe(anon));
        assertEquals("swap|guard type=31 offset=0x4", PagemapEntry.describe(0x440000000000009fL));
        assertEquals("swap|uffd-wp type=31 offset=0x1", PagemapEntry.describe(0x420000000000003fL));
        assertEquals("present|file|exclusive pfn=0x10358e", PagemapEntry.describe(0xa10000000010358eL));
        assertEquals("none", PagemapEntry.describe(0));
        assertArrayEquals(new long[] {3, 5}, PagemapEntry.presentPfns(
                new long[] {PagemapEntry.PM_PRESENT | 5, 0, PagemapEntry.PM_PRESENT | 3, PagemapEntry.PM_PRESENT | 5}, 0, 4));
    }
}
