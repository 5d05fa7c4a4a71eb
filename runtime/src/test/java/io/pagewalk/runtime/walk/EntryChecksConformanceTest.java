package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.walk.CallRecorder.Hook.HOLE;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.HUGETLB;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.INSTALL;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PMD;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.POST_VMA;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PRE_VMA;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PTE;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PUD;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.TEST_WALK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.testing.TestMm;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Entry points, the VMA loop, {@code walk_page_test()} and pre/post_vma of {@code mm/pagewalk.c}
 * (conformance items 1-17 of pagewalk-semantics.md section 5).
 */
class EntryChecksConformanceTest {
    private static final int EINVAL = -Errno.EINVAL;

    private static TestMm twoVmas() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x402000);
        t.anon(0x600000, 0x603000);
        return t;
    }

    // ---- 1 ----

    @Test
    void walkPageRange_startNotBelowEnd_isEinvalWithNoCallbacks() {
        TestMm t = twoVmas();
        CallRecorder r = new CallRecorder();
        MmWalkOps ops = r.ops(EnumSet.allOf(CallRecorder.Hook.class)).installPte(null).build();
        // No lock is held: the argument checks come before the lock assertion.
        assertEquals(EINVAL, PageWalk.walkPageRange(t.mm, 0x400000, 0x400000, ops, null));
        assertEquals(EINVAL, PageWalk.walkPageRange(t.mm, 0x401000, 0x400000, ops, null));
        // Unsigned: -1 is the top of the address space, not below 0x1000.
        assertEquals(EINVAL, PageWalk.walkPageRange(t.mm, -1L, 0x1000, ops, null));
        assertEquals(List.of(), r.calls);
    }

    @Test
    void walkPageRange_nullMm_isEinvalWithNoCallbacks() {
        CallRecorder r = new CallRecorder();
        assertEquals(EINVAL, PageWalk.walkPageRange(null, 0, 0x1000, r.ops(HOLE, PTE), null));
        assertEquals(EINVAL, PageWalk.walkPageRangeMm(null, 0, 0x1000, r.ops(HOLE, PTE), null));
        assertEquals(List.of(), r.calls);
    }

    // ---- 2 ----

    @Test
    void installPte_publicEntryPoints_areEinvalWithNoCallbacks() {
        TestMm t = twoVmas();
        t.writeLock();
        VmArea vma = t.mm.findVma(0x400000);
        AddressSpace file = new AddressSpace("/f", 1, 1, false);
        t.file(0x800000, 0x804000, TestMm.RW_ANON, file, 0);
        file.iMmapLockRead();
        CallRecorder r = new CallRecorder();
        MmWalkOps ops = r.ops(PTE, HOLE, INSTALL, PRE_VMA);
        assertEquals(EINVAL, PageWalk.walkPageRange(t.mm, 0x400000, 0x402000, ops, null));
        assertEquals(EINVAL, PageWalk.walkPageVma(vma, ops, null));
        assertEquals(EINVAL, PageWalk.walkPageRangeVma(vma, 0x400000, 0x401000, ops, null));
        assertEquals(EINVAL, PageWalk.walkPageMapping(file, 0, 4, ops, null));
        assertEquals(EINVAL, PageWalk.walkPageRangeNovma(t.mm, 0x400000, 0x402000, ops, null, null));
        assertEquals(EINVAL, PageWalk.walkKernelPageTableRange(t.mm, 0x400000, 0x402000, ops, null, null));
        assertEquals(EINVAL, PageWalk.walkKernelPageTableRangeLockless(t.mm, 0x400000, 0x402000, ops, null, null));
        assertEquals(List.of(), r.calls);
    }

    @Test
    void installPte_mmAndVmaUnsafeVariants_acceptIt() {
        TestMm t = twoVmas();
        t.writeLock();
        CallRecorder r = new CallRecorder();
        MmWalkOps ops = r.ops(PTE, INSTALL);
        assertEquals(0, PageWalk.walkPageRangeMm(t.mm, 0x400000, 0x401000, ops, null));
        assertEquals(List.of("install_pte 0x400000 0x401000"), r.calls);
        r.calls.clear();
        assertEquals(0, PageWalk.walkPageRangeVmaUnsafe(t.mm.findVma(0x600000), 0x600000, 0x601000, ops, null));
        assertEquals(List.of("install_pte 0x600000 0x601000"), r.calls);
    }

    // ---- 3 ----

    @Test
    void walkPageRangeVma_rangeOutsideTheVma_isEinval() {
        TestMm t = twoVmas();
        t.readLock();
        VmArea vma = t.mm.findVma(0x600000);
        CallRecorder r = new CallRecorder();
        MmWalkOps ops = r.ops(PTE, HOLE, PRE_VMA);
        assertEquals(EINVAL, PageWalk.walkPageRangeVma(vma, 0x5ff000, 0x601000, ops, null));
        assertEquals(EINVAL, PageWalk.walkPageRangeVma(vma, 0x600000, 0x604000, ops, null));
        assertEquals(EINVAL, PageWalk.walkPageRangeVma(vma, 0x601000, 0x601000, ops, null));
        assertEquals(EINVAL, PageWalk.walkPageRangeVmaUnsafe(vma, 0x5ff000, 0x601000, ops, null));
        assertEquals(List.of(), r.calls);
        assertEquals(0, PageWalk.walkPageRangeVma(vma, 0x600000, 0x603000, ops, null));
        assertEquals("pre_vma 0x600000 0x603000", r.calls.get(0));
    }

    // ---- 4 ----

    @Test
    void walkPageRange_rangeInAGap_isExactlyOneHoleWithNoVma() {
        TestMm t = twoVmas();
        t.readLock();
        CallRecorder r = new CallRecorder();
        MmWalkOps ops = r.ops(PUD, PMD, PTE, HOLE, PRE_VMA, TEST_WALK);
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x402000, 0x5ff001, ops, null));
        assertEquals(List.of("pte_hole 0x402000 0x5ff001 -1 novma"), r.calls);
        r.calls.clear();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x1000, 0x3ff000, ops, null));
        assertEquals(List.of("pte_hole 0x1000 0x3ff000 -1 novma"), r.calls);
        r.calls.clear();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x603000, 0x800000000000L, ops, null));
        assertEquals(List.of("pte_hole 0x603000 0x800000000000 -1 novma"), r.calls);
    }

    // ---- 5 ----

    @Test
    void walkPageRange_gapsAndTailUpToTopOfAddressSpace_areHolesAndVmaPartsAreClipped() {
        TestMm t = twoVmas();
        t.readLock();
        CallRecorder r = new CallRecorder();
        MmWalkOps ops = r.ops(HOLE, PRE_VMA, POST_VMA);
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x3ff000, -1L, ops, null));
        assertEquals(List.of(
                "pte_hole 0x3ff000 0x400000 -1 novma",
                "pre_vma 0x400000 0x402000",
                "post_vma vma@0x400000",
                "pte_hole 0x402000 0x600000 -1 novma",
                "pre_vma 0x600000 0x603000",
                "post_vma vma@0x600000",
                "pte_hole 0x603000 0xffffffffffffffff -1 novma"), r.calls);

        r.calls.clear();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x401000, 0x601000, ops, null));
        assertEquals(List.of(
                "pre_vma 0x401000 0x402000",
                "post_vma vma@0x400000",
                "pte_hole 0x402000 0x600000 -1 novma",
                "pre_vma 0x600000 0x601000",
                "post_vma vma@0x600000"), r.calls);
    }

    @Test
    void testWalkAndPreVma_getTheClippedRange() {
        TestMm t = twoVmas();
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x401000, 0x601000, r.ops(TEST_WALK, PRE_VMA), null));
        assertEquals(List.of(
                "test_walk 0x401000 0x402000",
                "pre_vma 0x401000 0x402000",
                "test_walk 0x600000 0x601000",
                "pre_vma 0x600000 0x601000"), r.calls);
    }

    @Test
    void walkPageRange_callbacksInsideAVma_haveTheVmaSetAndClippedAddresses() {
        TestMm t = twoVmas();
        t.page(0x401000);
        t.readLock();
        List<String> seen = new ArrayList<>();
        CallRecorder r = new CallRecorder();
        r.on(PMD, (e, a, n, d, w) -> {
            seen.add("pmd " + CallRecorder.vma(w));
            return 0;
        });
        r.on(PTE, (e, a, n, d, w) -> {
            seen.add("pte " + CallRecorder.vma(w));
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x3ff000, 0x404000, r.ops(PMD, PTE, HOLE), null));
        assertEquals(List.of(
                "pte_hole 0x3ff000 0x400000 -1 novma",
                "pmd_entry 0x400000 0x402000",
                "pte_entry 0x400000 0x401000 0x0",
                "pte_entry 0x401000 0x402000 " + CallRecorder.hex(t.get(0x401000, PagingGeometry.PTE)),
                "pte_hole 0x402000 0x404000 -1 novma"), r.calls);
        assertEquals(List.of("pmd vma@0x400000", "pte vma@0x400000", "pte vma@0x400000"), seen);
    }

    @Test
    void vmaTreeChangedByACallback_isNotSeen_theNextVmaWasLookedUpBeforeTheWalk() {
        TestMm t = twoVmas();
        t.readLock();
        CallRecorder r = new CallRecorder();
        r.on(PRE_VMA, (e, a, n, d, w) -> {
            if (a == 0x400000) {
                t.anon(0x500000, 0x501000); // lands between the two VMAs
            }
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x601000, r.ops(PRE_VMA, HOLE), null));
        assertEquals(List.of(
                "pre_vma 0x400000 0x402000",
                "pte_hole 0x402000 0x600000 -1 novma",
                "pre_vma 0x600000 0x601000"), r.calls);
    }

    // ---- 6, 7 ----

    @Test
    void testWalk_positive_skipsTheVmaWithoutPrePostVmaAndTheWalkGoesOnWithZero() {
        TestMm t = twoVmas();
        t.readLock();
        CallRecorder r = new CallRecorder();
        r.on(TEST_WALK, (e, a, n, d, w) -> w.vma().start() == 0x400000 ? 1 : 0);
        int ret = PageWalk.walkPageRange(t.mm, 0x400000, 0x603000, r.ops(TEST_WALK, PRE_VMA, POST_VMA, HOLE), null);
        assertEquals(0, ret);
        assertEquals(List.of(
                "test_walk 0x400000 0x402000",
                "pte_hole 0x402000 0x600000 -1 novma",
                "test_walk 0x600000 0x603000",
                "pre_vma 0x600000 0x603000",
                "post_vma vma@0x600000"), r.calls);
    }

    @Test
    void testWalk_negative_abortsWithThatValueAndLaterVmasAreNotVisited() {
        TestMm t = twoVmas();
        t.readLock();
        CallRecorder r = new CallRecorder();
        r.on(TEST_WALK, (e, a, n, d, w) -> -Errno.EBUSY);
        int ret = PageWalk.walkPageRange(t.mm, 0x3ff000, 0x700000, r.ops(TEST_WALK, PRE_VMA, POST_VMA, HOLE), null);
        assertEquals(-Errno.EBUSY, ret);
        assertEquals(List.of("pte_hole 0x3ff000 0x400000 -1 novma", "test_walk 0x400000 0x402000"), r.calls);
    }

    // ---- 8, 9, 10 ----

    private static TestMm pfnmapThenAnon() {
        TestMm t = new TestMm();
        t.pfnmap(0x400000, 0x402000);
        t.pte(0x400000, Pgtable.pfn_pte(0xfe000, TestMm.PROT_RW | Pgtable._PAGE_SPECIAL));
        t.anon(0x600000, 0x601000);
        t.pte(0x600000, 0); // a PTE table with a none PTE
        return t;
    }

    @Test
    void testWalk_present_pfnmapVmasAreWalked() {
        TestMm t = pfnmapThenAnon();
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x402000, r.ops(TEST_WALK, PTE, HOLE), null));
        assertEquals(List.of(
                "test_walk 0x400000 0x402000",
                "pte_entry 0x400000 0x401000 " + CallRecorder.hex(t.get(0x400000, PagingGeometry.PTE)),
                "pte_entry 0x401000 0x402000 0x0"), r.calls);
    }

    @Test
    void pfnmapWithoutTestWalk_isOneHoleWithTheVmaSetAndNoTableWalk() {
        TestMm t = pfnmapThenAnon();
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x401000, 0x601000, r.ops(PMD, PTE, HOLE, PRE_VMA), null));
        assertEquals(List.of(
                "pte_hole 0x401000 0x402000 -1 vma@0x400000",
                "pte_hole 0x402000 0x600000 -1 novma",
                "pre_vma 0x600000 0x601000",
                "pmd_entry 0x600000 0x601000",
                "pte_entry 0x600000 0x601000 0x0"), r.calls);
    }

    @Test
    void pfnmapWithoutTestWalkOrHoleCallback_isSkippedSilently() {
        TestMm t = pfnmapThenAnon();
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x601000, r.ops(PTE, PRE_VMA), null));
        assertEquals(List.of("pre_vma 0x600000 0x601000", "pte_entry 0x600000 0x601000 0x0"), r.calls);
    }

    @Test
    void pfnmapHole_positive_skipsWithZero_negative_aborts() {
        TestMm t = pfnmapThenAnon();
        t.readLock();
        CallRecorder r = new CallRecorder();
        r.on(HOLE, (e, a, n, d, w) -> w.vma() != null ? 3 : 0); // only the PFNMAP hole has a VMA here
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x601000, r.ops(PTE, HOLE), null));
        assertEquals(List.of(
                "pte_hole 0x400000 0x402000 -1 vma@0x400000",
                "pte_hole 0x402000 0x600000 -1 novma",
                "pte_entry 0x600000 0x601000 0x0"), r.calls);

        CallRecorder r2 = new CallRecorder();
        r2.on(HOLE, (e, a, n, d, w) -> w.vma() != null ? -Errno.EFAULT : 0);
        assertEquals(-Errno.EFAULT, PageWalk.walkPageRange(t.mm, 0x400000, 0x601000, r2.ops(PTE, HOLE), null));
        assertEquals(List.of("pte_hole 0x400000 0x402000 -1 vma@0x400000"), r2.calls);
    }

    // ---- 11 ----

    @Test
    void walkPageVmaAndWalkPageRangeVma_neverCallTestWalk_andWalkPfnmapTables() {
        TestMm t = pfnmapThenAnon();
        t.readLock();
        VmArea pfnmap = t.mm.findVma(0x400000);
        String pte0 = "pte_entry 0x400000 0x401000 " + CallRecorder.hex(t.get(0x400000, PagingGeometry.PTE));
        CallRecorder r = new CallRecorder();
        r.on(TEST_WALK, (e, a, n, d, w) -> 1);
        assertEquals(0, PageWalk.walkPageVma(pfnmap, r.ops(TEST_WALK, PTE, HOLE), null));
        assertEquals(List.of(pte0, "pte_entry 0x401000 0x402000 0x0"), r.calls);
        r.calls.clear();
        assertEquals(0, PageWalk.walkPageRangeVma(pfnmap, 0x400000, 0x401000, r.ops(TEST_WALK, PTE, HOLE), null));
        assertEquals(List.of(pte0), r.calls);
    }

    // ---- 12 ----

    @Test
    void positiveReturn_fromAnyCallback_isReturnedUnchangedAndStopsTheWalkAtOnce() {
        for (CallRecorder.Hook hook : List.of(CallRecorder.Hook.PGD, CallRecorder.Hook.P4D, CallRecorder.Hook.PUD,
                PMD, PTE, HOLE, PRE_VMA)) {
            TestMm t = twoVmas();
            t.page(0x400000);
            t.page(0x600000);
            t.readLock();
            CallRecorder r = new CallRecorder();
            r.on(hook, (e, a, n, d, w) -> 7);
            int ret = PageWalk.walkPageRange(t.mm, 0x3ff000, 0x700000,
                    r.ops(EnumSet.of(CallRecorder.Hook.PGD, CallRecorder.Hook.P4D, CallRecorder.Hook.PUD, PMD, PTE,
                            HOLE, PRE_VMA, POST_VMA)).build(), null);
            assertEquals(7, ret, hook.name());
            String last = r.calls.get(r.calls.size() - 1);
            long hits = r.calls.stream().filter(c -> c.startsWith(prefix(hook))).count();
            // The first call of that hook is the last callback of the walk (post_vma aside).
            if (last.startsWith("post_vma")) {
                last = r.calls.get(r.calls.size() - 2);
            }
            assertTrue(last.startsWith(prefix(hook)), hook + ": " + r.calls);
            assertEquals(1, hits, hook + ": " + r.calls);
        }
        // hugetlb_entry likewise.
        TestMm t = new TestMm();
        t.hugetlb(0x40000000, 0x40400000, PagingGeometry.PMD_SHIFT);
        t.hugetlbPage(0x40000000, PagingGeometry.PMD_SHIFT);
        t.readLock();
        CallRecorder r = new CallRecorder();
        r.on(HUGETLB, (e, a, n, d, w) -> 7);
        assertEquals(7, PageWalk.walkPageRange(t.mm, 0x40000000, 0x40400000, r.ops(HUGETLB, HOLE), null));
        assertEquals(1, r.calls.size());
    }

    private static String prefix(CallRecorder.Hook hook) {
        return switch (hook) {
            case PGD -> "pgd_entry";
            case P4D -> "p4d_entry";
            case PUD -> "pud_entry";
            case PMD -> "pmd_entry";
            case PTE -> "pte_entry";
            case HOLE -> "pte_hole";
            case PRE_VMA -> "pre_vma";
            default -> throw new IllegalArgumentException(hook.name());
        };
    }

    // ---- 13 ----

    private static AddressSpace fileMappedTwice(List<VmArea> out) {
        AddressSpace file = new AddressSpace("/data", 8, 42, false);
        TestMm a = new TestMm();
        TestMm b = new TestMm();
        out.add(a.file(0x10000000, 0x10010000, TestMm.RW_ANON | VmFlags.VM_SHARED, file, 0));
        out.add(b.file(0x20000000, 0x20010000, TestMm.RW_ANON | VmFlags.VM_SHARED, file, 8));
        a.file(0x30000000, 0x30001000, TestMm.RW_ANON, file, 100); // outside the index range
        return file;
    }

    @Test
    void walkPageMapping_testWalkSeesTheWholeVma_walkIsClippedToTheIndexRange_noGapHoles() {
        List<VmArea> vmas = new ArrayList<>();
        AddressSpace file = fileMappedTwice(vmas);
        file.iMmapLockRead(); // no mmap lock at all: walk_page_mapping asserts only i_mmap_rwsem
        CallRecorder r = new CallRecorder();
        List<MmStruct> mms = new ArrayList<>();
        r.on(PRE_VMA, (e, a, n, d, w) -> {
            mms.add(w.mm());
            return 0;
        });
        assertEquals(0, PageWalk.walkPageMapping(file, 4, 8, r.ops(TEST_WALK, PRE_VMA, POST_VMA, HOLE), null));
        assertEquals(List.of(
                "test_walk 0x10000000 0x10010000",
                "pre_vma 0x10004000 0x1000c000",
                "post_vma vma@0x10000000",
                "test_walk 0x20000000 0x20010000",
                "pre_vma 0x20000000 0x20004000",
                "post_vma vma@0x20000000"), r.calls);
        assertEquals(List.of(vmas.get(0).mm(), vmas.get(1).mm()), mms);
    }

    @Test
    void walkPageMapping_positiveTestWalk_stopsTheWholeWalkWithZero() {
        List<VmArea> vmas = new ArrayList<>();
        AddressSpace file = fileMappedTwice(vmas);
        file.iMmapLockRead();
        CallRecorder r = new CallRecorder();
        r.on(TEST_WALK, (e, a, n, d, w) -> 1);
        assertEquals(0, PageWalk.walkPageMapping(file, 0, 200, r.ops(TEST_WALK, PRE_VMA, POST_VMA, HOLE), null));
        assertEquals(List.of("test_walk 0x10000000 0x10010000"), r.calls);
    }

    @Test
    void walkPageMapping_pfnmapVmaWithoutTestWalk_holeThenStopsTheWholeWalkWithZero() {
        AddressSpace file = new AddressSpace("/dev/mem", 1, 1, false);
        TestMm a = new TestMm();
        TestMm b = new TestMm();
        a.file(0x10000000, 0x10004000, TestMm.RW_ANON | VmFlags.VM_PFNMAP | VmFlags.VM_SHARED, file, 0);
        b.file(0x20000000, 0x20004000, TestMm.RW_ANON | VmFlags.VM_SHARED, file, 0);
        file.iMmapLockRead();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageMapping(file, 1, 2, r.ops(PRE_VMA, HOLE), null));
        // walk_page_test() gets the whole VMA, and its "skip" ends the mapping walk.
        assertEquals(List.of("pte_hole 0x10000000 0x10004000 -1 vma@0x10000000"), r.calls);
    }

    // ---- 14, 15 ----

    @Test
    void preVma_getsTheClippedRange_andItsErrorAbortsWithoutTableWalkOrPostVma() {
        TestMm t = twoVmas();
        t.readLock();
        CallRecorder r = new CallRecorder();
        r.on(PRE_VMA, (e, a, n, d, w) -> -Errno.ENOMEM);
        int ret = PageWalk.walkPageRange(t.mm, 0x401000, 0x700000, r.ops(PRE_VMA, POST_VMA, PTE, HOLE), null);
        assertEquals(-Errno.ENOMEM, ret);
        assertEquals(List.of("pre_vma 0x401000 0x402000"), r.calls);
    }

    @Test
    void tableWalkError_postVmaIsStillCalled_thenTheErrorIsReturned() {
        TestMm t = twoVmas();
        t.pte(0x400000, 0);
        t.readLock();
        CallRecorder r = new CallRecorder();
        r.on(PTE, (e, a, n, d, w) -> -Errno.EINTR);
        int ret = PageWalk.walkPageRange(t.mm, 0x400000, 0x700000, r.ops(PRE_VMA, POST_VMA, PTE, HOLE), null);
        assertEquals(-Errno.EINTR, ret);
        assertEquals(List.of(
                "pre_vma 0x400000 0x402000",
                "pte_entry 0x400000 0x401000 0x0",
                "post_vma vma@0x400000"), r.calls);
    }

    // ---- 16, 17 ----

    @Test
    void hugetlbVmaWithoutHugetlbEntry_onlyPreAndPostVmaAreCalled() {
        TestMm t = new TestMm();
        t.hugetlb(0x40000000, 0x40400000, PagingGeometry.PMD_SHIFT);
        t.hugetlbPage(0x40000000, PagingGeometry.PMD_SHIFT);
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x40000000, 0x40400000,
                r.ops(PRE_VMA, POST_VMA, PUD, PMD, PTE, HOLE), null));
        assertEquals(List.of("pre_vma 0x40000000 0x40400000", "post_vma vma@0x40000000"), r.calls);
    }

    @Test
    void installPte_onHugetlbVma_isEinvalBeforePreVma() {
        TestMm t = new TestMm();
        VmArea vma = t.hugetlb(0x40000000, 0x40400000, PagingGeometry.PMD_SHIFT);
        t.writeLock();
        CallRecorder r = new CallRecorder();
        MmWalkOps ops = r.ops(PRE_VMA, POST_VMA, PTE, HOLE, INSTALL);
        assertEquals(EINVAL, PageWalk.walkPageRangeMm(t.mm, 0x3fe00000, 0x40400000, ops, null));
        // The gap before it was already reported.
        assertEquals(List.of("pte_hole 0x3fe00000 0x40000000 -1 novma"), r.calls);
        r.calls.clear();
        assertEquals(EINVAL, PageWalk.walkPageRangeVmaUnsafe(vma, 0x40000000, 0x40200000, ops, null));
        assertEquals(List.of(), r.calls);
        assertSame(vma, t.mm.findVma(0x40000000));
    }
}
