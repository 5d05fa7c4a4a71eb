package io.pagewalk.runtime.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.procfs.KpageReader;
import io.pagewalk.runtime.procfs.MapsEntry;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.procfs.PagemapScan;
import io.pagewalk.runtime.procfs.ProcMaps;
import io.pagewalk.runtime.procfs.ProcVma;
import io.pagewalk.runtime.procfs.ProcessControl;
import io.pagewalk.runtime.testing.FixtureProcess;
import io.pagewalk.runtime.walk.MmWalkOps;
import io.pagewalk.runtime.walk.PageWalk;
import io.pagewalk.runtime.walk.PageWalkAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Imports the whole fixture and checks the model against the kernel's own reports, read again
 * after the import.
 *
 * <p>Deterministic because the fixture holds still once it reported "ready": it blocks in read(0)
 * and touches nothing, so no fault, unmap or COW happens. What could still drift, and how it is
 * held: khugepaged (every small-page part and the split THP are MADV_NOHUGEPAGE, the thp part is
 * already PMD-mapped, THP mode is "madvise"); the deferred-split shrinker (all data non-zero, so
 * no underused subpages); the per-CPU LRU batches, which would settle LRU, UNEVICTABLE and
 * SWAPBACKED whenever they drain (the fixture drains them on every CPU before "ready"); aging
 * by other processes' reclaim, which can flip ACTIVE/REFERENCED (masked in the flag comparison);
 * compaction moving a page (tens of MiB on an idle machine: not seen; it would show as a PFN
 * mismatch).
 */
class LiveImportTest {
    /** kpageflags bits that change with LRU batch draining and aging, not with the process. */
    static final long VOLATILE_FLAGS = PageFlags.LRU | PageFlags.ACTIVE | PageFlags.REFERENCED | PageFlags.IDLE;

    private static FixtureProcess fx;
    private static MmStruct mm;
    private static final List<String> warnings = new ArrayList<>();
    /**
     * Address to pagemap entry, for every page of every user VMA whose entry was the same just
     * before and just after the import (a page migrated by compaction meanwhile is left out).
     */
    private static final Map<Long, Long> pagemap = new HashMap<>();
    /** Pages whose entry changed during the import (compaction, deferred split): not compared. */
    private static int moved;
    private static long presentAfterImport;

    @BeforeAll
    static void importFixture() throws Exception {
        fx = FixtureProcess.start("all");
        Map<Long, Long> before = readPagemap();
        mm = LiveImport.importProcess(fx.pid(), new ImportOptions(false, warnings::add));
        Map<Long, Long> after = readPagemap();
        presentAfterImport = after.values().stream().filter(PagemapEntry::present).count();
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            if (e.getValue().equals(before.get(e.getKey()))) {
                pagemap.put(e.getKey(), e.getValue());
            } else {
                moved++;
            }
        }
    }

    /** Every page of every VMA below the kernel half ([vsyscall] has no page table). */
    static Map<Long, Long> readPagemap() throws Exception {
        Map<Long, Long> out = new HashMap<>();
        try (PagemapReader r = PagemapReader.open(fx.pid())) {
            for (MapsEntry m : ProcMaps.readMaps(fx.pid())) {
                if (m.start() < 0) {
                    continue;
                }
                long[] e = r.read(m.start(), m.end());
                for (int i = 0; i < e.length; i++) {
                    out.put(m.start() + ((long) i << 12), e[i]);
                }
            }
        }
        return out;
    }

    @Test
    void fewPagesMovedDuringTheImport() {
        assertTrue(moved < 64, "pages whose pagemap entry changed during the import: " + moved);
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private static long pm(long addr) {
        Long e = pagemap.get(addr);
        org.junit.jupiter.api.Assumptions.assumeTrue(e != null, "page moved during the import");
        return e;
    }

    @Test
    void noWarningAsRootAndNothingUnknown() {
        assertEquals(List.of(), warnings);
        assertEquals(Set.of(), mm.unknownFacts());
        assertTrue(mm.memMap().flagsKnown());
        assertTrue(mm.memMap().countsKnown());
    }

    @Test
    void originNamesTheProcess() throws Exception {
        assertEquals("live", mm.origin().kind());
        assertEquals(fx.pid(), mm.origin().pid());
        assertTrue(mm.origin().command().startsWith(FixtureProcess.binary().toString()), mm.origin().command());
        assertEquals(ProcessControl.kernelRelease(), mm.origin().kernelRelease());
        assertTrue(Math.abs(System.currentTimeMillis() - mm.origin().capturedAtMillis()) < 600_000);
    }

    @Test
    void vmasEqualSmapsHeadersAndFlags() throws Exception {
        List<ProcVma> kernel = ProcMaps.readSmaps(fx.pid());
        List<VmArea> model = new ArrayList<>(mm.vmas());
        // The gate VMA ([vsyscall]) is listed last by the kernel but is not in the VMA tree.
        assertEquals("[vsyscall]", mm.gateVma().name());
        model.add(mm.gateVma());
        assertEquals(kernel.size(), model.size());
        for (int i = 0; i < kernel.size(); i++) {
            ProcVma k = kernel.get(i);
            VmArea v = model.get(i);
            String where = k.map().toMapsLine();
            assertEquals(k.start(), v.start(), where);
            assertEquals(k.end(), v.end(), where);
            assertEquals(k.perms(), io.pagewalk.runtime.mm.VmFlags.permissions(v.flags()), where);
            assertEquals(k.map().pgoff(), v.pgoff() << 12, where);
            assertEquals(k.name(), v.name(), where);
            assertEquals(k.vmFlags(), v.flags(), where);
            if (k.map().inode() == 0) {
                assertNull(v.file(), where);
            } else {
                assertEquals(k.map().inode(), v.file().inode(), where);
                assertEquals(((long) k.map().devMajor() << 20) | k.map().devMinor(), v.file().device(), where);
            }
        }
    }

    @Test
    void everyPageEqualsPagemap() {
        int present = 0;
        int swapped = 0;
        for (Map.Entry<Long, Long> e : pagemap.entrySet()) {
            long addr = e.getKey();
            long k = e.getValue();
            ModelPagemap m = ModelPagemap.at(mm, addr);
            String where = String.format("0x%x kernel %s model 0x%x", addr, PagemapEntry.describe(k), m.entry());
            assertEquals(PagemapEntry.present(k), m.present(), where);
            assertEquals(PagemapEntry.swapped(k), m.swapped(), where);
            if (m.present()) {
                assertEquals(PagemapEntry.pfn(k), m.pfn(), where);
                present++;
            }
            if (m.swapped()) {
                long entry = Swapops.pte_to_swp_entry(m.entry());
                assertEquals(PagemapEntry.swapType(k), Swapops.swp_type(entry), where);
                assertEquals(PagemapEntry.swapOffset(k), Swapops.swp_offset(entry), where);
                assertEquals(PagemapEntry.guard(k), Swapops.is_guard_pte_marker(m.entry()), where);
                swapped++;
            }
        }
        assertTrue(present > 600, "present pages: " + present);
        assertTrue(swapped >= 2, "swapped (guard) entries: " + swapped);
    }

    @Test
    void pmdLeavesExactlyWherePagemapScanSaysHuge() throws Exception {
        Set<Long> kernel = new TreeSet<>();
        try (PagemapScan scan = PagemapScan.open(fx.pid())) {
            for (VmArea vma : mm.vmas()) {
                if (Long.compareUnsigned(vma.start(), mm.taskSize()) >= 0) {
                    continue;
                }
                for (PagemapScan.Region r : scan.scanAll(new PagemapScan.Request(vma.start(), vma.end(), 0, 0,
                        PagemapScan.PAGE_IS_HUGE, 0, PagemapScan.PAGE_IS_HUGE, 0, 1024))) {
                    for (long a = r.start(); a < r.end(); a += PagingGeometry.PMD_SIZE) {
                        kernel.add(a);
                    }
                }
            }
        }
        Set<Long> model = new TreeSet<>();
        for (VmArea vma : mm.vmas()) {
            for (long a = vma.start() & PagingGeometry.PMD_MASK; Long.compareUnsigned(a, vma.end()) < 0
                    && Long.compareUnsigned(a, mm.taskSize()) < 0; a += PagingGeometry.PMD_SIZE) {
                if (Pgtable.pmd_leaf(io.pagewalk.runtime.mm.PageTables.get(mm, a, PagingGeometry.PMD))) {
                    model.add(a);
                }
            }
        }
        assertEquals(kernel, model);
        assertTrue(model.contains(fx.region("thp").start()), "the thp part is one PMD leaf");
        assertFalse(model.contains(fx.region("thpsplit").start()), "the split THP is PTE-mapped");
    }

    @Test
    void pmdMappedThpIsOneOrderNineFolioWithEntireMapcount() {
        long addr = fx.region("thp").start();
        ModelPagemap m = ModelPagemap.at(mm, addr);
        assertTrue(m.pmdLeaf());
        MemMap mem = mm.memMap();
        long head = m.pfn();
        assertEquals(head, mem.folioHead(head + 100));
        assertEquals(9, mem.folioOrder(head));
        assertEquals(1, mem.entireMapcount(head));
        assertEquals(1, mem.folioMapcount(head));
        assertTrue(Pgtable.pmd_write(m.entry()) && (m.entry() & Pgtable._PAGE_PSE) != 0);
        assertEquals(PagemapEntry.pfn(pm(addr)), head);
    }

    @Test
    void pteMappedLargeFolioKeepsItsOrderAndHole() {
        FixtureProcess.Region r = fx.region("thpsplit");
        long hole = fx.region("thpsplit.hole").start();
        assertFalse(ModelPagemap.at(mm, hole).present());
        ModelPagemap first = ModelPagemap.at(mm, r.start());
        assertFalse(first.pmdLeaf());
        MemMap mem = mm.memMap();
        long head = mem.folioHead(first.pfn());
        // The folio is whatever the kernel says it is now (still order 9, or split by the shrinker).
        KpageReaderOracle k = KpageReaderOracle.read(new long[] {first.pfn()});
        boolean compound = (k.flags[0] & PageFlags.COMPOUND_HEAD) != 0;
        assertEquals(compound ? 9 : 0, mem.folioOrder(head));
        assertEquals(0, mem.entireMapcount(head));
    }

    /**
     * Flags of every present page, and mapcounts of the pages only the fixture (and its fork
     * child) can map: those of the arena. Pages of shared libraries are mapped by other processes
     * that start and exit at any time, so their kpagecount moves between the import and this
     * read; for them only "mapped at least once" is checked.
     */
    @Test
    void pageFlagsAndMapcountsEqualKpageflagsAndKpagecount() {
        FixtureProcess.Region arena = fx.region("arena");
        TreeSet<Long> pfns = new TreeSet<>();
        Set<Long> arenaPfns = new HashSet<>();
        for (Map.Entry<Long, Long> e : pagemap.entrySet()) {
            if (PagemapEntry.present(e.getValue())) {
                pfns.add(PagemapEntry.pfn(e.getValue()));
                if (arena.contains(e.getKey())) {
                    arenaPfns.add(PagemapEntry.pfn(e.getValue()));
                }
            }
        }
        long[] sorted = pfns.stream().mapToLong(Long::longValue).toArray();
        KpageReaderOracle k = KpageReaderOracle.read(sorted);
        // PFNs still mapped at the same place after the oracle read did not move meanwhile.
        Set<Long> stillMapped = new HashSet<>();
        for (Map.Entry<Long, Long> e : readPagemapUnchecked().entrySet()) {
            if (e.getValue().equals(pagemap.get(e.getKey())) && PagemapEntry.present(e.getValue())) {
                stillMapped.add(PagemapEntry.pfn(e.getValue()));
            }
        }
        MemMap mem = mm.memMap();
        int exact = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (!stillMapped.contains(sorted[i])) {
                continue;
            }
            String where = String.format("pfn 0x%x", sorted[i]);
            assertTrue(mem.pfnValid(sorted[i]), where);
            assertEquals(k.flags[i] & ~VOLATILE_FLAGS, mem.flags(sorted[i]) & ~VOLATILE_FLAGS, where);
            if (arenaPfns.contains(sorted[i])) {
                assertEquals(k.counts[i], mem.mapcount(sorted[i]), where);
                exact++;
            } else if ((k.flags[i] & PageFlags.ZERO_PAGE) == 0) {
                assertTrue(mem.mapcount(sorted[i]) >= 1, where);
            }
            boolean tail = (k.flags[i] & PageFlags.COMPOUND_TAIL) != 0;
            assertEquals(tail, mem.folioHead(sorted[i]) != sorted[i], where);
        }
        assertTrue(exact > 600, "arena pages compared exactly: " + exact);
    }

    @Test
    void guardMarkersWhereTheKernelHasThem() {
        for (long a = fx.region("guard.markers").start(); a < fx.region("guard.markers").end(); a += 4096) {
            assertTrue(PagemapEntry.guard(pm(a)));
            assertTrue(Swapops.is_guard_pte_marker(ModelPagemap.at(mm, a).entry()));
        }
        assertTrue(ModelPagemap.at(mm, fx.region("guard.written").start()).present());
        assertEquals(0, ModelPagemap.at(mm, fx.region("guard.untouched").start()).entry());
    }

    @Test
    void forkSharedPagesHaveMapcountTwoAndAreWriteProtected() {
        FixtureProcess.Region r = fx.region("fork");
        for (int i = 0; i < r.pages(); i++) {
            ModelPagemap m = ModelPagemap.at(mm, r.page(i));
            assertTrue(m.present());
            assertEquals(2, mm.memMap().mapcount(m.pfn()));
            assertFalse(PagemapEntry.exclusive(pm(r.page(i))));
            assertFalse(Pgtable.pte_write(m.entry()), "COW-shared pages are mapped read-only");
            assertTrue(Pgtable.pte_dirty(m.entry()), "written anon pages are dirty");
        }
    }

    @Test
    void writeBitFollowsTheDocumentedRule() {
        long anon = ModelPagemap.at(mm, fx.region("anon").start()).entry();
        assertTrue(Pgtable.pte_write(anon) && Pgtable.pte_dirty(anon) && Pgtable.pte_young(anon));
        long fileRead = ModelPagemap.at(mm, fx.region("fileprivate.read").start()).entry();
        assertFalse(Pgtable.pte_write(fileRead), "page-cache page in a private VMA: COW on write");
        long fileCow = ModelPagemap.at(mm, fx.region("fileprivate.written").start()).entry();
        assertTrue(Pgtable.pte_write(fileCow), "the private copy after COW is anon and exclusive");
        long shmem = ModelPagemap.at(mm, fx.region("shmem").start()).entry();
        assertTrue(Pgtable.pte_write(shmem));
        // A written page of a shared file mapping is writable and dirty while PG_dirty says so;
        // writeback (30 s after the write, sooner on a busy machine) cleans it and the kernel
        // write-protects it again, so the rule is checked against the flags the import read.
        long sharedWritten = ModelPagemap.at(mm, fx.region("fileshared.written").start()).entry();
        boolean pageDirty = mm.memMap().test(Pgtable.pte_pfn(sharedWritten), PageFlags.DIRTY);
        assertEquals(pageDirty, Pgtable.pte_write(sharedWritten), "RW follows PG_dirty on a shared file page");
        assertEquals(pageDirty, Pgtable.pte_dirty(sharedWritten), "dirty follows PG_dirty on a shared file page");
        long protnone = ModelPagemap.at(mm, fx.region("protnone").start()).entry();
        assertTrue(Pgtable.pte_protnone(protnone) && Pgtable.pte_present(protnone));
        // No memory pressure: lazily freed pages stay mapped; the fixture drained the lazyfree batch.
        long lazy = ModelPagemap.at(mm, fx.region("free").start()).entry();
        assertTrue(Pgtable.pte_present(lazy));
        assertFalse(Pgtable.pte_dirty(lazy) || Pgtable.pte_young(lazy), "MADV_FREE makes PTEs clean and old");
    }

    @Test
    void fileFoliosHaveMappingAndIndexAnonHaveLinearIndex() {
        FixtureProcess.Region fr = fx.region("fileshared");
        VmArea vma = mm.vmaLookup(fr.start());
        long pfn = ModelPagemap.at(mm, fr.page(2)).pfn();
        assertEquals(vma.file(), mm.memMap().mapping(pfn));
        assertEquals(vma.pgoff() + 2, mm.memMap().index(pfn));
        assertEquals(pfn, vma.file().pageCache().get(vma.pgoff() + 2));
        FixtureProcess.Region ar = fx.region("anon");
        long apfn = ModelPagemap.at(mm, ar.page(3)).pfn();
        assertNull(mm.memMap().mapping(apfn));
        assertEquals(mm.vmaLookup(ar.start()).linearPageIndex(ar.page(3)), mm.memMap().index(apfn));
    }

    @Test
    void zeroPageAsTheKernelDoesIt() {
        FixtureProcess.Region r = fx.region("zero.read");
        for (int i = 0; i < r.pages(); i++) {
            ModelPagemap m = ModelPagemap.at(mm, r.page(i));
            assertTrue(m.present());
            if (fx.readFaultsMapZeroPage()) {
                assertTrue(mm.memMap().is_zero_pfn(m.pfn()));
                assertTrue(Pgtable.pte_special(m.entry()) && !Pgtable.pte_write(m.entry()));
            } else {
                assertFalse(Pgtable.pte_special(m.entry()), "pvm_no_zero_page: a private page");
                assertTrue(Pgtable.pte_write(m.entry()));
                assertEquals(1, mm.memMap().mapcount(m.pfn()));
            }
        }
    }

    /** read(2)/pread(2) calls of this JVM so far ({@code syscr} of /proc/self/io). */
    private static long readSyscalls() throws Exception {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/io"))) {
            if (line.startsWith("syscr:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new AssertionError("no syscr in /proc/self/io");
    }

    @Test
    void readsAreBatchedNotOnePerPage() throws Exception {
        long pages = pagemap.size();
        long before = readSyscalls();
        LiveImport.importProcess(fx.pid(), new ImportOptions(false, null));
        long reads = readSyscalls() - before;
        // smaps, the small per-process files and the capability probe take a few dozen reads;
        // pagemap one per VMA, kpageflags/kpagecount one per PFN run.
        assertTrue(reads < pages / 4, reads + " read calls for " + pages + " pages");
    }

    @Test
    void walkerCountsThePresentPagesPagemapHas() {
        long kernel = presentAfterImport;
        long[] counted = new long[1];
        MmWalkOps ops = MmWalkOps.builder()
                .pmdEntry((pmd, addr, next, walk) -> {
                    long v = pmd.get();
                    if (Pgtable.pmd_leaf(v)) {
                        if (Pgtable.pmd_present(v)) {
                            counted[0] += (next - addr) >>> 12;
                        }
                        walk.setAction(PageWalkAction.ACTION_CONTINUE); // do not split it
                    }
                    return 0;
                })
                .pteEntry((pte, addr, next, walk) -> {
                    if (Pgtable.pte_present(pte.get())) {
                        counted[0]++;
                    }
                    return 0;
                })
                .build();
        mm.mmapLock().readLock();
        try {
            assertEquals(0, PageWalk.walkPageRange(mm, 0, mm.taskSize(), ops, null));
        } finally {
            mm.mmapLock().readUnlock();
        }
        assertEquals(kernel, counted[0]);
        assertNotEquals(0, kernel);
    }

    private static Map<Long, Long> readPagemapUnchecked() {
        try {
            return readPagemap();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** kpageflags/kpagecount read by the test itself (the oracle), for sorted PFNs. */
    record KpageReaderOracle(long[] flags, long[] counts) {
        static KpageReaderOracle read(long[] sortedPfns) {
            try (KpageReader r = KpageReader.open()) {
                KpageReader.Result res = r.read(sortedPfns);
                return new KpageReaderOracle(res.flags(), res.counts());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

}
