package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.pgtable.Pgtable.*;

import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.Memory;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;

/**
 * {@code change_protection()}: rewrites the present entries of a range for the VMA's new
 * {@code vm_page_prot}. PROT_NONE keeps them present (PROTNONE, PFN inverted); swap entries and
 * markers are left alone. A private page becomes writable again only while it is exclusively
 * ours ({@code can_change_pte_writable}); otherwise the next write faults.
 */
final class ChangeProtection {
    /** The bits {@code pte_modify()} keeps from the old entry ({@code _PAGE_CHG_MASK} minus the PFN). */
    private static final long KEEP = _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SPECIAL | _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP
            | _PAGE_PWT | _PAGE_PCD;

    private ChangeProtection() {}

    static void range(SyntheticProcess proc, VmArea vma, long start, long end) {
        MemMap mem = proc.memMap();
        Machine machine = proc.machine();
        long prot = Ptes.pageProt(vma);
        PagingGeometry g = vma.mm().geometry();
        long addr = start;
        while (Long.compareUnsigned(addr, end) < 0) {
            long next = g.addrEnd(PagingGeometry.PMD, addr, end);
            EntryPointer pmdp = Ptes.pmd(vma.mm(), addr, false);
            if (pmdp != null && pmd_present(pmdp.get()) && pmd_leaf(pmdp.get())) {
                if (next - addr == PagingGeometry.PMD_SIZE) {
                    long pmd = pmdp.get();
                    long head = pmd_pfn(pmd);
                    long bits = prot | (pmd & KEEP);
                    if (writable(vma, machine, head, pmd)) {
                        bits |= _PAGE_RW;
                    }
                    pmdp.set(pfn_pmd(head, bits));
                    addr = next;
                    continue;
                }
                Ptes.splitPmd(proc.machine(), vma, pmdp, addr & PagingGeometry.PMD_MASK);
            }
            PageTable table = pmdp == null ? null : pmdp.lowerTable();
            if (table != null) {
                for (long a = addr; a != next; a += PagingGeometry.PAGE_SIZE) {
                    int i = g.index(PagingGeometry.PTE, a);
                    long pte = table.get(i);
                    if (!pte_present(pte)) {
                        continue;
                    }
                    long pfn = pte_pfn(pte);
                    long bits = prot | (pte & KEEP);
                    if (Memory.vm_normal_page(vma, a, pte) >= 0 && writable(vma, machine, pfn, pte)) {
                        bits |= _PAGE_RW;
                    }
                    table.set(i, pfn_pte(pfn, bits));
                }
            }
            addr = next;
        }
    }

    /** Whether the entry may be writable right away under the new flags. */
    private static boolean writable(VmArea vma, Machine machine, long pfn, long entry) {
        if (!vma.test(VmFlags.VM_WRITE)) {
            return false;
        }
        if (vma.test(VmFlags.VM_SHARED)) {
            return (Ptes.pageProt(vma) & _PAGE_RW) != 0 || (entry & _PAGE_DIRTY) != 0;
        }
        return machine.memMap.test(pfn, PageFlags.ANON) && machine.anonExclusive(pfn);
    }
}
