package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.pgtable.Pgtable.*;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.mm.HugeSplit;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PagingGeometry;

/** Entry lookup and the protection bits x86 derives from {@code vm_flags} ({@code vm_get_page_prot}). */
final class Ptes {
    private Ptes() {}

    /** The PMD slot for {@code addr}; null when a table above it is missing and not allocated. */
    static EntryPointer pmd(MmStruct mm, long addr, boolean allocate) {
        return PageTables.entry(mm, addr, PagingGeometry.PMD, allocate);
    }

    /**
     * The PTE slot for {@code addr}: null when the PMD is a leaf, or when the PTE table is missing
     * and not to be allocated.
     */
    static EntryPointer pte(MmStruct mm, long addr, boolean allocate) {
        EntryPointer pmd = pmd(mm, addr, allocate);
        if (pmd == null || pmd_leaf(pmd.get()) || (!allocate && pmd.lowerTable() == null)) {
            return null;
        }
        return PageTables.entry(mm, addr, PagingGeometry.PTE, allocate);
    }

    /**
     * {@code vm_page_prot}: PROT_NONE is PROTNONE|ACCESSED; otherwise present, user, accessed, NX
     * unless executable, and RW only for shared writable mappings that need no write notification
     * (private mappings get RW per page, when the fault knows the page is theirs; shared file
     * mappings start read-only so the first write dirties the page, as {@code vma_wants_writenotify}).
     */
    static long pageProt(VmArea vma) {
        long f = vma.flags();
        if ((f & VmFlags.VM_ACCESS_FLAGS) == 0) {
            return _PAGE_PROTNONE | _PAGE_ACCESSED;
        }
        long p = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
        if ((f & VmFlags.VM_EXEC) == 0) {
            p |= _PAGE_NX;
        }
        boolean writenotify = vma.file() != null && !vma.file().isShmem() && !vma.isHugetlb();
        if ((f & VmFlags.VM_WRITE) != 0 && (f & VmFlags.VM_SHARED) != 0 && !writenotify) {
            p |= _PAGE_RW;
        }
        return p;
    }

    /** {@code maybe_mkwrite(pte_mkdirty(prot))}: writable and dirty when the VMA allows writes. */
    static long writable(VmArea vma, long prot) {
        return vma.test(VmFlags.VM_WRITE) && (prot & _PAGE_PRESENT) != 0 ? prot | _PAGE_RW | _PAGE_DIRTY : prot;
    }

    /** The protection bits of a present or PROT_NONE entry, without its PFN. */
    static long protOf(long pte) {
        return pte & ~PTE_PFN_MASK;
    }

    /**
     * {@code split_huge_pmd()} with the accounting the model's split leaves to its caller: each
     * of the 512 PTEs holds a folio reference, and a dirty PMD dirties the folio.
     */
    static void splitPmd(Machine machine, VmArea vma, EntryPointer pmdp, long addr) {
        long pmd = pmdp.get();
        if (!pmd_present(pmd) || !pmd_leaf(pmd)) {
            return;
        }
        long pfn = pmd_pfn(pmd);
        boolean normal = !machine.memMap.is_huge_zero_pfn(pfn) && machine.memMap.pfnValid(pfn);
        boolean anon = normal && vma.isAnonymous();
        HugeSplit.split_huge_pmd(vma, pmdp, addr);
        if (anon) {
            machine.memMap.addRefcount(pfn, PagingGeometry.HPAGE_PMD_NR - 1);
            if (pmd_dirty(pmd)) {
                machine.memMap.folioSetFlag(pfn, PageFlags.DIRTY);
            }
        }
    }

    /** Splits a huge PMD that straddles {@code addr} (a VMA boundary that is not PMD-aligned). */
    static void splitPmdAt(Machine machine, VmArea vma, long addr) {
        if ((addr & ~PagingGeometry.PMD_MASK) == 0 || vma.isHugetlb()) {
            return;
        }
        EntryPointer pmdp = pmd(vma.mm(), addr, false);
        if (pmdp != null && pmd_leaf(pmdp.get())) {
            splitPmd(machine, vma, pmdp, addr & PagingGeometry.PMD_MASK);
        }
    }
}
