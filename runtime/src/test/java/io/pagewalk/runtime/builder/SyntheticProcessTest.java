package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.builder.SyntheticProcess.*;
import static io.pagewalk.runtime.pgtable.Pgtable.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.walk.MmWalkOps;
import io.pagewalk.runtime.walk.PageWalk;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The builder's operations one by one: resulting VMAs, entries, folio flags and mapcounts. */
class SyntheticProcessTest {
    private static final long PAGE = 4096;
    private static final long HPAGE = 2L << 20;
    private static final int RW = PROT_READ | PROT_WRITE;
    private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;
    private static final long WRITTEN_ANON = PageFlags.UPTODATE | PageFlags.LRU | PageFlags.MMAP | PageFlags.ANON
            | PageFlags.SWAPBACKED | PageFlags.ANON_EXCLUSIVE;

    private final SyntheticProcess p = new SyntheticProcess();
    private final MemMap mem = p.memMap();

    private static int errno(Runnable r) {
        return assertThrows(SyscallException.class, r::run).errno();
    }

    private long pte(long addr) {
        return PageTables.get(p.mm(), addr, PagingGeometry.PTE);
    }

    private long pmd(long addr) {
        return PageTables.get(p.mm(), addr, PagingGeometry.PMD);
    }

    // ---- mmap ----

    @Test
    void anonymousMappingsGetTheKernelsFlagsAndGoTopDownFromMmapBase() {
        long a = p.mmap(0, 4 * PAGE, RW, ANON, null, 0);
        long b = p.mmap(0, 2 * PAGE, PROT_READ, ANON, null, 0);
        assertEquals(MMAP_BASE - 4 * PAGE, a);
        assertEquals(a - 2 * PAGE, b);
        VmArea va = p.vma(a);
        assertEquals("rd wr mr mw me ac ", VmFlags.toSmapsString(va.flags()));
        assertEquals(a >>> 12, va.pgoff(), "anonymous vm_pgoff is the address in pages");
        assertEquals("rd mr mw me ", VmFlags.toSmapsString(p.vma(b).flags()), "read-only: not accounted");
        long big = p.mmap(0, 4 * HPAGE, RW, ANON, null, 0);
        assertEquals(0, big % HPAGE, "whole 2 MiB multiples are THP-aligned");
        assertEquals(b - 4 * HPAGE - (b % HPAGE), big);
    }

    @Test
    void aFreeHintIsTakenAndABusyOneIsNot() {
        long want = 0x10000000L;
        assertEquals(want, p.mmap(want, PAGE, RW, ANON, null, 0));
        assertNotEquals(want, p.mmap(want, PAGE, RW, ANON, null, 0));
        assertEquals(MMAP_MIN_ADDR, p.mmap(1, PAGE, RW, ANON | MAP_NORESERVE, null, 0), "hint rounded up to mmap_min_addr");
        assertEquals("rd wr mr mw me nr ", VmFlags.toSmapsString(p.vma(MMAP_MIN_ADDR).flags()));
    }

    @Test
    void adjacentCompatibleMappingsMerge() {
        long a = p.mmap(0x20000000L, 4 * PAGE, RW, ANON | MAP_FIXED, null, 0);
        p.mmap(a + 4 * PAGE, 4 * PAGE, RW, ANON | MAP_FIXED, null, 0);
        assertEquals(1, p.vmas().size());
        assertEquals(a + 8 * PAGE, p.vma(a).end());
        p.mmap(a + 8 * PAGE, 4 * PAGE, PROT_READ, ANON | MAP_FIXED, null, 0);
        assertEquals(2, p.vmas().size(), "different flags do not merge");
    }

    @Test
    void sharedAnonymousMemoryIsShmem() {
        long a = p.mmap(0, 4 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        VmArea v = p.vma(a);
        assertEquals("rd wr sh mr mw me ms ", VmFlags.toSmapsString(v.flags()));
        assertEquals("/dev/zero (deleted)", v.name());
        assertTrue(v.file().isShmem());
        p.touch(a, PAGE, true);
        long pfn = p.mappedPfn(a);
        assertEquals(PageFlags.UPTODATE | PageFlags.DIRTY | PageFlags.LRU | PageFlags.MMAP | PageFlags.SWAPBACKED,
                mem.flags(pfn));
        assertEquals(v.file(), mem.mapping(pfn));
    }

    @Test
    void fileMappingsFollowTheOpenMode() {
        FileHandle f = p.createFile("/data/f", 8);
        long priv = p.mmap(0, 8 * PAGE, PROT_READ, MAP_PRIVATE, f.readOnly(), 0);
        assertEquals("rd mr mw me ", VmFlags.toSmapsString(p.vma(priv).flags()));
        long shro = p.mmap(0, 8 * PAGE, PROT_READ, MAP_SHARED, f.readOnly(), 0);
        assertEquals("rd mr me ms ", VmFlags.toSmapsString(p.vma(shro).flags()), "no mw, no sh on a read-only fd");
        assertEquals(Errno.EACCES, errno(() -> p.mmap(0, PAGE, RW, MAP_SHARED, f.readOnly(), 0)));
        assertEquals(Errno.EACCES, errno(() -> p.mprotect(shro, PAGE, RW)));
        assertEquals(Errno.EACCES, errno(() -> p.mmap(0, PAGE, PROT_READ, MAP_PRIVATE, f.writeOnly(), 0)));
        long sh = p.mmap(0, 8 * PAGE, RW, MAP_SHARED, f, PAGE);
        assertEquals("rd wr sh mr mw me ms ", VmFlags.toSmapsString(p.vma(sh).flags()));
        assertEquals(1, p.vma(sh).pgoff());
        assertEquals(Errno.EBADF, errno(() -> p.mmap(0, PAGE, RW, MAP_PRIVATE, null, 0)));
    }

    @Test
    void argumentErrors() {
        assertEquals(Errno.EINVAL, errno(() -> p.mmap(0, 0, RW, ANON, null, 0)));
        assertEquals(Errno.EINVAL, errno(() -> p.mmap(0, PAGE, RW, MAP_ANONYMOUS, null, 0)));
        assertEquals(Errno.EINVAL, errno(() -> p.mmap(0x10001, PAGE, RW, ANON | MAP_FIXED, null, 0)));
        assertEquals(Errno.EINVAL, errno(() -> p.mmap(0, PAGE, RW, ANON, null, 1)));
        assertEquals(Errno.ENOMEM, errno(() -> p.mmap(0, -PAGE, RW, ANON, null, 0)));
        assertEquals(Errno.ENOMEM, errno(() -> p.mmap(p.mm().taskSize(), PAGE, RW, ANON | MAP_FIXED, null, 0)));
        long a = p.mmap(0, PAGE, RW, ANON, null, 0);
        assertEquals(Errno.EEXIST, errno(() -> p.mmap(a, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, null, 0)));
        assertEquals(Errno.EINVAL, errno(() -> p.munmap(a + 1, PAGE)));
        assertEquals(Errno.EINVAL, errno(() -> p.munmap(a, 0)));
        assertEquals(Errno.EINVAL, errno(() -> p.madvise(a, PAGE, 12345)));
        SyscallException e = assertThrows(SyscallException.class, () -> p.munmap(a + 1, PAGE));
        assertTrue(e.getMessage().startsWith("EINVAL: munmap"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void mapFixedReplacesAndFreesTheOldPages() {
        long a = p.mmap(0, 4 * PAGE, RW, ANON, null, 0);
        p.touch(a, 4 * PAGE, true);
        long old = p.mappedPfn(a + PAGE);
        p.mmap(a + PAGE, PAGE, PROT_READ, ANON | MAP_FIXED, null, 0);
        assertFalse(mem.pfnValid(old), "the replaced page was freed");
        assertEquals(0, pte(a + PAGE));
        assertEquals(3, p.vmas().size());
    }

    // ---- faults ----

    @Test
    void readFaultsMapTheZeroPageUnlessConfiguredOtherwise() {
        long a = p.mmap(0, 2 * PAGE, RW, ANON, null, 0);
        p.touch(a, PAGE, false);
        assertEquals(mem.zeroPfn(), pte_pfn(pte(a)));
        assertTrue(pte_special(pte(a)) && !pte_write(pte(a)));
        assertEquals(PageFlags.ZERO_PAGE | PageFlags.RESERVED, mem.flags(mem.zeroPfn()));
        assertEquals(0, mem.mapcount(mem.zeroPfn()));
        p.touch(a, PAGE, true);
        long pfn = pte_pfn(pte(a));
        assertNotEquals(mem.zeroPfn(), pfn, "a write replaces the zero page");
        assertEquals(WRITTEN_ANON, mem.flags(pfn));
        assertEquals(1, mem.mapcount(pfn));

        SyntheticProcess noZero = new SyntheticProcess(SyntheticConfig.defaults().withZeroPage(false));
        long b = noZero.mmap(0, PAGE, RW, ANON, null, 0);
        noZero.touch(b, PAGE, false);
        long q = noZero.mappedPfn(b);
        assertEquals(WRITTEN_ANON, noZero.memMap().flags(q), "pvm_no_zero_page: a private page, as if written");
    }

    @Test
    void thpModeDecidesWhereWriteFaultsMapPmds() {
        long a = p.mmap(0, 2 * HPAGE, RW, ANON, null, 0);
        p.touch(a, PAGE, true);
        assertFalse(pmd_leaf(pmd(a)), "madvise mode without MADV_HUGEPAGE: small pages");
        p.madvise(a + HPAGE, HPAGE, MADV_HUGEPAGE);
        p.touch(a + HPAGE, PAGE, true);
        assertTrue(pmd_leaf(pmd(a + HPAGE)));
        long head = pmd_pfn(pmd(a + HPAGE));
        assertEquals(0, head % 512);
        assertEquals(WRITTEN_ANON | PageFlags.COMPOUND_HEAD | PageFlags.THP, mem.flags(head));
        assertEquals(WRITTEN_ANON | PageFlags.COMPOUND_TAIL | PageFlags.THP, mem.flags(head + 511));
        assertEquals(1, mem.mapcount(head + 300));
        assertEquals(1, mem.entireMapcount(head));
        assertEquals("rd wr mr mw me ac hg ", VmFlags.toSmapsString(p.vma(a + HPAGE).flags()));

        SyntheticProcess always = new SyntheticProcess(SyntheticConfig.defaults().withThpMode(ThpMode.ALWAYS));
        long b = always.mmap(0, HPAGE, RW, ANON, null, 0);
        always.touch(b + 5 * PAGE, PAGE, true);
        assertTrue(pmd_leaf(PageTables.get(always.mm(), b, PagingGeometry.PMD)));
        always.madvise(b, HPAGE, MADV_DONTNEED);
        always.madvise(b, HPAGE, MADV_NOHUGEPAGE);
        always.touch(b, PAGE, true);
        assertFalse(pmd_leaf(PageTables.get(always.mm(), b, PagingGeometry.PMD)), "MADV_NOHUGEPAGE wins");

        SyntheticProcess never = new SyntheticProcess(SyntheticConfig.defaults().withThpMode(ThpMode.NEVER));
        long c = never.mmap(0, HPAGE, RW, ANON, null, 0);
        never.madvise(c, HPAGE, MADV_HUGEPAGE);
        never.touch(c, PAGE, true);
        assertFalse(pmd_leaf(PageTables.get(never.mm(), c, PagingGeometry.PMD)));
    }

    @Test
    void hugeReadFaultsMapTheHugeZeroPageAndAWriteReplacesIt() {
        long a = p.mmap(0, HPAGE, RW, ANON, null, 0);
        p.madvise(a, HPAGE, MADV_HUGEPAGE);
        p.touch(a, PAGE, false);
        long zero = pmd_pfn(pmd(a));
        assertTrue(mem.is_huge_zero_pfn(zero));
        assertEquals(-1, p.mappedPfn(a), "no normal page behind the huge zero page");
        p.touch(a + PAGE, PAGE, true);
        assertTrue(pmd_leaf(pmd(a)));
        assertFalse(mem.is_huge_zero_pfn(pmd_pfn(pmd(a))));
        assertEquals(0, mem.entireMapcount(zero));
    }

    @Test
    void faultsOutsideWhatTheMappingAllowsAreSigsegv() {
        long a = p.mmap(0, PAGE, PROT_READ, ANON, null, 0);
        assertEquals(Errno.EFAULT, errno(() -> p.touch(a, PAGE, true)));
        assertEquals(Errno.EFAULT, errno(() -> p.touch(a + 100 * PAGE, PAGE, false)));
        FileHandle f = p.createFile("/f", 2);
        long m = p.mmap(0, 4 * PAGE, PROT_READ, MAP_PRIVATE, f, 0);
        SyscallException e = assertThrows(SyscallException.class, () -> p.touch(m + 3 * PAGE, PAGE, false));
        assertTrue(e.getMessage().contains("SIGBUS"), e.getMessage());
    }

    @Test
    void fileReadFaultsMapAroundAndPrivateWritesCopy() {
        FileHandle f = p.createFile("/f", 64);
        long a = p.mmap(0x40000000L, 64 * PAGE, RW, MAP_PRIVATE | MAP_FIXED, f, 0);
        p.touch(a + 20 * PAGE, PAGE, false);
        for (int i = 0; i < 64; i++) {
            assertEquals(i >= 16 && i < 32, pte_present(pte(a + i * PAGE)), "page " + i + " mapped by fault-around");
        }
        long cached = f.mapping().pageCache().get(20L);
        assertEquals(cached, pte_pfn(pte(a + 20 * PAGE)));
        assertEquals(FileHandle.CLEAN_PAGE | PageFlags.MMAP, mem.flags(cached));
        p.touch(a + 20 * PAGE, PAGE, true);
        long copy = pte_pfn(pte(a + 20 * PAGE));
        assertNotEquals(cached, copy);
        assertEquals(WRITTEN_ANON, mem.flags(copy));
        assertEquals(0, mem.mapcount(cached));
        assertEquals(FileHandle.CLEAN_PAGE, mem.flags(cached), "unmapped page-cache pages lose KPF_MMAP");
        assertTrue(mem.pfnValid(cached), "the page cache keeps it");
    }

    @Test
    void sharedFileWritesDirtyThePageCache() {
        FileHandle f = p.createFile("/f", 4);
        long a = p.mmap(0, 4 * PAGE, RW, MAP_SHARED, f, 0);
        p.touch(a, PAGE, false);
        assertFalse(pte_write(pte(a)), "shared file pages start read-only (dirty tracking)");
        p.touch(a, PAGE, true);
        long pfn = pte_pfn(pte(a));
        assertEquals(f.mapping().pageCache().get(0L), pfn);
        assertTrue(pte_write(pte(a)) && mem.test(pfn, PageFlags.DIRTY));
    }

    @Test
    void hugetlbMappingsUseTheHugePagePool() {
        SyntheticProcess h = new SyntheticProcess(SyntheticConfig.defaults().withHugetlbPages(1));
        assertEquals(Errno.ENOMEM, errno(() -> h.mmap(0, 2 * HPAGE, RW, ANON | MAP_HUGETLB, null, 0)));
        long a = h.mmap(0, PAGE, RW, ANON | MAP_HUGETLB, null, 0);
        assertEquals(0, a % HPAGE);
        VmArea v = h.vma(a);
        assertEquals(a + HPAGE, v.end(), "length rounded up to the huge page size");
        assertEquals("rd wr mr mw me de ht ", VmFlags.toSmapsString(v.flags()));
        assertEquals("/anon_hugepage (deleted)", v.name());
        assertEquals(HPAGE, v.pageSize());
        h.touch(a, PAGE, true);
        long head = pmd_pfn(PageTables.get(h.mm(), a, PagingGeometry.PMD));
        assertEquals(PageFlags.UPTODATE | PageFlags.MMAP | PageFlags.ANON | PageFlags.HUGE | PageFlags.ANON_EXCLUSIVE
                | PageFlags.COMPOUND_HEAD, h.memMap().flags(head));
        assertEquals(Errno.EINVAL, errno(() -> h.mprotect(a + PAGE, PAGE, PROT_READ)), "no split inside a huge page");
        long b = h.mmap(0, HPAGE, RW, ANON | MAP_HUGETLB | MAP_NORESERVE, null, 0);
        assertEquals(Errno.EFAULT, errno(() -> h.touch(b, PAGE, true)), "SIGBUS: the pool is empty");
        h.munmap(a, HPAGE);
        h.touch(b, PAGE, true);
        assertTrue(pmd_leaf(PageTables.get(h.mm(), b, PagingGeometry.PMD)), "the freed page went back to the pool");
    }

    // ---- munmap / mprotect ----

    @Test
    void munmapFreesPagesAndTablesButNotTablesStillInUse() {
        long a = p.mmap(0x40000000L, 8 * PAGE, RW, ANON | MAP_FIXED, null, 0);
        p.touch(a, 8 * PAGE, true);
        long pfn = p.mappedPfn(a);
        p.munmap(a, 4 * PAGE);
        assertFalse(mem.pfnValid(pfn));
        assertTrue(PageTables.entry(p.mm(), a, PagingGeometry.PTE, false) != null, "the PTE table still serves a+4");
        p.munmap(a + 4 * PAGE, 4 * PAGE);
        assertNull(PageTables.entry(p.mm(), a, PagingGeometry.PTE, false));
        assertEquals(0, pmd(a));
        assertEquals(0, p.munmap(a, PAGE), "unmapping nothing succeeds");
    }

    @Test
    void partialMprotectSplitsTheVmaAndThePmdAndProtNoneStaysPresent() {
        long a = p.mmap(0, HPAGE, RW, ANON, null, 0);
        p.madvise(a, HPAGE, MADV_HUGEPAGE);
        p.touch(a, HPAGE, true);
        long head = pmd_pfn(pmd(a));
        p.mprotect(a + PAGE, PAGE, PROT_NONE);
        assertEquals(3, p.vmas().size());
        assertFalse(pmd_leaf(pmd(a)));
        assertEquals(0, mem.entireMapcount(head));
        assertEquals(1, mem.mapcount(head + 1));
        assertEquals(9, mem.folioOrder(head), "the folio stays large, PTE-mapped");
        assertTrue(mem.test(head, PageFlags.DIRTY), "a dirty PMD dirties the folio when split");
        long none = pte(a + PAGE);
        assertTrue(pte_present(none) && pte_protnone(none));
        assertEquals(head + 1, pte_pfn(none), "the PFN survives the L1TF inversion");
        assertEquals("mr mw me ac hg ", VmFlags.toSmapsString(p.vma(a + PAGE).flags()));
        p.mprotect(a + PAGE, PAGE, RW);
        assertEquals(1, p.vmas().size(), "same flags again: merged back");
        assertTrue(pte_write(pte(a + PAGE)), "an exclusive anonymous page is writable at once");
    }

    @Test
    void mprotectOverAHoleChangesWhatComesBeforeIt() {
        long a = p.mmap(0x40000000L, 4 * PAGE, RW, ANON | MAP_FIXED, null, 0);
        assertEquals(Errno.ENOMEM, errno(() -> p.mprotect(a, 8 * PAGE, PROT_READ)));
        assertEquals("rd mr mw me ", VmFlags.toSmapsString(p.vma(a).flags()),
                "applied, and VM_ACCOUNT dropped: no page was ever there");
        assertEquals(Errno.ENOMEM, errno(() -> p.mprotect(a - 4 * PAGE, 8 * PAGE, PROT_READ)));
        assertEquals(Errno.EINVAL, errno(() -> p.mprotect(a + 1, PAGE, PROT_READ)));
        assertEquals(0, p.mprotect(a, 0, PROT_READ));
    }

    // ---- madvise ----

    @Test
    void dontneedOnPartOfAThpSplitsThePmdAndDropsThePage() {
        long a = p.mmap(0, HPAGE, RW, ANON, null, 0);
        p.madvise(a, HPAGE, MADV_HUGEPAGE);
        p.touch(a, HPAGE, true);
        long head = pmd_pfn(pmd(a));
        p.madvise(a + 7 * PAGE, PAGE, MADV_DONTNEED);
        assertEquals(0, pte(a + 7 * PAGE));
        assertEquals(0, mem.mapcount(head + 7));
        assertEquals(head + 8, pte_pfn(pte(a + 8 * PAGE)));
        assertEquals(511, mem.folioMapcount(head));
        assertEquals(511, mem.refcount(head), "one reference per PTE mapping");
        p.madvise(a, HPAGE, MADV_DONTNEED);
        assertFalse(mem.pfnValid(head), "the last unmap frees the folio");
    }

    @Test
    void lazyFreeingPartOfALargeFolioSplitsItAndFreesItsUnmappedPages() {
        long a = p.mmap(0, HPAGE, RW, ANON, null, 0);
        p.madvise(a, HPAGE, MADV_HUGEPAGE);
        p.touch(a, HPAGE, true);
        long head = pmd_pfn(pmd(a));
        p.madvise(a + 7 * PAGE, PAGE, MADV_DONTNEED);
        p.madvise(a, 4 * PAGE, MADV_FREE);
        assertEquals(0, mem.folioOrder(head), "split into small pages");
        assertFalse(mem.pfnValid(head + 7), "the unmapped page went with the split");
        assertEquals(WRITTEN_ANON & ~PageFlags.SWAPBACKED, mem.flags(head + 1), "lazy-free and clean");
        assertEquals(WRITTEN_ANON | PageFlags.DIRTY, mem.flags(head + 4), "outside the range: dirty since the split");
        assertEquals(1, mem.refcount(head + 4));
    }

    @Test
    void madvFreeMakesExclusiveAnonymousFoliosLazyFree() {
        long a = p.mmap(0, 4 * PAGE, RW, ANON, null, 0);
        p.touch(a, 4 * PAGE, true);
        p.madvise(a, 2 * PAGE, MADV_FREE);
        assertEquals(WRITTEN_ANON & ~PageFlags.SWAPBACKED, mem.flags(p.mappedPfn(a)));
        assertEquals(WRITTEN_ANON, mem.flags(p.mappedPfn(a + 2 * PAGE)));
        assertFalse(pte_dirty(pte(a)));
        long s = p.mmap(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        assertEquals(Errno.EINVAL, errno(() -> p.madvise(s, PAGE, MADV_FREE)));
    }

    @Test
    void pageoutWithSwapMakesSwapEntriesAndForkSharesThem() {
        SyntheticProcess s = new SyntheticProcess(SyntheticConfig.defaults().withSwap(true));
        long a = s.mmap(0, 2 * PAGE, RW, ANON, null, 0);
        s.touch(a, 2 * PAGE, true);
        long pfn = s.mappedPfn(a);
        s.madvise(a, 2 * PAGE, MADV_PAGEOUT);
        long e = PageTables.get(s.mm(), a, PagingGeometry.PTE);
        assertTrue(is_swap_pte(e) && pte_swp_exclusive(e));
        assertFalse(s.memMap().pfnValid(pfn));
        SyntheticProcess child = s.fork();
        assertFalse(pte_swp_exclusive(PageTables.get(s.mm(), a, PagingGeometry.PTE)), "fork clears exclusive in both");
        assertEquals(e & ~_PAGE_SWP_EXCLUSIVE, PageTables.get(child.mm(), a, PagingGeometry.PTE));
        s.touch(a, PAGE, false);
        child.touch(a, PAGE, false);
        long back = s.mappedPfn(a);
        assertEquals(back, child.mappedPfn(a), "the second swap-in finds the folio in the swap cache");
        assertEquals(2, s.memMap().mapcount(back));
        assertFalse(s.memMap().test(back, PageFlags.ANON_EXCLUSIVE));

        long b = p.mmap(0, PAGE, RW, ANON, null, 0);
        p.touch(b, PAGE, true);
        p.madvise(b, PAGE, MADV_PAGEOUT);
        assertTrue(mem.test(p.mappedPfn(b), PageFlags.ACTIVE), "no swap: reclaim fails and puts it back active");
    }

    @Test
    void guardRegionsMarkTheVmaAndFaultWithSigsegv() {
        long a = p.mmap(0, 4 * PAGE, RW, ANON, null, 0);
        p.touch(a, 4 * PAGE, true);
        long pfn = p.mappedPfn(a + PAGE);
        p.madvise(a + PAGE, 2 * PAGE, MADV_GUARD_INSTALL);
        assertTrue(Swapops.is_guard_pte_marker(pte(a + PAGE)));
        assertFalse(mem.pfnValid(pfn), "the page under the guard was zapped");
        assertEquals(1, p.vmas().size(), "no split");
        assertTrue(p.vma(a).test(VmFlags.VM_MAYBE_GUARD));
        assertEquals(Errno.EFAULT, errno(() -> p.touch(a + PAGE, PAGE, false)));
        p.madvise(a, 4 * PAGE, MADV_DONTNEED);
        assertTrue(Swapops.is_guard_pte_marker(pte(a + PAGE)), "MADV_DONTNEED leaves markers");
        p.madvise(a + PAGE, PAGE, MADV_GUARD_REMOVE);
        assertEquals(0, pte(a + PAGE));
        assertTrue(p.vma(a).test(VmFlags.VM_MAYBE_GUARD), "sticky");
    }

    @Test
    void collapseBuildsAThpFromSmallPages() {
        long a = p.mmap(0, 2 * HPAGE, RW, ANON, null, 0);
        long h = (a + HPAGE - 1) & -HPAGE;
        p.touch(h, 3 * PAGE, true);
        long small = p.mappedPfn(h);
        p.madvise(h, HPAGE, MADV_COLLAPSE);
        assertTrue(pmd_leaf(pmd(h)));
        assertFalse(mem.pfnValid(small));
        assertEquals(9, mem.folioOrder(pmd_pfn(pmd(h))));
        p.madvise(h, HPAGE, MADV_NOHUGEPAGE);
        assertEquals(Errno.EINVAL, errno(() -> p.madvise(h, HPAGE, MADV_COLLAPSE)));
    }

    @Test
    void madviseSkipsHolesAndReportsThemAtTheEnd() {
        long a = p.mmap(0x40000000L, 2 * PAGE, RW, ANON | MAP_FIXED, null, 0);
        p.mmap(a + 4 * PAGE, 2 * PAGE, RW, ANON | MAP_FIXED, null, 0);
        assertEquals(Errno.ENOMEM, errno(() -> p.madvise(a, 6 * PAGE, MADV_NOHUGEPAGE)));
        assertTrue(p.vma(a).test(VmFlags.VM_NOHUGEPAGE) && p.vma(a + 4 * PAGE).test(VmFlags.VM_NOHUGEPAGE));
    }

    // ---- mlock ----

    @Test
    void mlockFaultsInAndMlocks() {
        long a = p.mmap(0, 4 * PAGE, RW, ANON, null, 0);
        p.mlock(a + PAGE + 5, PAGE);
        assertEquals(3, p.vmas().size(), "the unaligned start is rounded down; two pages locked");
        VmArea locked = p.vma(a + PAGE);
        assertEquals(a + 3 * PAGE, locked.end());
        assertTrue(locked.test(VmFlags.VM_LOCKED));
        long pfn = p.mappedPfn(a + PAGE);
        assertEquals(WRITTEN_ANON | PageFlags.REFERENCED | PageFlags.MLOCKED | PageFlags.UNEVICTABLE, mem.flags(pfn));
        assertEquals(-1, p.mappedPfn(a), "outside the range nothing is faulted in");
        assertEquals(Errno.EINVAL, errno(() -> p.madvise(a + PAGE, PAGE, MADV_DONTNEED)));
        p.munlock(a, 4 * PAGE);
        assertEquals(1, p.vmas().size());
        assertFalse(mem.test(pfn, PageFlags.MLOCKED));
        assertEquals(Errno.ENOMEM, errno(() -> p.mlock(a + 8 * PAGE, PAGE)));
    }

    // ---- fork ----

    @Test
    void forkSharesAnonymousPagesCopyOnWrite() {
        long a = p.mmap(0, 2 * PAGE, RW, ANON, null, 0);
        p.touch(a, 2 * PAGE, true);
        long pfn = p.mappedPfn(a);
        SyntheticProcess child = p.fork();
        assertTrue(mem == child.memMap(), "one machine");
        assertEquals(pfn, child.mappedPfn(a));
        assertEquals(2, mem.mapcount(pfn));
        assertFalse(mem.test(pfn, PageFlags.ANON_EXCLUSIVE));
        assertFalse(pte_write(pte(a)), "both sides write-protected");
        p.touch(a, PAGE, true);
        long mine = p.mappedPfn(a);
        assertNotEquals(pfn, mine);
        assertEquals(WRITTEN_ANON, mem.flags(mine));
        assertEquals(1, mem.mapcount(pfn));
        child.touch(a, PAGE, true);
        assertEquals(pfn, child.mappedPfn(a), "the last mapper reuses the page");
        assertTrue(mem.test(pfn, PageFlags.ANON_EXCLUSIVE));
        assertEquals(p.vmas().size(), child.vmas().size());
    }

    @Test
    void exitReleasesEverythingAndGivesSharedPagesBackToTheSurvivor() {
        long a = p.mmap(0, 2 * PAGE, RW, ANON, null, 0);
        p.touch(a, 2 * PAGE, true);
        long s = p.mmap(0, 2 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        p.touch(s, 2 * PAGE, true);
        long shmemPage = p.mappedPfn(s);
        SyntheticProcess child = p.fork();
        long shared = p.mappedPfn(a);
        child.exit();
        assertTrue(child.vmas().isEmpty());
        assertEquals(1, mem.mapcount(shared));
        assertTrue(mem.pfnValid(shmemPage), "the parent still maps the shmem file");
        p.munmap(s, 2 * PAGE);
        assertFalse(mem.pfnValid(shmemPage), "shared anonymous memory goes with its last mapping");
        p.exit();
        assertFalse(mem.pfnValid(shared));
        assertEquals(0, pmd(a));
    }

    @Test
    void kpageflagsShowTheHeadsAnonExclusiveBitForAWholeLargeFolio() {
        long a = p.mmap(0, 2 * HPAGE, RW, ANON, null, 0);
        long h = (a + HPAGE - 1) & -HPAGE;
        p.madvise(h, HPAGE, MADV_HUGEPAGE);
        p.touch(h, HPAGE, true);
        long head = pmd_pfn(pmd(h));
        p.munmap(h, PAGE); // the head page is no longer mapped: fork will not touch its bit
        SyntheticProcess child = p.fork();
        assertTrue(mem.test(head + 1, PageFlags.ANON_EXCLUSIVE), "reported from the head, which kept it");
        assertEquals(2, mem.mapcount(head + 1));
        p.touch(h + PAGE, PAGE, true);
        assertNotEquals(head + 1, p.mappedPfn(h + PAGE), "the page itself is shared: a write copies it");
        assertEquals(head + 1, child.mappedPfn(h + PAGE));
    }

    @Test
    void forkHonoursDontforkWipeonforkAndDropsMlock() {
        long keep = p.mmap(0, PAGE, RW, ANON, null, 0);
        long gone = p.mmap(0, PAGE, PROT_READ, ANON, null, 0);
        long wipe = p.mmap(0, PAGE, PROT_READ | PROT_EXEC, ANON, null, 0);
        p.touch(keep, PAGE, true);
        p.touch(wipe, PAGE, false);
        p.madvise(gone, PAGE, MADV_DONTFORK);
        p.madvise(wipe, PAGE, MADV_WIPEONFORK);
        p.mlock(keep, PAGE);
        SyntheticProcess child = p.fork();
        assertNull(child.vma(gone));
        assertEquals(-1, child.mappedPfn(wipe), "wiped: empty in the child");
        assertTrue(child.vma(wipe).test(VmFlags.VM_WIPEONFORK));
        assertFalse(child.vma(keep).test(VmFlags.VM_LOCKED));
    }

    // ---- the result is walkable ----

    @Test
    void systemCallsTakeTheMmapLockAsTheKernelDoes() {
        long a = p.mmap(0, PAGE, RW, ANON, null, 0);
        assertFalse(p.mm().mmapLock().isLocked(), "released after each call");
        try (var walking = p.mm().mmapLock().read()) {
            assertThrows(io.pagewalk.runtime.mm.LockAssertionError.class, () -> p.munmap(a, PAGE),
                    "munmap needs the write lock a walker holds for read");
            p.touch(a, PAGE, true); // faults run under the read lock
            assertTrue(p.mm().mmapLock().isLocked());
        }
        assertTrue(p.mappedPfn(a) >= 0);
        assertFalse(p.mm().mmapLock().isLocked());
    }

    @Test
    void theWalkerSeesWhatTheBuilderMade() {
        SyntheticProcess w = new SyntheticProcess(SyntheticConfig.defaults().withHugetlbPages(4));
        long anon = w.mmap(0, 8 * PAGE, RW, ANON, null, 0);
        w.touch(anon, 3 * PAGE, true);
        w.madvise(anon + 5 * PAGE, PAGE, MADV_GUARD_INSTALL);
        long thp = w.mmap(0, 2 * HPAGE, RW, ANON, null, 0);
        w.madvise(thp, 2 * HPAGE, MADV_HUGEPAGE);
        w.touch(thp, 2 * HPAGE, true);
        long huge = w.mmap(0, 2 * HPAGE, RW, ANON | MAP_HUGETLB, null, 0);
        w.touch(huge, HPAGE, true);
        long shm = w.mmap(0, 4 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        w.touch(shm, 4 * PAGE, false);
        long none = w.mmap(0, 2 * PAGE, RW, ANON, null, 0);
        w.touch(none, 2 * PAGE, true);
        w.mprotect(none, 2 * PAGE, PROT_NONE);

        AtomicInteger ptes = new AtomicInteger();
        AtomicInteger swaps = new AtomicInteger();
        AtomicInteger pmds = new AtomicInteger();
        AtomicInteger hugetlb = new AtomicInteger();
        MmWalkOps ops = MmWalkOps.builder()
                .pmdEntry((pmd, addr, next, walk) -> {
                    if (pmd_leaf(pmd.get())) {
                        pmds.incrementAndGet();
                        walk.setAction(io.pagewalk.runtime.walk.PageWalkAction.ACTION_CONTINUE);
                    }
                    return 0;
                })
                .pteEntry((pte, addr, next, walk) -> {
                    if (pte_present(pte.get())) {
                        ptes.incrementAndGet();
                    } else if (is_swap_pte(pte.get())) {
                        swaps.incrementAndGet();
                    }
                    return 0;
                })
                .hugetlbEntry((pte, hmask, addr, next, walk) -> {
                    if (pte_present(pte.get())) {
                        hugetlb.incrementAndGet();
                    }
                    return 0;
                }).build();
        try (var lock = w.mm().mmapLock().read()) {
            assertEquals(0, PageWalk.walkPageRange(w.mm(), 0, w.mm().taskSize(), ops, null));
        }
        assertEquals(3 + 4 + 2, ptes.get(), "anon, shmem and PROT_NONE pages");
        assertEquals(1, swaps.get(), "the guard marker");
        assertEquals(2, pmds.get());
        assertEquals(1, hugetlb.get());
    }

    @Test
    void fiveLevelPagingWalksTheSameWay() {
        SyntheticProcess five = new SyntheticProcess(SyntheticConfig.defaults().withPagingLevels(5));
        assertEquals(5, five.mm().geometry().pagingLevels());
        long high = 1L << 52;
        long a = five.mmap(high, 2 * PAGE, RW, ANON, null, 0);
        assertEquals(high, a, "a hint above 47 bits is honoured on la57");
        five.touch(a, 2 * PAGE, true);
        AtomicInteger ptes = new AtomicInteger();
        MmWalkOps ops = MmWalkOps.builder().pteEntry((pte, addr, next, walk) -> {
            if (pte_present(pte.get())) {
                ptes.incrementAndGet();
            }
            return 0;
        }).build();
        five.mm().mmapLock().readLock();
        try {
            assertEquals(0, PageWalk.walkPageRange(five.mm(), a, a + 2 * PAGE, ops, null));
        } finally {
            five.mm().mmapLock().readUnlock();
        }
        assertEquals(2, ptes.get());
    }
}
