package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.pgtable.PagingGeometry.X86_64_4LEVEL;
import static io.pagewalk.runtime.pgtable.PagingGeometry.X86_64_5LEVEL;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.HOLE;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.P4D;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PGD;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PMD;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PTE;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PUD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.testing.TestMm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which levels are walked, what depth {@code pte_hole} reports, and what addresses the PTE level
 * hands out ({@code walk_pgd_range} ... {@code walk_pte_range_inner}, {@code real_depth()}; items
 * 18-26).
 */
class HoleDepthConformanceTest {
    /** Above 4-level user space: only used with 5-level geometry, where it is PGD slot 1. */
    private static final long HIGH = 1L << 48;

    /**
     * VMA1 [0x7fbfe00000, 0x7fc0400000) straddles PUD 510/511 with one page at 0x7fc0001000;
     * VMA2 [0x7fffe00000, 0x8000200000) straddles the 512 GiB line (PGD slot 0/1 with 4 levels,
     * P4D slot 0/1 with 5); with 5 levels VMA3 [2^48, 2^48 + 2 MiB) sits in an empty PGD slot.
     */
    private static TestMm layout(PagingGeometry g) {
        TestMm t = new TestMm(g);
        t.anon(0x7fbfe00000L, 0x7fc0400000L);
        t.anon(0x7fffe00000L, 0x8000200000L);
        t.page(0x7fc0001000L);
        if (g == X86_64_5LEVEL) {
            t.anon(HIGH, HIGH + 0x200000);
        }
        t.readLock();
        return t;
    }

    private static long end(PagingGeometry g) {
        return g == X86_64_5LEVEL ? HIGH + 0x200000 : 0x8000200000L;
    }

    // ---- 18, 19, 26 ----

    @Test
    void pteHole_depthOfFoldedP4dIsReportedAsPgd_4level() {
        TestMm t = layout(X86_64_4LEVEL);
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x7fbfe00000L, end(X86_64_4LEVEL), r.ops(PMD, HOLE), null));
        assertEquals(List.of(
                "pte_hole 0x7fbfe00000 0x7fc0000000 2 vma@0x7fbfe00000",
                "pmd_entry 0x7fc0000000 0x7fc0200000",
                "pte_hole 0x7fc0200000 0x7fc0400000 3 vma@0x7fbfe00000",
                "pte_hole 0x7fc0400000 0x7fffe00000 -1 novma",
                "pte_hole 0x7fffe00000 0x8000000000 3 vma@0x7fffe00000",
                "pte_hole 0x8000000000 0x8000200000 0 vma@0x7fffe00000"), r.calls);
    }

    @Test
    void pteHole_p4dHoleIsDepth1AndPgdHoleDepth0_5level() {
        TestMm t = layout(X86_64_5LEVEL);
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x7fbfe00000L, end(X86_64_5LEVEL), r.ops(PMD, HOLE), null));
        assertEquals(List.of(
                "pte_hole 0x7fbfe00000 0x7fc0000000 2 vma@0x7fbfe00000",
                "pmd_entry 0x7fc0000000 0x7fc0200000",
                "pte_hole 0x7fc0200000 0x7fc0400000 3 vma@0x7fbfe00000",
                "pte_hole 0x7fc0400000 0x7fffe00000 -1 novma",
                "pte_hole 0x7fffe00000 0x8000000000 3 vma@0x7fffe00000",
                "pte_hole 0x8000000000 0x8000200000 1 vma@0x7fffe00000",
                "pte_hole 0x8000200000 0x1000000000000 -1 novma",
                "pte_hole 0x1000000000000 0x1000000200000 0 vma@0x1000000000000"), r.calls);
    }

    @Test
    void realDepth_foldsOnlyTheP4dOfTheFourLevelGeometry() {
        // x86-64 never folds the PUD or PMD; 3-level (PMD folded) configurations are not modelled.
        assertEquals(List.of(-1, 0, 0, 2, 3), depths(X86_64_4LEVEL));
        assertEquals(List.of(-1, 0, 1, 2, 3), depths(X86_64_5LEVEL));
    }

    private static List<Integer> depths(PagingGeometry g) {
        List<Integer> out = new ArrayList<>();
        out.add(-1);
        for (int d = 0; d <= 3; d++) {
            out.add(g.realDepth(d));
        }
        return out;
    }

    @Test
    void pteHole_unalignedStartInsideAHole_isReportedFromThatAddress_toTheLevelBoundary() {
        TestMm t = layout(X86_64_4LEVEL);
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x7fc0200123L, 0x7fc03ff000L, r.ops(PMD, HOLE), null));
        assertEquals(List.of("pte_hole 0x7fc0200123 0x7fc03ff000 3 vma@0x7fbfe00000"), r.calls);
        r.calls.clear();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x7fbfe00abcL, 0x7fc0200000L, r.ops(PMD, HOLE), null));
        assertEquals(List.of(
                "pte_hole 0x7fbfe00abc 0x7fc0000000 2 vma@0x7fbfe00000",
                "pmd_entry 0x7fc0000000 0x7fc0200000"), r.calls);
    }

    @Test
    void badP4dEntry_isClearedAndReportedAsAHoleOfDepth1_5level() {
        TestMm t = new TestMm(X86_64_5LEVEL);
        t.anon(0x400000, 0x402000);
        t.page(0x400000);
        var p4d = io.pagewalk.runtime.mm.PageTables.entry(t.mm, 0x400000, PagingGeometry.P4D, false);
        p4d.set(TestMm.swapPte(3)); // not present, not none: p4d_bad()
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x402000, r.ops(P4D, PTE, HOLE), null));
        assertEquals(List.of("pte_hole 0x400000 0x402000 1 vma@0x400000"), r.calls);
        assertEquals(0, p4d.get());
    }

    // ---- 20 ----

    @Test
    void pteHoleOnly_4level_seesOnlyTheGapHoles() {
        TestMm t = layout(X86_64_4LEVEL);
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x7fbfe00000L, end(X86_64_4LEVEL), r.ops(HOLE), null));
        assertEquals(List.of("pte_hole 0x7fc0400000 0x7fffe00000 -1 novma"), r.calls);
    }

    @Test
    void pteHoleOnly_5level_seesGapHolesAndPgdHolesOnly() {
        TestMm t = layout(X86_64_5LEVEL);
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x7fbfe00000L, end(X86_64_5LEVEL), r.ops(HOLE), null));
        assertEquals(List.of(
                "pte_hole 0x7fc0400000 0x7fffe00000 -1 novma",
                "pte_hole 0x8000200000 0x1000000000000 -1 novma",
                "pte_hole 0x1000000000000 0x1000000200000 0 vma@0x1000000000000"), r.calls);
    }

    // ---- 21 ----

    @Test
    void pgdAndP4dEntry_bothCalledForTheSameFoldedEntry_andPgdEntryAlsoForEmptySlots_4level() {
        TestMm t = layout(X86_64_4LEVEL);
        CallRecorder r = new CallRecorder();
        List<String> slots = new ArrayList<>();
        CallRecorder.Reaction slot = (e, a, n, d, w) -> {
            slots.add(e.table().pfn() + ":" + e.index());
            return 0;
        };
        r.on(PGD, slot).on(P4D, slot);
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x7fffe00000L, 0x8000200000L, r.ops(PGD, P4D, HOLE), null));
        assertEquals(List.of(
                "pgd_entry 0x7fffe00000 0x8000000000",
                "p4d_entry 0x7fffe00000 0x8000000000",
                "pgd_entry 0x8000000000 0x8000200000",
                "pte_hole 0x8000000000 0x8000200000 0 vma@0x7fffe00000"), r.calls);
        long root = t.mm.pgd().pfn();
        assertEquals(List.of(root + ":0", root + ":0", root + ":1"), slots);
    }

    @Test
    void pgdAndP4dEntry_areDistinctLevels_5level() {
        TestMm t = layout(X86_64_5LEVEL);
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x7fffe00000L, end(X86_64_5LEVEL), r.ops(PGD, P4D, HOLE), null));
        assertEquals(List.of(
                "pgd_entry 0x7fffe00000 0x8000200000",
                "p4d_entry 0x7fffe00000 0x8000000000",
                "pte_hole 0x8000000000 0x8000200000 1 vma@0x7fffe00000",
                "pte_hole 0x8000200000 0x1000000000000 -1 novma",
                "pte_hole 0x1000000000000 0x1000000200000 0 vma@0x1000000000000"), r.calls);
    }

    // ---- 22 ----

    @Test
    void pudEntryOnly_noDescentBelowPud_andNothingIsSplit() {
        TestMm t = new TestMm();
        t.anon(0x40000000L, 0x80200000L);
        t.pudLeaf(0x40000000L);
        t.thp(0x80000000L);
        long pud = t.get(0x40000000L, PagingGeometry.PUD);
        long pmd = t.get(0x80000000L, PagingGeometry.PMD);
        t.readLock();
        CallRecorder r = new CallRecorder();
        r.withValues = true;
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x40000000L, 0x80200000L, r.ops(PUD, HOLE), null));
        assertEquals(List.of(
                "pud_entry 0x40000000 0x80000000 " + CallRecorder.hex(pud),
                "pud_entry 0x80000000 0x80200000 " + CallRecorder.hex(t.get(0x80000000L, PagingGeometry.PUD))),
                r.calls);
        assertEquals(pud, t.get(0x40000000L, PagingGeometry.PUD));
        assertEquals(pmd, t.get(0x80000000L, PagingGeometry.PMD));
    }

    // ---- 23, 24, 25 ----

    @Test
    void pteEntry_calledForEveryPteIncludingNone_withNextAddrPlusPageSize_andNoPteLevelHoles() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x404000);
        long pfn = t.page(0x401000);
        t.pte(0x402000, TestMm.swapPte(5));
        t.pte(0x403000, TestMm.guardMarker());
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x404000, r.ops(PTE, HOLE), null));
        assertEquals(List.of(
                "pte_entry 0x400000 0x401000 0x0",
                "pte_entry 0x401000 0x402000 " + CallRecorder.hex(Pgtable.pfn_pte(pfn, TestMm.PROT_RW)),
                "pte_entry 0x402000 0x403000 " + CallRecorder.hex(TestMm.swapPte(5)),
                "pte_entry 0x403000 0x404000 " + CallRecorder.hex(TestMm.guardMarker())), r.calls);
    }

    @Test
    void unalignedEnd_onePteForASingleByte_twoForOneBytePastAPage() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x404000);
        t.pte(0x400000, 0);
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x400001, r.ops(PMD, PTE, HOLE), null));
        assertEquals(List.of("pmd_entry 0x400000 0x400001", "pte_entry 0x400000 0x401000 0x0"), r.calls);
        r.calls.clear();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x401001, r.ops(PTE, HOLE), null));
        assertEquals(List.of("pte_entry 0x400000 0x401000 0x0", "pte_entry 0x401000 0x402000 0x0"), r.calls);
    }

    @Test
    void unalignedStart_pteEntryGetsUnalignedAddresses_andThePteContainingEach() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x404000);
        long pfn = t.page(0x401000);
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400010, 0x402010, r.ops(PTE, HOLE), null));
        assertEquals(List.of(
                "pte_entry 0x400010 0x401010 0x0",
                "pte_entry 0x401010 0x402010 " + CallRecorder.hex(Pgtable.pfn_pte(pfn, TestMm.PROT_RW))), r.calls);
    }

    @Test
    void topOfAddressSpace_lastPteHasNextZero_andTheLevelLoopsStopAtEnd() {
        // Kernel-style walk up to 2^64-1: *_addr_end() keeps the -1 trick, the last pte_entry's next
        // wraps to 0 exactly as addr + PAGE_SIZE does in the kernel.
        TestMm t = new TestMm();
        t.pte(0xffffffffffffe000L, 0);
        t.writeLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRangeNovma(t.mm, 0xffffffffffffe000L, -1L,
                r.ops(PGD, PUD, PMD, PTE, HOLE), null, null));
        assertEquals(List.of(
                "pgd_entry 0xffffffffffffe000 0xffffffffffffffff",
                "pud_entry 0xffffffffffffe000 0xffffffffffffffff",
                "pmd_entry 0xffffffffffffe000 0xffffffffffffffff",
                "pte_entry 0xffffffffffffe000 0xfffffffffffff000 0x0",
                "pte_entry 0xfffffffffffff000 0x0 0x0"), r.calls);
    }

    @Test
    void noVmaWalk_withAnotherRoot_walksThatRootNotTheMms() {
        TestMm t = new TestMm();
        t.page(0x400000);
        TestMm other = new TestMm();
        other.pte(0x401000, 0);
        t.writeLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRangeNovma(t.mm, 0x400000, 0x402000, r.ops(PTE, HOLE), other.mm.pgd(), null));
        assertEquals(List.of("pte_entry 0x400000 0x401000 0x0", "pte_entry 0x401000 0x402000 0x0"), r.calls);
        r.calls.clear();
        assertEquals(0, PageWalk.walkPageRangeNovma(t.mm, 0x400000, 0x401000, r.ops(PTE, HOLE), null, null));
        assertEquals(List.of("pte_entry 0x400000 0x401000 " + CallRecorder.hex(t.get(0x400000, PagingGeometry.PTE))),
                r.calls);
    }

    @Test
    void pteBatch_seesTheSameRunsAsPteEntry() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x404000);
        t.page(0x401000);
        t.readLock();
        List<String> batches = new ArrayList<>();
        MmWalkOps ops = MmWalkOps.builder().pteBatch((first, addr, nr, w) -> {
            batches.add(CallRecorder.hex(addr) + " x" + nr + " @" + first.index());
            return 0;
        }).build();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400010, 0x402010, ops, null));
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x400000, 0x400001, ops, null));
        assertEquals(List.of("0x400010 x2 @0", "0x400000 x1 @0"), batches);
        assertTrue(PageWalk.ptesInRange(0x400000, 0x600000) == 512);
    }
}
