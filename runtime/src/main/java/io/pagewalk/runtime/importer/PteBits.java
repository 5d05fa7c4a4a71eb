package io.pagewalk.runtime.importer;

import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_ACCESSED;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_BIT_PKEY_BIT0;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_DIRTY;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_NX;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_PKEY_MASK;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_PRESENT;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_PROTNONE;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_RW;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_SOFT_DIRTY;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_SPECIAL;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_SWP_SOFT_DIRTY;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_SWP_UFFD_WP;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_UFFD_WP;
import static io.pagewalk.runtime.pgtable.Pgtable._PAGE_USER;

import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.procfs.PagemapEntry;

/**
 * The x86 bits an imported entry gets. Userspace sees the PFN, present/swapped, soft-dirty,
 * uffd-wp and whether the page is exclusive, but not the hardware's RW, dirty and accessed bits
 * as they are; they are rebuilt by the kernel's own rules from what is visible:
 *
 * <ul>
 * <li><b>Present</b>: PRESENT | USER, NX unless VM_EXEC, the VMA's protection key. A VMA with
 *     none of read/write/exec gets the kernel's PAGE_NONE instead: PROTNONE (the global bit, no
 *     PRESENT; {@code pfn_pte} then stores the PFN inverted), no USER, no NX, as {@code
 *     mprotect(PROT_NONE)} leaves it (accessed, dirty and the software bits are kept).</li>
 * <li><b>RW</b> only if the VMA has VM_WRITE, the page is not the zero page, not a special
 *     (raw PFN) mapping, not uffd-wp protected, and: in a private VMA the page is anonymous
 *     (pagemap bit 61 clear) and exclusive (bit 56), since a page-cache page or a page shared
 *     after fork would be copied on the next write; in a shared VMA the file is shmem (no write
 *     notification) or the page is dirty (a clean page of a regular file is write-protected for
 *     dirty tracking), or page flags are unknown.</li>
 * <li><b>Dirty</b>: anonymous pages except lazily freed ones (MADV_FREE clears the PTE dirty bit
 *     and PG_swapbacked: {@code KPF_ANON} without {@code KPF_SWAPBACKED}), as a write fault or a
 *     COW makes them; other pages when {@code KPF_DIRTY}, except page-cache pages in private VMAs
 *     (mapped read-only, never written through this PTE). Without page flags: anonymous pages.</li>
 * <li><b>Accessed</b>: every present page except lazily freed ones (MADV_FREE makes the PTE old);
 *     the real bit is not exported (idle-page tracking would be destructive).</li>
 * <li><b>Special</b>: the zero page, and pages of VM_PFNMAP/VM_MIXEDMAP VMAs that pagemap shows
 *     with neither the file nor the exclusive bit ({@code vm_normal_page()} gave no page).</li>
 * <li><b>Soft-dirty and uffd-wp</b>: from pagemap bits 55 and 57.</li>
 * <li><b>Swapped</b> (bit 62): a PTE marker when the swap type is the marker type (31 here) or the
 *     guard bit (58) is set; otherwise the swap entry of the type and offset pagemap shows (a
 *     migration entry keeps its PFN as offset), with the swap soft-dirty and uffd-wp bits. The
 *     swap-exclusive bit is not visible and stays clear. With PFNs hidden the type and offset are
 *     unknown and written as 0.</li>
 * </ul>
 */
final class PteBits {
    private PteBits() {}

    /** Protection bits of a present page (no PFN): the {@code prot} of {@code pfn_pte}/{@code pfn_pmd}. */
    static long present(VmArea vma, boolean shmemVma, long pm, long pageFlags, boolean flagsKnown, boolean zero) {
        boolean file = PagemapEntry.fileOrSharedAnon(pm);
        boolean exclusive = PagemapEntry.exclusive(pm);
        boolean special = zero || (vma.test(VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP) && !file && !exclusive);
        boolean anon = !file && !special;
        boolean lazyfree = flagsKnown && anon && (pageFlags & PageFlags.ANON) != 0
                && (pageFlags & PageFlags.SWAPBACKED) == 0;
        boolean shared = vma.test(VmFlags.VM_SHARED);
        boolean dirty;
        if (special) {
            dirty = false;
        } else if (anon) {
            dirty = !lazyfree || (pageFlags & PageFlags.DIRTY) != 0;
        } else {
            dirty = shared && flagsKnown && (pageFlags & PageFlags.DIRTY) != 0;
        }
        boolean uffdWp = PagemapEntry.uffdWriteProtected(pm);
        boolean rw = vma.test(VmFlags.VM_WRITE) && !special && !uffdWp
                && (shared ? shmemVma || dirty || !flagsKnown : anon && exclusive);

        long prot = (lazyfree ? 0 : _PAGE_ACCESSED) | (dirty ? _PAGE_DIRTY : 0) | (special ? _PAGE_SPECIAL : 0)
                | (PagemapEntry.softDirty(pm) ? _PAGE_SOFT_DIRTY : 0) | (uffdWp ? _PAGE_UFFD_WP : 0)
                | pkeyBits(vma);
        if (!vma.test(VmFlags.VM_ACCESS_FLAGS)) {
            return prot | _PAGE_PROTNONE;
        }
        return prot | _PAGE_PRESENT | _PAGE_USER | (rw ? _PAGE_RW : 0) | (vma.test(VmFlags.VM_EXEC) ? 0 : _PAGE_NX);
    }

    private static long pkeyBits(VmArea vma) {
        long key = (vma.flags() & VmFlags.VM_PKEY_MASK) >>> Long.numberOfTrailingZeros(VmFlags.VM_PKEY_BIT0);
        return (key << _PAGE_BIT_PKEY_BIT0) & _PAGE_PKEY_MASK;
    }

    /** The non-present entry for a swapped pagemap entry (bit 62). */
    static long swapped(long pm, boolean pfnsKnown) {
        int type = pfnsKnown ? PagemapEntry.swapType(pm) : -1;
        if (type == Swapops.SWP_PTE_MARKER) {
            return Swapops.make_pte_marker(PagemapEntry.swapOffset(pm));
        }
        if (PagemapEntry.guard(pm)) {
            return Swapops.make_pte_marker(Swapops.PTE_MARKER_GUARD);
        }
        long entry = pfnsKnown ? Swapops.swp_entry(type, PagemapEntry.swapOffset(pm)) : Swapops.swp_entry(0, 0);
        return Swapops.swp_entry_to_pte(entry)
                | (PagemapEntry.softDirty(pm) ? _PAGE_SWP_SOFT_DIRTY : 0)
                | (PagemapEntry.uffdWriteProtected(pm) ? _PAGE_SWP_UFFD_WP : 0);
    }
}
