package io.pagewalk.dsl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.testing.TestMm;
import io.pagewalk.runtime.thp.ThpPolicy;
import io.pagewalk.runtime.thp.ThpSettings;
import org.junit.jupiter.api.Test;

/** The helpers added for the reference plugins: thp_eligible, folio_clear_referenced, zap, vm_flags. */
class PluginHelpersTest {
    private static final long A = 0x7f0000000000L;
    private static final ScriptSession.Options WRITE = ScriptSession.Options.defaults().withAllowWrite(true);

    @Test
    void thpEligibleIsThePolicysAnswerAndUnknownWithoutSettings() {
        TestMm t = new TestMm();
        VmArea plain = t.anon(A, A + (4L << 20));
        VmArea madvised = t.vma(A + (8L << 20), A + (12L << 20), TestMm.RW_ANON | VmFlags.VM_HUGEPAGE);
        String script = "thp_eligible(find_vma(mm, " + A + ")) + ',' + thp_eligible(find_vma(mm, " + (A + (8L << 20)) + "))";
        assertEquals("-1,-1", Scripts.run(t.mm, script), "no settings known: no guess");
        t.mm.setThpSettings(ThpSettings.madviseDefaults());
        String expected = ThpPolicy.smapsEligible(plain, t.mm.thpSettings(), false) + ","
                + ThpPolicy.smapsEligible(madvised, t.mm.thpSettings(), false);
        assertEquals("0,1", expected, "madvise mode: only the MADV_HUGEPAGE VMA");
        assertEquals(expected, Scripts.run(t.mm, script));
        t.mm.setThpDisabled(true);
        assertEquals("0,0", Scripts.run(t.mm, script), "prctl(PR_SET_THP_DISABLE)");
    }

    @Test
    void folioClearReferencedClearsTheFolioFlagAndNeedsWrite() {
        TestMm t = new TestMm();
        t.anon(A, A + (4L << 20));
        long head = t.thp(A + (2L << 20));
        t.mm.memMap().folioSetFlag(head, PageFlags.REFERENCED);
        String script = "folio_clear_referenced(page_folio(" + (head + 5) + ")); folio_test_referenced(page_folio(" + head + "))";
        assertThrows(ScriptException.class, () -> Scripts.run(t.mm, script));
        assertTrue(t.mm.memMap().test(head, PageFlags.REFERENCED));
        assertEquals("false", Scripts.run(t.mm, WRITE, "t.js", script));
        assertTrue(!t.mm.memMap().test(head, PageFlags.REFERENCED));
    }

    @Test
    void zapUnmapsPagesAndDropsTheirMapcountButKeepsMarkers() {
        TestMm t = new TestMm();
        t.anon(A, A + (4L << 20));
        long p0 = t.page(A);
        long p1 = t.page(A + 0x1000);
        t.pte(A + 0x2000, TestMm.guardMarker());
        long thp = t.thp(A + (2L << 20));
        Scripts.run(t.mm, WRITE, "t.js", "zap_page_range_single(find_vma(mm, " + A + "), " + A + ", 0x3000);"
                + "zap_page_range_single(find_vma(mm, " + A + "), " + (A + (2L << 20)) + ", " + (2L << 20) + ")");
        assertEquals(0, t.get(A, PagingGeometry.PTE));
        assertEquals(0, t.get(A + 0x1000, PagingGeometry.PTE));
        assertEquals(TestMm.guardMarker(), t.get(A + 0x2000, PagingGeometry.PTE));
        assertEquals(0, t.mm.memMap().mapcount(p0));
        assertEquals(0, t.mm.memMap().mapcount(p1));
        assertEquals(0, t.get(A + (2L << 20), PagingGeometry.PMD), "a THP wholly inside: the PMD is cleared");
        assertEquals(0, t.mm.memMap().folioMapcount(thp));
    }

    @Test
    void zapOfPartOfATHPSplitsItFirst() {
        TestMm t = new TestMm();
        t.anon(A, A + (4L << 20));
        long thp = t.thp(A + (2L << 20));
        Scripts.run(t.mm, WRITE, "t.js", "zap_page_range_single(find_vma(mm, " + A + "), " + (A + (2L << 20) + 0x3000) + ", 0x1000)");
        assertEquals(0, t.get(A + (2L << 20) + 0x3000, PagingGeometry.PTE));
        assertEquals(thp + 4, Pgtable.pte_pfn(t.get(A + (2L << 20) + 0x4000, PagingGeometry.PTE)));
        assertEquals(511, t.mm.memMap().folioMapcount(thp));
    }

    @Test
    void vmFlagsSetChangesTheVmaAndReturnsItsNewObject() {
        TestMm t = new TestMm();
        VmArea vma = t.anon(A, A + 0x10000);
        String script = "const v = vm_flags_set(find_vma(mm, " + A + "), VM_MAYBE_GUARD);"
                + "((v.vm_flags & VM_MAYBE_GUARD) !== 0n) + ',' + ((find_vma(mm, " + A + ").vm_flags & VM_MAYBE_GUARD) !== 0n)";
        assertThrows(ScriptException.class, () -> Scripts.run(t.mm, script));
        assertEquals("true,true", Scripts.run(t.mm, WRITE, "t.js", script));
        assertTrue(vma.test(VmFlags.VM_MAYBE_GUARD));
        Scripts.run(t.mm, WRITE, "t.js", "vm_flags_clear(find_vma(mm, " + A + "), VM_MAYBE_GUARD)");
        assertTrue(!vma.test(VmFlags.VM_MAYBE_GUARD));
    }

    @Test
    void swapEntryBitTestsAreReachable() {
        TestMm t = new TestMm();
        long swp = TestMm.swapPte(5);
        assertEquals("true,false", Scripts.run(t.mm, "pte_swp_soft_dirty(" + Long.toUnsignedString(swp | Pgtable._PAGE_SWP_SOFT_DIRTY)
                + "n) + ',' + pte_swp_soft_dirty(" + Long.toUnsignedString(swp) + "n)"));
        assertEquals("false", Scripts.run(t.mm, "pte_swp_uffd_wp(" + Long.toUnsignedString(swp) + "n) || pte_swp_exclusive("
                + Long.toUnsignedString(swp) + "n)"));
    }

    @Test
    void makePteMarkerIsTheRuntimesMarkerPte() {
        assertEquals(Long.toUnsignedString(TestMm.guardMarker()) + ",true",
                Scripts.run(new TestMm().mm, "const m = make_pte_marker(PTE_MARKER_GUARD); m + ',' + is_guard_pte_marker(m)"));
    }
}
