package io.pagewalk.runtime.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.procfs.PagemapEntry;
import org.junit.jupiter.api.Test;

/** The documented rule for bits userspace cannot see, on synthetic pagemap entries. */
class PteBitsTest {
    private static final long RW_PRIVATE = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE;
    private static final long ANON = PageFlags.ANON | PageFlags.SWAPBACKED | PageFlags.MMAP | PageFlags.UPTODATE;
    private static final long PRESENT = PagemapEntry.PM_PRESENT | 0x1234;

    private final MmStruct mm = new MmStruct(PagingGeometry.X86_64_4LEVEL, new MemMap());

    private VmArea vma(long flags, AddressSpace file) {
        long start = 0x10000000L + mm.mapCount() * 0x100000L;
        return mm.insertVma(start, start + 0x10000, flags, 0, file, "");
    }

    @Test
    void exclusiveAnonPageInWritablePrivateVmaIsWritableDirtyYoungNx() {
        long prot = PteBits.present(vma(RW_PRIVATE, null), false, PRESENT | PagemapEntry.PM_MMAP_EXCLUSIVE, ANON, true, false);
        long pte = Pgtable.pfn_pte(0x1234, prot);
        assertTrue(Pgtable.pte_present(pte) && Pgtable.pte_write(pte) && Pgtable.pte_dirty(pte) && Pgtable.pte_young(pte));
        assertFalse(Pgtable.pte_exec(pte));
        assertEquals(0x1234, Pgtable.pte_pfn(pte));
    }

    @Test
    void sharedAnonPageIsCopyOnWrite() {
        long prot = PteBits.present(vma(RW_PRIVATE, null), false, PRESENT, ANON, true, false);
        assertFalse(Pgtable.pte_write(prot));
        assertTrue(Pgtable.pte_dirty(prot));
    }

    @Test
    void pageCachePageInPrivateVmaIsReadOnlyAndClean() {
        AddressSpace f = new AddressSpace("/f", 0, 7, false);
        long prot = PteBits.present(vma(RW_PRIVATE, f), false, PRESENT | PagemapEntry.PM_FILE | PagemapEntry.PM_MMAP_EXCLUSIVE,
                PageFlags.MMAP | PageFlags.UPTODATE | PageFlags.DIRTY, true, false);
        assertFalse(Pgtable.pte_write(prot) || Pgtable.pte_dirty(prot));
    }

    @Test
    void sharedFilePageIsWritableOnlyOnceDirtyUnlessShmem() {
        AddressSpace f = new AddressSpace("/f", 0, 8, false);
        VmArea shared = vma(RW_PRIVATE | VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE, f);
        long pm = PRESENT | PagemapEntry.PM_FILE;
        assertFalse(Pgtable.pte_write(PteBits.present(shared, false, pm, PageFlags.UPTODATE, true, false)));
        assertTrue(Pgtable.pte_write(PteBits.present(shared, false, pm, PageFlags.UPTODATE | PageFlags.DIRTY, true, false)));
        assertTrue(Pgtable.pte_write(PteBits.present(shared, true, pm, PageFlags.UPTODATE, true, false)));
    }

    @Test
    void lazyFreePageIsCleanAndOld() {
        long prot = PteBits.present(vma(RW_PRIVATE, null), false, PRESENT | PagemapEntry.PM_MMAP_EXCLUSIVE,
                PageFlags.ANON | PageFlags.MMAP, true, false);
        assertFalse(Pgtable.pte_dirty(prot) || Pgtable.pte_young(prot));
    }

    @Test
    void zeroPageIsSpecialAndReadOnly() {
        long prot = PteBits.present(vma(RW_PRIVATE, null), false, PRESENT, PageFlags.ZERO_PAGE, true, true);
        assertTrue(Pgtable.pte_special(prot));
        assertFalse(Pgtable.pte_write(prot) || Pgtable.pte_dirty(prot));
    }

    @Test
    void protNoneVmaGetsPageNoneWithTheInvertedPfn() {
        long prot = PteBits.present(vma(VmFlags.VM_MAYREAD, null), false, PRESENT | PagemapEntry.PM_MMAP_EXCLUSIVE, ANON, true, false);
        long pte = Pgtable.pfn_pte(0x1234, prot);
        assertTrue(Pgtable.pte_protnone(pte) && Pgtable.pte_present(pte));
        assertEquals(0x1234, Pgtable.pte_pfn(pte));
        assertFalse(Pgtable.pte_write(pte));
    }

    @Test
    void uffdWpAndSoftDirtyBitsComeFromPagemap() {
        long pm = PRESENT | PagemapEntry.PM_MMAP_EXCLUSIVE | PagemapEntry.PM_UFFD_WP | PagemapEntry.PM_SOFT_DIRTY;
        long prot = PteBits.present(vma(RW_PRIVATE | VmFlags.VM_UFFD_WP, null), false, pm, ANON, true, false);
        assertTrue(Pgtable.pte_uffd_wp(prot) && Pgtable.pte_soft_dirty(prot));
        assertFalse(Pgtable.pte_write(prot), "uffd-wp protected");
    }

    @Test
    void protectionKeyOfTheVma() {
        long prot = PteBits.present(vma(RW_PRIVATE | VmFlags.VM_PKEY_BIT0 | VmFlags.VM_PKEY_BIT2, null), false,
                PRESENT | PagemapEntry.PM_MMAP_EXCLUSIVE, ANON, true, false);
        assertEquals(5, Pgtable.pte_pkey(prot));
    }

    private static long swapPm(int type, long offset, long extra) {
        return PagemapEntry.PM_SWAP | ((offset << PagemapEntry.SWAP_TYPE_BITS) | type) | extra;
    }

    @Test
    void swapEntryKeepsTypeOffsetAndSoftwareBits() {
        long pte = PteBits.swapped(swapPm(1, 0x4321, PagemapEntry.PM_UFFD_WP), true);
        assertTrue(Pgtable.is_swap_pte(pte));
        long entry = Swapops.pte_to_swp_entry(pte);
        assertEquals(1, Swapops.swp_type(entry));
        assertEquals(0x4321, Swapops.swp_offset(entry));
        assertTrue(Pgtable.pte_swp_uffd_wp(pte));
        assertFalse(Pgtable.pte_swp_exclusive(pte));
    }

    @Test
    void markersFromTheMarkerTypeOrTheGuardBit() {
        long guard = 0x440000000000009fL; // observed on 6.18.44: swap + guard, type 31, offset 4
        assertTrue(Swapops.is_guard_pte_marker(PteBits.swapped(guard, true)));
        assertTrue(Swapops.is_guard_pte_marker(PteBits.swapped(guard & ~PagemapEntry.PM_PFN_MASK, false)),
                "bit 58 alone is enough when PFNs are hidden");
        long uffd = 0x420000000000003fL; // swap + uffd-wp, type 31, offset 1
        assertTrue(Swapops.is_uffd_wp_pte_marker(PteBits.swapped(uffd, true)));
    }
}
