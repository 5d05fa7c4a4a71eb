package io.pagewalk.plugins;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.testing.TestMm;

/**
 * A model with the entries no system call of the synthetic process makes: soft-dirty and uffd-wp
 * bits (on PTEs, swap entries and a huge PMD), VM_SOFTDIRTY, migration entries (PTE and PMD),
 * device-private entries, uffd-wp markers, swap offsets up to 2^40, the huge zero page, an mTHP
 * mapped by PTEs, a page mapped twice, PROT_NONE, a PFN map, a page-cache THP and page-cache pages
 * no PTE maps, and an empty PTE table. The plugins' rarely taken paths (the BigInt arithmetic of
 * pagemap's swap frames, page_types' raw flags) run here.
 */
final class EdgeModel {
    private EdgeModel() {}

    private static final long ANON = PageFlags.ANON | PageFlags.SWAPBACKED | PageFlags.MMAP | PageFlags.UPTODATE
            | PageFlags.LRU;
    private static final long PAGE = 4096;
    private static final long MB = 1L << 20;

    static MmStruct build(PagingGeometry g) {
        TestMm t = new TestMm(g);
        MmStruct mm = t.mm;
        MemMap mem = mm.memMap();
        mem.setZeroPfn(0x3b34);
        long a = 0x7f00_0000_0000L;
        if (g == PagingGeometry.X86_64_5LEVEL) {
            // Below 2^47 a VMA mincore reaches (it checks 4-level's TASK_SIZE); the rest up high.
            t.anon(a, a + 16 * PAGE);
            t.page(a + PAGE);
            a = 0x0010_0000_0000_0000L;
        }

        t.vma(a, a + 16 * MB, TestMm.RW_ANON | VmFlags.VM_UFFD_WP);
        for (int i = 0; i < 8; i++) {
            t.page(a + i * PAGE);
        }
        t.pte(a + PAGE, t.get(a + PAGE, PagingGeometry.PTE) | Pgtable._PAGE_SOFT_DIRTY);
        t.pte(a + 2 * PAGE, t.get(a + 2 * PAGE, PagingGeometry.PTE) | Pgtable._PAGE_UFFD_WP);
        t.pte(a + 3 * PAGE, t.get(a + 3 * PAGE, PagingGeometry.PTE) & ~(Pgtable._PAGE_ACCESSED | Pgtable._PAGE_RW));
        mem.setPage(Pgtable.pte_pfn(t.get(a + 4 * PAGE, PagingGeometry.PTE)), ANON | PageFlags.REFERENCED, 2, 2);
        mem.setPage(Pgtable.pte_pfn(t.get(a + 5 * PAGE, PagingGeometry.PTE)), ANON | PageFlags.ACTIVE | PageFlags.DIRTY, 1, 1);
        t.pte(a + 8 * PAGE, TestMm.swapPte(0x12345));
        t.pte(a + 9 * PAGE, TestMm.swapPte(1L << 40) | Pgtable._PAGE_SWP_SOFT_DIRTY);
        t.pte(a + 10 * PAGE, Swapops.swp_entry_to_pte(Swapops.swp_entry(3, 0x777)) | Pgtable._PAGE_SWP_UFFD_WP);
        t.migrationPte(a + 11 * PAGE);
        t.pte(a + 12 * PAGE, TestMm.devicePrivatePte(0x5000));
        t.pte(a + 13 * PAGE, TestMm.guardMarker());
        t.pte(a + 14 * PAGE, TestMm.uffdWpMarker());
        t.zeroPage(a + 15 * PAGE);
        long pn = t.page(a + 16 * PAGE);
        t.pte(a + 16 * PAGE, Pgtable.pfn_pte(pn, Pgtable._PAGE_PROTNONE | Pgtable._PAGE_ACCESSED));
        t.thp(a + 2 * MB);
        t.migrationPmd(a + 4 * MB);
        t.hugeZeroPage(a + 6 * MB);
        t.thp(a + 8 * MB);
        PageTables.set(mm, a + 8 * MB, PagingGeometry.PMD, t.get(a + 8 * MB, PagingGeometry.PMD) | Pgtable._PAGE_SOFT_DIRTY);
        // An order-4 folio (mTHP) mapped by 16 PTEs, one of them zapped.
        long mthp = 0x200010;
        mem.setFolio(mthp, 4, ANON | PageFlags.THP, 1, 1);
        for (int i = 1; i < 16; i++) {
            t.pte(a + 10 * MB + i * PAGE, Pgtable.pfn_pte(mthp + i, TestMm.PROT_RW));
        }
        PageTables.entry(mm, a + 12 * MB, PagingGeometry.PTE, true); // an empty PTE table

        t.vma(a + 32 * MB, a + 34 * MB, TestMm.RW_ANON | VmFlags.VM_SOFTDIRTY);
        t.page(a + 32 * MB + 5 * PAGE);
        t.pte(a + 32 * MB + 6 * PAGE, TestMm.swapPte(0x99));

        t.pfnmap(a + 40 * MB, a + 40 * MB + 16 * PAGE);
        for (int i = 0; i < 4; i++) {
            t.pte(a + 40 * MB + i * PAGE, Pgtable.pfn_pte(0xfe000 + i, TestMm.PROT_RW | Pgtable._PAGE_SPECIAL));
        }

        t.hugetlb(a + 64 * MB, a + 68 * MB, PagingGeometry.PMD_SHIFT);
        t.hugetlbPage(a + 64 * MB, PagingGeometry.PMD_SHIFT);

        AddressSpace file = new AddressSpace("/data/edge", AddressSpace.mkdev(8, 1), 4242, false);
        t.file(a + 80 * MB, a + 84 * MB, VmFlags.VM_READ | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE, file, 0);
        long head = t.fileThp(a + 80 * MB, file, 0);
        file.pageCache().put(0L, head);
        for (int i = 0; i < 12; i++) {
            long pfn = 0x300000 + i;
            mem.setPage(pfn, PageFlags.MMAP | PageFlags.UPTODATE | PageFlags.LRU | (i % 3 == 0 ? PageFlags.DIRTY : 0),
                    i < 6 ? 1 : 0, 1);
            mem.setMapping(pfn, file, 512 + i);
            file.pageCache().put(512L + i, pfn);
            if (i < 6) {
                t.pte(a + 82 * MB + i * PAGE, Pgtable.pfn_pte(pfn, Pgtable._PAGE_PRESENT | Pgtable._PAGE_USER
                        | Pgtable._PAGE_ACCESSED));
            }
        }
        return mm;
    }
}
