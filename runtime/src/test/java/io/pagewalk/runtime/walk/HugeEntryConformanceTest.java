package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PTE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PUD;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.HOLE;
import static io.pagewalk.runtime.walk.CallRecorder.Hook.INSTALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.testing.TestMm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Huge PMD/PUD entries: when the walker splits, zaps or leaves them alone (items 34-38). */
class HugeEntryConformanceTest {
    private static String hex(long v) {
        return CallRecorder.hex(v);
    }

    private static String ptePfn(long pfn) {
        return hex(Pgtable.pfn_pte(pfn, TestMm.PROT_RW));
    }

    // ---- 34 ----

    @Test
    void anonThp_pteEntryWithoutThpAwarePmdEntry_isSplitInto512Ptes_thatPteEntrySees() {
        TestMm t = new TestMm();
        t.anon(0x600000, 0x800000);
        long head = t.thp(0x600000);
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x600000, 0x602000,
                r.ops(CallRecorder.Hook.PMD, CallRecorder.Hook.PTE, HOLE), null));
        assertEquals(List.of(
                "pmd_entry 0x600000 0x602000",
                "pte_entry 0x600000 0x601000 " + ptePfn(head),
                "pte_entry 0x601000 0x602000 " + ptePfn(head + 1)), r.calls);
        // The whole PMD was split, not only the walked part; the folio stays large and mapped.
        long pmd = t.get(0x600000, PMD);
        assertTrue(Pgtable.pmd_present(pmd) && !Pgtable.pmd_trans_huge(pmd));
        assertEquals(Pgtable.pfn_pte(head + 511, TestMm.PROT_RW), t.get(0x7ff000, PTE));
        MemMap m = t.mm.memMap();
        assertEquals(9, m.folioOrder(head));
        assertEquals(0, m.entireMapcount(head));
        assertEquals(1, m.mapcount(head + 100));
    }

    // ---- 35 ----

    @Test
    void fileThp_pteEntry_zapsTheMappingThenReportsAHoleOfDepth3() {
        TestMm t = new TestMm();
        AddressSpace file = new AddressSpace("/lib/big.so", 8, 7, false);
        t.file(0x600000, 0x800000, TestMm.RW_ANON, file, 0);
        long head = t.fileThp(0x600000, file, 0);
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x600000, 0x800000,
                r.ops(CallRecorder.Hook.PMD, CallRecorder.Hook.PTE, HOLE), null));
        assertEquals(List.of(
                "pmd_entry 0x600000 0x800000",
                "pte_hole 0x600000 0x800000 3 vma@0x600000"), r.calls);
        assertEquals(0, t.get(0x600000, PMD));
        assertEquals(0, t.mm.memMap().mapcount(head));
        assertEquals(0, t.mm.memMap().entireMapcount(head));
    }

    @Test
    void pmdMigrationEntryInAFileVma_isZappedNotSplit_thenReportsAHoleOfDepth3() {
        TestMm t = new TestMm();
        AddressSpace file = new AddressSpace("/lib/big.so", 8, 7, false);
        t.file(0x600000, 0x800000, TestMm.RW_ANON, file, 0);
        t.migrationPmd(0x600000);
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x600000, 0x601000, r.ops(CallRecorder.Hook.PTE, HOLE), null));
        assertEquals(List.of("pte_hole 0x600000 0x601000 3 vma@0x600000"), r.calls);
        assertEquals(0, t.get(0x600000, PMD));
    }

    @Test
    void pmdMigrationEntryInAnAnonVma_isSplitIntoPteMigrationEntries() {
        TestMm t = new TestMm();
        t.anon(0x600000, 0x800000);
        long head = t.migrationPmd(0x600000);
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x600000, 0x602000, r.ops(CallRecorder.Hook.PTE, HOLE), null));
        long mig = io.pagewalk.runtime.pgtable.Swapops.SWP_MIGRATION_READ;
        assertEquals(List.of(
                "pte_entry 0x600000 0x601000 " + hex(io.pagewalk.runtime.pgtable.Swapops.swp_entry_to_pte(
                        io.pagewalk.runtime.pgtable.Swapops.make_migration_entry((int) mig, head))),
                "pte_entry 0x601000 0x602000 " + hex(io.pagewalk.runtime.pgtable.Swapops.swp_entry_to_pte(
                        io.pagewalk.runtime.pgtable.Swapops.make_migration_entry((int) mig, head + 1)))), r.calls);
    }

    @Test
    void pudLeaf_withALowerHandler_isZappedThenReportsAHoleOfDepth2() {
        TestMm t = new TestMm();
        t.anon(0x40000000L, 0x80000000L);
        t.pudLeaf(0x40000000L);
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x40000000L, 0x80000000L,
                r.ops(CallRecorder.Hook.PUD, CallRecorder.Hook.PMD, HOLE), null));
        assertEquals(List.of(
                "pud_entry 0x40000000 0x80000000",
                "pte_hole 0x40000000 0x80000000 2 vma@0x40000000"), r.calls);
        assertEquals(0, t.get(0x40000000L, PUD));
    }

    @Test
    void protNonePudLeaf_isZappedToo_becauseSplitTestsOnlyTheHugeBit() {
        TestMm t = new TestMm();
        t.anon(0x40000000L, 0x80000000L);
        long leaf = Pgtable.pfn_pud(0x4000000L, Pgtable._PAGE_PROTNONE | Pgtable._PAGE_USER);
        io.pagewalk.runtime.mm.PageTables.set(t.mm, 0x40000000L, PUD, leaf);
        assertFalse(Pgtable.pud_present(leaf));
        t.readLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x40000000L, 0x40001000L,
                r.ops(CallRecorder.Hook.PTE, HOLE), null));
        assertEquals(List.of("pte_hole 0x40000000 0x40001000 2 vma@0x40000000"), r.calls);
    }

    // ---- 36 ----

    @Test
    void thpAwarePmdEntrySettingContinue_preventsTheSplit() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x800000);
        t.pte(0x5ff000, 0);
        long head = t.thp(0x600000);
        long thp = t.get(0x600000, PMD);
        t.readLock();
        CallRecorder r = new CallRecorder();
        r.withValues = true;
        r.on(CallRecorder.Hook.PMD, (e, a, n, d, w) -> {
            if (Pgtable.pmd_trans_huge(e.get())) {
                w.setAction(PageWalkAction.ACTION_CONTINUE);
            }
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRange(t.mm, 0x5ff000, 0x601000,
                r.ops(CallRecorder.Hook.PMD, CallRecorder.Hook.PTE), null));
        assertEquals(List.of(
                "pmd_entry 0x5ff000 0x600000 " + hex(t.get(0x5ff000, PMD)),
                "pte_entry 0x5ff000 0x600000 0x0",
                "pmd_entry 0x600000 0x601000 " + hex(Pgtable.pfn_pmd(head, TestMm.PROT_RW))), r.calls);
        assertEquals(thp, t.get(0x600000, PMD));
        assertEquals(1, t.mm.memMap().entireMapcount(head));
    }

    // ---- 37 ----

    @Test
    void noVmaWalk_neverDescendsIntoOrSplitsLeafOrNonPresentPmdsAndPuds_andHoldsNoPtl() {
        TestMm t = new TestMm();
        t.page(0x400000);
        long thp = Pgtable.pfn_pmd(0x80000, TestMm.PROT_RW);
        io.pagewalk.runtime.mm.PageTables.set(t.mm, 0x600000, PMD, thp);
        t.migrationPmd(0x800000);
        long migration = t.get(0x800000, PMD);
        long pud = Pgtable.pfn_pud(0x400000, TestMm.PROT_RW);
        io.pagewalk.runtime.mm.PageTables.set(t.mm, 0x40000000L, PUD, pud);
        t.writeLock();
        CallRecorder r = new CallRecorder();
        r.withValues = true;
        List<String> seen = new ArrayList<>();
        r.on(CallRecorder.Hook.PTE, (e, a, n, d, w) -> {
            seen.add(CallRecorder.vma(w) + " ptl=" + e.table().ptlHeld());
            return 0;
        });
        r.on(CallRecorder.Hook.PMD, (e, a, n, d, w) -> {
            seen.add(CallRecorder.vma(w));
            return 0;
        });
        assertEquals(0, PageWalk.walkPageRangeNovma(t.mm, 0x5ff000, 0x40200000L, r.ops(
                CallRecorder.Hook.PUD, CallRecorder.Hook.PMD, CallRecorder.Hook.PTE), null, null));
        assertEquals(List.of(
                "pud_entry 0x5ff000 0x40000000 " + hex(t.get(0x5ff000, PUD)),
                "pmd_entry 0x5ff000 0x600000 " + hex(t.get(0x5ff000, PMD)),
                "pte_entry 0x5ff000 0x600000 0x0",
                "pmd_entry 0x600000 0x800000 " + hex(thp),
                "pmd_entry 0x800000 0xa00000 " + hex(migration),
                "pud_entry 0x40000000 0x40200000 " + hex(pud)), r.calls);
        assertEquals(List.of("novma", "novma ptl=false", "novma", "novma"), seen);
        assertEquals(thp, t.get(0x600000, PMD));
        assertEquals(migration, t.get(0x800000, PMD));
        assertEquals(pud, t.get(0x40000000L, PUD));
    }

    // ---- 38 ----

    /** VMA [0x400000, 0x800000): a page at 0x5fe000, 0x5ff000 none, an anon THP at 0x600000. */
    private static TestMm pageNoneThp(List<Long> pfns) {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x800000);
        pfns.add(t.page(0x5fe000));
        pfns.add(t.thp(0x600000));
        t.writeLock();
        return t;
    }

    @Test
    void installOnly_presentThpIsSkippedNotSplit_andExistingPtesAreLeftAlone() {
        List<Long> pfns = new ArrayList<>();
        TestMm t = pageNoneThp(pfns);
        long thp = t.get(0x600000, PMD);
        long page = t.get(0x5fe000, PTE);
        CallRecorder r = new CallRecorder();
        r.installValue = TestMm.guardMarker();
        assertEquals(0, PageWalk.walkPageRangeMm(t.mm, 0x5fe000, 0x602000, r.ops(INSTALL), null));
        assertEquals(List.of("install_pte 0x5ff000 0x600000"), r.calls);
        assertEquals(thp, t.get(0x600000, PMD));
        assertEquals(page, t.get(0x5fe000, PTE));
        assertEquals(TestMm.guardMarker(), t.get(0x5ff000, PTE));
    }

    @Test
    void installWithPteEntry_presentThpIsSplit_andItsPtesGoToPteEntry() {
        List<Long> pfns = new ArrayList<>();
        TestMm t = pageNoneThp(pfns);
        CallRecorder r = new CallRecorder();
        r.installValue = TestMm.guardMarker();
        assertEquals(0, PageWalk.walkPageRangeMm(t.mm, 0x5fe000, 0x602000,
                r.ops(CallRecorder.Hook.PTE, INSTALL), null));
        assertEquals(List.of(
                "pte_entry 0x5fe000 0x5ff000 " + ptePfn(pfns.get(0)),
                "install_pte 0x5ff000 0x600000",
                "pte_entry 0x600000 0x601000 " + ptePfn(pfns.get(1)),
                "pte_entry 0x601000 0x602000 " + ptePfn(pfns.get(1) + 1)), r.calls);
        assertFalse(Pgtable.pmd_trans_huge(t.get(0x600000, PMD)));
    }

    @Test
    void installOnly_pmdMigrationEntryIsSplit_andItsPtesAreLeftAlone() {
        // Only a *present* huge PMD is spared when installing; a migration entry is split.
        TestMm t = new TestMm();
        t.anon(0x400000, 0x800000);
        long head = t.migrationPmd(0x600000);
        t.writeLock();
        CallRecorder r = new CallRecorder();
        assertEquals(0, PageWalk.walkPageRangeMm(t.mm, 0x600000, 0x602000, r.ops(INSTALL), null));
        assertEquals(List.of(), r.calls);
        long pte = t.get(0x601000, PTE);
        assertEquals(head + 1, io.pagewalk.runtime.pgtable.Swapops.swp_offset_pfn(
                io.pagewalk.runtime.pgtable.Swapops.pte_to_swp_entry(pte)));
    }
}
