package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD_SHIFT;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PUD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PUD_SHIFT;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.HOLE;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.HUGETLB;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.PTE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.testing.TestMm;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code walk_hugetlb_range()} (items 39, 40). */
class HugetlbConformanceTest {
    private static final String HMASK_2M = "hmask=0xffffffffffe00000";
    private static final String HMASK_1G = "hmask=0xffffffffc0000000";

    // ---- 39 ----

    @Test
    void hugetlbEntry_onePerHugePage_partialAtTheEnds_withTheHugeMask() {
        for (PagingGeometry g : PagingGeometry.values()) {
            TestMm t = new TestMm(g);
            t.hugetlb(0x40000000L, 0x40600000L, PMD_SHIFT);
            t.hugetlbPage(0x40000000L, PMD_SHIFT);
            t.hugetlbPage(0x40400000L, PMD_SHIFT);
            t.readLock();
            CallRecorder r = new CallRecorder();
            assertEquals(0, PageWalk.walkPageRange(t.mm, 0x40100000L, 0x40500000L, r.ops(HUGETLB, PTE, HOLE), null));
            assertEquals(List.of(
                    "hugetlb_entry 0x40100000 0x40200000 " + CallRecorder.hex(t.get(0x40000000L, PMD)) + " " + HMASK_2M,
                    "hugetlb_entry 0x40200000 0x40400000 0x0 " + HMASK_2M,
                    "hugetlb_entry 0x40400000 0x40500000 " + CallRecorder.hex(t.get(0x40400000L, PMD)) + " " + HMASK_2M),
                    r.calls, g.name());
        }
    }

    @Test
    void hugetlbEntry_gigantic1GPages_areWalkedAtPudLevel() {
        TestMm t = new TestMm();
        t.hugetlb(0x80000000L, 0x100000000L, PUD_SHIFT);
        t.hugetlbPage(0x80000000L, PUD_SHIFT);
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x80001000L, 0xc0002000L, r.ops(HUGETLB, HOLE), null));
        assertEquals(List.of(
                "hugetlb_entry 0x80001000 0xc0000000 " + CallRecorder.hex(t.get(0x80000000L, PUD)) + " " + HMASK_1G,
                "hugetlb_entry 0xc0000000 0xc0002000 0x0 " + HMASK_1G), r.calls);
    }

    // ---- 40 ----

    @Test
    void missingTable_isAHoleOfDepthMinus1WithTheVmaSet_perHugePage() {
        TestMm t = new TestMm();
        t.hugetlb(0x80000000L, 0x80400000L, PMD_SHIFT);
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x80000000L, 0x80400000L, r.ops(HUGETLB, HOLE), null));
        assertEquals(List.of(
                "pte_hole 0x80000000 0x80200000 -1 vma@0x80000000",
                "pte_hole 0x80200000 0x80400000 -1 vma@0x80000000"), r.calls);
    }

    @Test
    void tablePresentButEntryNone_isHugetlbEntryWithANoneEntry_notAHole() {
        TestMm t = new TestMm();
        t.hugetlb(0x80000000L, 0x80400000L, PMD_SHIFT);
        t.hugetlbPage(0x80200000L, PMD_SHIFT);
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x80000000L, 0x80400000L, r.ops(HUGETLB, HOLE), null));
        assertEquals(List.of(
                "hugetlb_entry 0x80000000 0x80200000 0x0 " + HMASK_2M,
                "hugetlb_entry 0x80200000 0x80400000 " + CallRecorder.hex(t.get(0x80200000L, PMD)) + " " + HMASK_2M),
                r.calls);
    }
}
