package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD_SHIFT;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PTE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PUD;
import static io.pagewalk.runtime.walk.FolioWalk.FW_MIGRATION;
import static io.pagewalk.runtime.walk.FolioWalk.FW_ZEROPAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.LockAssertionError;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.testing.TestMm;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code folio_walk_start()}/{@code folio_walk_end()} (items 48-54), with 6.12-7.0's FW_MIGRATION. */
class FolioWalkConformanceTest {
    private static final int ALL = FW_MIGRATION | FW_ZEROPAGE;

    private static TestMm mm() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x800000);
        return t;
    }

    /** Asserts nothing was found and no lock was left held. */
    private static void assertNotFound(TestMm t, VmArea vma, long addr, int flags) {
        FolioWalk fw = new FolioWalk();
        assertNull(FolioWalk.folioWalkStart(fw, vma, addr, flags), CallRecorder.hex(addr) + " flags " + flags);
        assertNull(fw.ptl());
        EntryPointerCheck.assertNoPtlHeld(t, addr);
    }

    /** The PTLs a failed lookup may have touched are all free again. */
    private static final class EntryPointerCheck {
        static void assertNoPtlHeld(TestMm t, long addr) {
            for (int level = PUD; level <= PTE; level++) {
                var p = PageTables.entry(t.mm, addr, level, false);
                if (p != null) {
                    assertFalse(p.table().ptlHeld(), "level " + level + " lock of " + CallRecorder.hex(addr));
                }
            }
        }
    }

    // ---- 48 ----

    @Test
    void addrOutsideTheVma_isNotFound() {
        TestMm t = mm();
        VmArea vma = t.mm.findVma(0x400000);
        t.page(0x400000);
        t.readLock();
        assertNotFound(t, vma, 0x3ff000, ALL);
        assertNotFound(t, vma, 0x800000, ALL);
    }

    @Test
    void withoutTheMmapLock_isALockAssertion() {
        TestMm t = mm();
        t.page(0x400000);
        assertThrows(LockAssertionError.class,
                () -> FolioWalk.folioWalkStart(new FolioWalk(), t.mm.findVma(0x400000), 0x400000, 0));
    }

    // ---- 49, 54 ----

    @Test
    void presentSmallPage_isItsFolioAtPteLevel_withTheExactPage_andThePtlHeldUntilEnd() {
        TestMm t = mm();
        long pfn = t.page(0x401000);
        t.readLock();
        VmArea vma = t.mm.findVma(0x400000);
        FolioWalk fw = new FolioWalk();
        FolioWalk.Folio folio = FolioWalk.folioWalkStart(fw, vma, 0x401abc, 0);
        assertNotNull(folio);
        assertEquals(pfn, folio.pfn());
        assertEquals(pfn, fw.page);
        assertEquals(FolioWalk.Level.FW_LEVEL_PTE, fw.level);
        assertEquals(t.get(0x401000, PTE), fw.value);
        assertEquals(t.get(0x401000, PTE), fw.entry.get());
        PageTable pteTable = PageTables.entry(t.mm, 0x401000, PTE, false).table();
        assertSame(pteTable, fw.ptl());
        assertTrue(pteTable.ptlHeld());
        FolioWalk.folioWalkEnd(fw, vma);
        assertFalse(pteTable.ptlHeld());
    }

    // ---- 50 ----

    @Test
    void pmdThp_middleAddress_isPmdLevel_withPageHeadPlusOffset_andThePmdLockHeld() {
        TestMm t = mm();
        long head = t.thp(0x600000);
        t.readLock();
        VmArea vma = t.mm.findVma(0x400000);
        FolioWalk fw = new FolioWalk();
        long addr = 0x600000 + 0x123456;
        FolioWalk.Folio folio = FolioWalk.folioWalkStart(fw, vma, addr, 0);
        assertNotNull(folio);
        assertEquals(head, folio.pfn());
        assertEquals(9, folio.order());
        assertEquals(FolioWalk.Level.FW_LEVEL_PMD, fw.level);
        assertEquals(head + ((addr & (PagingGeometry.PMD_SIZE - 1)) >>> 12), fw.page);
        assertEquals(head + 0x123, fw.page);
        PageTable pmdTable = PageTables.entry(t.mm, addr, PMD, false).table();
        assertSame(pmdTable, fw.ptl());
        assertTrue(pmdTable.ptlHeld());
        FolioWalk.folioWalkEnd(fw, vma);
        assertFalse(pmdTable.ptlHeld());
    }

    @Test
    void pudLeaf_isPudLevel_withPageHeadPlusOffset() {
        TestMm t = new TestMm();
        VmArea vma = t.anon(0x40000000L, 0x80000000L);
        long head = t.pudLeaf(0x40000000L);
        t.readLock();
        FolioWalk fw = new FolioWalk();
        FolioWalk.Folio folio = FolioWalk.folioWalkStart(fw, vma, 0x40000000L + 0x12345678, 0);
        assertNotNull(folio);
        assertEquals(head, folio.pfn());
        assertEquals(FolioWalk.Level.FW_LEVEL_PUD, fw.level);
        assertEquals(head + 0x12345, fw.page);
        assertTrue(fw.ptl().ptlHeld());
        FolioWalk.folioWalkEnd(fw, vma);
        assertFalse(fw.entry.table().ptlHeld());
    }

    // ---- 51 ----

    @Test
    void zeroPage_notFoundWithoutFwZeropage_foundWithIt_withNoPage() {
        TestMm t = mm();
        long zero = t.zeroPage(0x402000);
        t.readLock();
        VmArea vma = t.mm.findVma(0x400000);
        assertNotFound(t, vma, 0x402000, FW_MIGRATION);
        FolioWalk fw = new FolioWalk();
        FolioWalk.Folio folio = FolioWalk.folioWalkStart(fw, vma, 0x402000, FW_ZEROPAGE);
        assertNotNull(folio);
        assertEquals(zero, folio.pfn());
        assertEquals(-1, fw.page);
        assertEquals(FolioWalk.Level.FW_LEVEL_PTE, fw.level);
        FolioWalk.folioWalkEnd(fw, vma);
    }

    @Test
    void hugeZeroPmd_notFoundWithoutFwZeropage_foundWithIt_withNoPage() {
        TestMm t = mm();
        long hz = t.hugeZeroPage(0x600000);
        t.readLock();
        VmArea vma = t.mm.findVma(0x400000);
        assertNotFound(t, vma, 0x600000, FW_MIGRATION);
        FolioWalk fw = new FolioWalk();
        FolioWalk.Folio folio = FolioWalk.folioWalkStart(fw, vma, 0x601000, FW_ZEROPAGE);
        assertNotNull(folio);
        assertEquals(hz, folio.pfn());
        assertEquals(-1, fw.page);
        assertEquals(FolioWalk.Level.FW_LEVEL_PMD, fw.level);
        FolioWalk.folioWalkEnd(fw, vma);
    }

    // ---- 52 ----

    @Test
    void swapGuardUffdWpDeviceAndNoneEntries_areNeverFound() {
        TestMm t = mm();
        t.page(0x400000); // makes the PTE table
        long device = 0x123000;
        t.mm.memMap().setPage(device, 0, 1, 1);
        List<Long> entries = List.of(TestMm.swapPte(9), TestMm.guardMarker(), TestMm.uffdWpMarker(),
                TestMm.devicePrivatePte(device), 0L);
        for (int i = 0; i < entries.size(); i++) {
            t.pte(0x401000 + i * 0x1000L, entries.get(i));
        }
        t.readLock();
        VmArea vma = t.mm.findVma(0x400000);
        for (int i = 0; i < entries.size(); i++) {
            assertNotFound(t, vma, 0x401000 + i * 0x1000L, ALL);
        }
        // No PMD or PUD table at all.
        assertNotFound(t, vma, 0x600000, ALL);
        TestMm empty = mm();
        empty.readLock();
        assertNotFound(empty, empty.mm.findVma(0x400000), 0x400000, ALL);
    }

    @Test
    void pfnmapPte_hasNoNormalPage_andIsNotFound() {
        TestMm t = new TestMm();
        VmArea vma = t.pfnmap(0x400000, 0x402000);
        t.pte(0x400000, Pgtable.pfn_pte(0xfe000, TestMm.PROT_RW | Pgtable._PAGE_SPECIAL));
        t.readLock();
        assertNotFound(t, vma, 0x400000, ALL);
    }

    @Test
    void badP4dEntry_isClearedAndNotFound_5level() {
        TestMm t = new TestMm(PagingGeometry.X86_64_5LEVEL);
        VmArea vma = t.anon(0x400000, 0x800000);
        t.page(0x400000);
        var p4d = PageTables.entry(t.mm, 0x400000, io.pagewalk.runtime.pgtable.PagingGeometry.P4D, false);
        p4d.set(TestMm.swapPte(3)); // not present, not none: p4d_bad()
        t.readLock();
        assertNull(FolioWalk.folioWalkStart(new FolioWalk(), vma, 0x400000, ALL));
        assertEquals(0, p4d.get());
    }

    // ---- 53 ----

    @Test
    void pteMigrationEntry_foundOnlyWithFwMigration_withNoPage() {
        TestMm t = mm();
        long pfn = t.migrationPte(0x403000);
        t.readLock();
        VmArea vma = t.mm.findVma(0x400000);
        assertNotFound(t, vma, 0x403000, FW_ZEROPAGE);
        FolioWalk fw = new FolioWalk();
        FolioWalk.Folio folio = FolioWalk.folioWalkStart(fw, vma, 0x403000, FW_MIGRATION);
        assertNotNull(folio);
        assertEquals(pfn, folio.pfn());
        assertEquals(-1, fw.page);
        assertEquals(FolioWalk.Level.FW_LEVEL_PTE, fw.level);
        assertTrue(fw.ptl().ptlHeld());
        FolioWalk.folioWalkEnd(fw, vma);
        assertFalse(fw.entry.table().ptlHeld());
    }

    @Test
    void pmdMigrationEntry_foundOnlyWithFwMigration_atPmdLevel_withNoPage() {
        TestMm t = mm();
        long head = t.migrationPmd(0x600000);
        t.readLock();
        VmArea vma = t.mm.findVma(0x400000);
        assertNotFound(t, vma, 0x600000, FW_ZEROPAGE);
        FolioWalk fw = new FolioWalk();
        FolioWalk.Folio folio = FolioWalk.folioWalkStart(fw, vma, 0x654000, FW_MIGRATION);
        assertNotNull(folio);
        assertEquals(head, folio.pfn());
        assertEquals(-1, fw.page);
        assertEquals(FolioWalk.Level.FW_LEVEL_PMD, fw.level);
        FolioWalk.folioWalkEnd(fw, vma);
    }

    @Test
    void pudMigrationEntry_isNeverFound() {
        TestMm t = new TestMm();
        VmArea vma = t.anon(0x40000000L, 0x80000000L);
        t.mm.memMap().setFolio(0x4000000L, 18, 0, 0, 1);
        long entry = Swapops.swp_entry_to_pte(Swapops.make_migration_entry(Swapops.SWP_MIGRATION_READ, 0x4000000L));
        PageTables.set(t.mm, 0x40000000L, PUD, entry);
        assertFalse(Pgtable.pud_present(entry));
        t.readLock();
        assertNotFound(t, vma, 0x40000000L, ALL);
    }

    // ---- 54 (hugetlb) ----

    @Test
    void hugetlbVma_holdsTheHugetlbVmaLockFromStartToEnd_andReleasesItWhenNotFound() {
        TestMm t = new TestMm();
        VmArea vma = t.hugetlb(0x40000000L, 0x40400000L, PMD_SHIFT);
        long head = t.hugetlbPage(0x40000000L, PMD_SHIFT);
        t.readLock();
        FolioWalk fw = new FolioWalk();
        FolioWalk.Folio folio = FolioWalk.folioWalkStart(fw, vma, 0x40001000L, 0);
        assertNotNull(folio);
        assertEquals(head, folio.pfn());
        assertEquals(head + 1, fw.page);
        assertTrue(vma.hugetlbVmaLocked());
        FolioWalk.folioWalkEnd(fw, vma);
        assertFalse(vma.hugetlbVmaLocked());
        assertNull(FolioWalk.folioWalkStart(new FolioWalk(), vma, 0x40200000L, ALL));
        assertFalse(vma.hugetlbVmaLocked());
    }
}
