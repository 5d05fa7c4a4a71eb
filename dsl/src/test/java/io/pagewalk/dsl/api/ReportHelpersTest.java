package io.pagewalk.dsl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.testing.TestMm;
import io.pagewalk.runtime.thp.ThpPolicy;
import io.pagewalk.runtime.thp.ThpSettings;
import org.junit.jupiter.api.Test;

/**
 * The helpers the report plugins (smaps, pagemap, pagemap_scan, mincore) need beyond the walk:
 * each gives what the runtime says for the same model.
 */
class ReportHelpersTest {
    @Test
    void gateVmaPageSizesAndVmFlagsAreTheRuntimes() {
        TestMm t = new TestMm();
        t.anon(0x10000, 0x20000);
        t.hugetlb(0x40000000L, 0x40400000L, 21);
        String none = Scripts.run(t.mm, "String(get_gate_vma(mm))");
        assertEquals("null", none);
        t.mm.setGateVma(0xffffffffff600000L, 0xffffffffff601000L, VmFlags.VM_READ | VmFlags.VM_EXEC, "[vsyscall]");
        String out = Scripts.run(t.mm, """
                const g = get_gate_vma(mm);
                const [a, h] = mm.vmas;
                [g.vm_start.toString(16), g.name, vma_kernel_pagesize(a), vma_mmu_pagesize(h),
                 show_smap_vma_flags(a), show_smap_vma_flags(g)].join('|');
                """);
        assertEquals("ffffffffff600000|[vsyscall]|4096|2097152|" + VmFlags.toSmapsString(t.mm.vmas().getFirst().flags())
                + "|" + VmFlags.toSmapsString(VmFlags.VM_READ | VmFlags.VM_EXEC), out);
    }

    @Test
    void thpEligibleIsThePolicysAnswerAndMinusOneWithoutSettings() {
        TestMm t = new TestMm();
        VmArea aligned = t.vma(0x200000, 0x600000, TestMm.RW_ANON | VmFlags.VM_HUGEPAGE);
        VmArea small = t.anon(0x800000, 0x801000);
        assertEquals("-1 -1", Scripts.run(t.mm, "mm.vmas.map(thp_eligible).join(' ')"));
        t.mm.setThpSettings(ThpSettings.madviseDefaults());
        String expected = ThpPolicy.smapsEligible(aligned, t.mm.thpSettings(), false) + " "
                + ThpPolicy.smapsEligible(small, t.mm.thpSettings(), false);
        assertEquals("1 0", expected, "the policy itself: madvised and aligned, and too small");
        assertEquals(expected, Scripts.run(t.mm, "mm.vmas.map(thp_eligible).join(' ')"));
    }

    @Test
    void fileDevicesAndThePageCache() {
        TestMm t = new TestMm();
        AddressSpace f = new AddressSpace("/lib/x.so", AddressSpace.mkdev(259, 70001), 1234, false);
        t.file(0x10000, 0x14000, VmFlags.VM_READ | VmFlags.VM_MAYREAD, f, 3);
        f.pageCache().put(4L, 0x777L);
        String out = Scripts.run(t.mm, """
                const v = mm.vmas[0];
                const d = file_dev(v.vm_file);
                [MAJOR(d), MINOR(d), v.vm_file.inode, mincore_page(v.vm_file, 3), mincore_page(v.vm_file, 4)].join(' ');
                """);
        assertEquals("259 70001 1234 false true", out);
    }

    @Test
    void hugeZeroPmdAndSwapPteBits() {
        TestMm t = new TestMm();
        t.anon(0x200000, 0x800000);
        t.hugeZeroPage(0x200000);
        t.thp(0x400000);
        long zero = PageTables.get(t.mm, 0x200000, PagingGeometry.PMD);
        long thp = PageTables.get(t.mm, 0x400000, PagingGeometry.PMD);
        long swp = Swapops.swp_entry_to_pte(Swapops.swp_entry(1, 0x99)) | Pgtable._PAGE_SWP_SOFT_DIRTY;
        long wp = Swapops.swp_entry_to_pte(Swapops.swp_entry(1, 0x99)) | Pgtable._PAGE_SWP_UFFD_WP;
        String out = Scripts.run(t.mm, "[is_huge_zero_pmd(" + Long.toUnsignedString(zero) + "n), is_huge_zero_pmd("
                + Long.toUnsignedString(thp) + "n), pte_swp_soft_dirty(" + Long.toUnsignedString(swp) + "n), pte_swp_uffd_wp("
                + Long.toUnsignedString(swp) + "n), pte_swp_uffd_wp(" + Long.toUnsignedString(wp) + "n)].join(' ')");
        assertEquals("true false " + Pgtable.pte_swp_soft_dirty(swp) + " " + Pgtable.pte_swp_uffd_wp(swp) + " "
                + Pgtable.pte_swp_uffd_wp(wp), out);
        assertEquals("true false true false true", out);
    }
}
