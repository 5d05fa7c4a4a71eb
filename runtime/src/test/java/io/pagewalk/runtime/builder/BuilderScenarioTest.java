package io.pagewalk.runtime.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Scenarios beyond the fixture, each run by ops.c in a real process and by the builder, compared
 * op result by op result (addresses, errnos) and then VMA by VMA and page by page
 * ({@link Scenario}). Op syntax: the head of ops.c. Numbers: PROT 3 = read|write; flags 0x32 =
 * MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, 0x31 shared anonymous, 0x12 private file, 0x11 shared file
 * (all fixed); advice 4 DONTNEED, 8 FREE, 14 HUGEPAGE, 15 NOHUGEPAGE, 21 PAGEOUT, 25 COLLAPSE,
 * 102/103 GUARD_INSTALL/REMOVE.
 */
class BuilderScenarioTest {
    private static final long ARENA = 16L << 20;

    private static int check(String... ops) throws Exception {
        try (Scenario s = Scenario.run(ARENA, ops)) {
            return s.assertSameMemory();
        }
    }

    @Test
    void writesAfterForkBreakCopyOnWriteOnEachSide() throws Exception {
        int pages = check("map,0,0x8000,3,0x32", "madvise,0,0x8000,15", "touch,0,0x8000,w", "fork",
                "touch,0,0x2000,w", "c:touch,0x2000,0x2000,w", "c:touch,0x6000,0x1000,r");
        assertEquals(16, pages);
    }

    @Test
    void aThpSharedByForkIsSplitInTheWriterAndStaysPmdMappedInTheOther() throws Exception {
        int pages = check("map,0,0x400000,3,0x32", "madvise,0,0x400000,14", "touch,0,0x400000,w", "fork",
                "c:touch,0x5000,0x1000,w", "c:touch,0x200000,0x1000,w");
        assertEquals(4 * 512, pages);
    }

    @Test
    void partialMprotectOfAThpSplitsThePmdAndTheVma() throws Exception {
        check("map,0,0x400000,3,0x32", "madvise,0,0x400000,14", "touch,0,0x400000,w",
                "mprotect,0x1000,0x1000,1", "mprotect,0x203000,0x1000,0", "mprotect,0x203000,0x1000,3");
    }

    @Test
    void munmapInTheMiddleAndRemappingMergesBack() throws Exception {
        check("map,0,0x10000,3,0x32", "touch,0,0x10000,w", "munmap,0x4000,0x4000", "touch,0x4000,0x1000,w",
                "map,0x4000,0x4000,3,0x32", "touch,0x5000,0x1000,w", "map,0x20000,0x4000,1,0x32",
                "mprotect,0x20000,0x4000,3", "map,0x24000,0x4000,3,0x32");
    }

    @Test
    void dontneedFreeAndPageoutOnThps() throws Exception {
        check("map,0,0x600000,3,0x32", "madvise,0,0x600000,14", "touch,0,0x600000,w",
                "madvise,0,0x200000,4", "touch,0,0x1000,r",
                "madvise,0x200000,0x200000,8", "madvise,0x500000,0x100000,8", "madvise,0x400000,0x1000,21",
                // keep khugepaged from collapsing the PTE-mapped THP while the test compares
                "madvise,0x400000,0x200000,15");
    }

    @Test
    void collapseMakesAPmdThpOfSmallPages() throws Exception {
        check("map,0,0x400000,3,0x32", "touch,0,0x3000,w", "touch,0x100000,0x1000,r",
                "madvise,0,0x200000,25", "madvise,0x200000,0x200000,25", "map,0x600000,0x200000,3,0x32",
                "madvise,0x600000,0x200000,15", "touch,0x600000,0x1000,w", "madvise,0x600000,0x200000,25");
    }

    @Test
    void guardRegionsInstallRemoveAndMergeStickily() throws Exception {
        check("map,0,0x8000,3,0x32", "touch,0,0x8000,w", "madvise,0x2000,0x2000,102", "touch,0x2000,0x1000,r",
                "madvise,0x3000,0x1000,103", "touch,0x3000,0x1000,w", "map,0x8000,0x4000,3,0x32",
                "madvise,0x9000,0x1000,14");
    }

    @Test
    void fileFaultAroundCopyOnWriteAndSharedDirtying() throws Exception {
        check("file,64", "map,0,0x40000,3,0x12,0", "touch,0x14000,0x1000,r", "touch,0x28000,0x1000,w",
                "touch,0x3f000,0x1000,r", "file,8", "map,0x100000,0x8000,3,0x11,1", "touch,0x100000,0x1000,r",
                "touch,0x102000,0x1000,w", "rofile,1", "map,0x200000,0x8000,1,0x11,2", "touch,0x200000,0x8000,r",
                "map,0x300000,0x10000,3,0x12,0,0x8000", "touch,0x304000,0x2000,w");
    }

    @Test
    void forkCopiesOnlyTheTablesItMust() throws Exception {
        check("file,16", "map,0,0x10000,3,0x12,0", "touch,0,0x4000,r", "touch,0x4000,0x1000,w",
                "file,16", "map,0x100000,0x10000,3,0x12,1", "touch,0x100000,0x4000,r",
                "map,0x200000,0x4000,3,0x31", "touch,0x200000,0x4000,w", "map,0x300000,0x4000,3,0x32",
                "madvise,0x300000,0x4000,102", "fork", "c:touch,0x200000,0x1000,r");
    }

    @Test
    void mlockFaultsInAndMlocksSmallAndPmdMappedFolios() throws Exception {
        check("map,0,0x400000,3,0x32", "madvise,0,0x200000,14", "touch,0,0x200000,w", "mlock,0,0x200000",
                "map,0x400000,0x8000,3,0x32", "mlock,0x400000,0x4000", "munlock,0x402000,0x1000",
                "map,0x500000,0x4000,1,0x32", "mlock,0x500000,0x4000");
    }

    @Test
    void populateAndLockedMappingsFaultIn() throws Exception {
        check("map,0,0x8000,3,0x8032", "map,0x10000,0x4000,1,0x8032", "map,0x20000,0x4000,3,0x2032",
                "map,0x30000,0x4000,3,0x8031", "file,16", "map,0x40000,0x10000,1,0x8012,0",
                "map,0x200000,0x200000,3,0x8032");
    }

    @Test
    void coldClearsTheAccessedState() throws Exception {
        check("map,0,0x8000,3,0x8032", "madvise,0,0x4000,20", "map,0x10000,0x4000,3,0x32", "touch,0x10000,0x4000,w",
                "madvise,0x10000,0x4000,20");
    }

    @Test
    void munlockingPartOfAnMlockedThp() throws Exception {
        check("map,0,0x200000,3,0x32", "madvise,0,0x200000,14", "touch,0,0x200000,w", "mlock,0,0x200000",
                "munlock,0x100000,0x1000");
    }

    @Test
    void protNoneOnAWholeThpKeepsThePmd() throws Exception {
        check("map,0,0x400000,3,0x32", "madvise,0,0x400000,14", "touch,0,0x400000,w", "mprotect,0,0x200000,0",
                "mprotect,0,0x200000,1");
    }

    @Test
    void forkWithDontforkWipeonforkSharedMemoryAndLazyFree() throws Exception {
        check("map,0,0x4000,3,0x32", "touch,0,0x4000,w", "madvise,0,0x4000,10",
                "map,0x10000,0x4000,3,0x32", "touch,0x10000,0x4000,w", "madvise,0x10000,0x4000,18",
                "map,0x20000,0x4000,3,0x32", "touch,0x20000,0x4000,w", "madvise,0x20000,0x2000,8",
                // The kernel clears swapbacked when its per-CPU lazy-free batch drains; mlock()
                // drains every CPU's batches, so the kernel shows the state the model keeps.
                "map,0x40000,0x1000,3,0x32", "mlock,0x40000,0x1000",
                "map,0x30000,0x4000,3,0x31", "touch,0x30000,0x4000,w", "madvise,0x30000,0x1000,4",
                "touch,0x30000,0x1000,r", "fork", "c:touch,0x20000,0x1000,w", "c:touch,0x30000,0x2000,r");
    }

    @Test
    void adviceFlagsAndAccountingOfFileMappings() throws Exception {
        check("map,0,0x10000,3,0x32", "madvise,0,0x2000,1", "madvise,0x4000,0x2000,2", "madvise,0x8000,0x2000,16",
                "madvise,0x9000,0x1000,17", "madvise,0xc000,0x1000,10", "madvise,0xd000,0x1000,11",
                "map,0x20000,0x4000,3,0x31", "madvise,0x20000,0x1000,18", "madvise,0x20000,0x1000,10",
                "file,8", "map,0x30000,0x8000,1,0x12,0", "mprotect,0x30000,0x4000,3", "map,0x40000,0x8000,1,0x11,0",
                "mprotect,0x40000,0x4000,3", "mprotect,0x40000,0x4000,1");
    }

    @Test
    void unmappingOrReplacingPartOfAThpAndMlockAcrossFork() throws Exception {
        check("map,0,0x600000,3,0x32", "madvise,0,0x600000,14", "touch,0,0x600000,w", "munmap,0x1ff000,0x2000",
                "map,0x300000,0x1000,1,0x32", "mlock,0x400000,0x200000", "fork", "c:touch,0x400000,0x1000,w");
    }

    @Test
    void populateMergeableDontneedLockedAndRemove() throws Exception {
        check("map,0,0x8000,3,0x32", "madvise,0,0x2000,12", "madvise,0x2000,0x1000,22", "madvise,0x3000,0x1000,23",
                "mlock,0x4000,0x2000", "madvise,0x4000,0x1000,24", "madvise,0x4000,0x1000,4",
                "map,0x10000,0x4000,1,0x32", "madvise,0x10000,0x1000,23", "madvise,0x10000,0x1000,22",
                "map,0x20000,0x4000,0,0x32", "madvise,0x20000,0x1000,22", "madvise,0x1000,0x1000,13",
                "madvise,0,0x1000,9", "map,0x30000,0x8000,3,0x31", "touch,0x30000,0x8000,w",
                "file,8", "map,0x40000,0x8000,3,0x11,0", "touch,0x40000,0x8000,w", "map,0x50000,0x8000,1,0x11,0",
                "touch,0x50000,0x8000,r", "fork", "c:touch,0x30000,0x4000,r", "c:madvise,0x31000,0x2000,9",
                "c:madvise,0x42000,0x2000,9", "c:madvise,0x50000,0x1000,9", "c:touch,0x42000,0x1000,r");
    }

    @Test
    void protNoneAndBack() throws Exception {
        check("map,0,0x8000,3,0x32", "touch,0,0x8000,w", "mprotect,0,0x8000,0", "mprotect,0x4000,0x4000,3",
                "touch,0x4000,0x1000,w", "mprotect,0,0x4000,3");
    }

    @Test
    void placementIsTopDownFromMmapBaseAndThpAlignedForWholeHugePages() throws Exception {
        try (Scenario s = Scenario.run(ARENA, "mapany,0x3000,3,0x22", "mapany,0x400000,3,0x22",
                "mapany,0x300000,3,0x22", "mapany,0x1000,1,0x22", "mapany,0x200000,3,0x22")) {
            s.assertSameMemory();
            assertEquals(0, s.extraRanges.get(1)[0] % Scenario.HPAGE, "4 MiB anonymous mapping is THP-aligned");
            assertTrue(s.extraRanges.get(2)[0] % Scenario.HPAGE != 0, "3 MiB is not");
        }
    }

    @Test
    void hugetlbMappingsWhenTheMachineHasHugePages() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Scenario.machineConfig().hugetlbPages() >= 2,
                "needs 2 free huge pages (vm.nr_hugepages)");
        check("map,0x200000,0x200000,3,0x40032", "touch,0x200000,0x1000,r", "map,0x400000,0x200000,3,0x40031",
                "touch,0x400000,0x1000,w", "fork", "c:touch,0x400000,0x1000,r", "map,0x600000,0x200000,3,0x44032",
                "mprotect,0x201000,0x1000,1", "madvise,0x200000,0x1000,4");
    }

    @Test
    void errorsAreTheKernels() throws Exception {
        check("map,0,0x8000,3,0x32", "file,4", "rofile,0",
                "munmap,0x1001,0x1000", "munmap,0,0", "mprotect,0x8000,0x4000,1", "mprotect,0x4000,0x8000,1",
                "madvise,0x6000,0x4000,15", "mprotect,0x1,0x1000,1", "madvise,0,0x1000,9999",
                "map,0x10000,0,3,0x32", "map,0x10001,0x1000,3,0x32", "map,0x10000,0x1000,3,0x20",
                "map,0,0x1000,3,0x100022", "map,0x20000,0x1000,3,0x31", "madvise,0x20000,0x1000,8",
                "map,0x30000,0x4000,3,0x32", "mlock,0x30000,0x4000", "madvise,0x30000,0x1000,4",
                "madvise,0x30000,0x1000,102", "madvise,0x30000,0x1000,21",
                "map,0x40000,0x4000,3,0x11,1", "map,0x40000,0x4000,1,0x11,1", "mprotect,0x40000,0x4000,3",
                "map,0x50000,0x4000,0,0x32", "mlock,0x50000,0x4000", "touch,0x50000,0x1000,r",
                "map,0x60000,0x4000,1,0x32", "touch,0x60000,0x1000,w", "touch,0x60000,0x1000,r",
                "madvise,0x70000,0x1000,102", "map,0x70000,0x2000,3,0x32", "madvise,0x71000,0x1000,102",
                "touch,0x70000,0x2000,w",
                "map,0x80000,0x4000,3,0x12,0", "touch,0x80000,0x4000,r",
                "map,0x200000,0x200000,3,0x40032", "map,0x400000,0x1000,3,0x40022");
    }
}
