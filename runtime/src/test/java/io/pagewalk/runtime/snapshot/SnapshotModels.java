package io.pagewalk.runtime.snapshot;

import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PUD;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmOrigin;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.testing.TestMm;
import io.pagewalk.runtime.thp.ThpSettings;
import java.util.Map;
import java.util.Random;

/** Models for snapshot tests: one with every kind of thing a model holds, random ones, big ones. */
final class SnapshotModels {
    private SnapshotModels() {}

    static final long ANON_FLAGS = PageFlags.ANON | PageFlags.SWAPBACKED | PageFlags.MMAP | PageFlags.UPTODATE
            | PageFlags.LRU;
    static final long FILE_FLAGS = PageFlags.MMAP | PageFlags.UPTODATE | PageFlags.LRU | PageFlags.REFERENCED;
    static final long PROT_RO = Pgtable._PAGE_PRESENT | Pgtable._PAGE_USER | Pgtable._PAGE_ACCESSED;
    static final long SHARED_RW = TestMm.RW_ANON | VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;

    static MmOrigin liveOrigin() {
        return new MmOrigin("live", 4242, "fixture --regions 'all' données", "6.18.0-pagewalk", 1_764_650_000_123L);
    }

    /**
     * Every kind of entry and page the model knows: small anon pages, a PMD THP, an mTHP mapped by
     * PTEs, the zero page and the huge zero page, swap and migration entries (PTE and PMD), guard
     * and uffd-wp markers, file VMAs with page cache and an i_mmap out of pgoff order, a file with
     * page cache but no mapping, a shmem THP, hugetlb with 2 MiB (PMD) and 1 GiB (PUD) pages, a
     * PROT_NONE page, odd memmap slots, unknown facts, THP settings, a limited table allocator.
     */
    static MmStruct full(PagingGeometry g) {
        TestMm t = new TestMm(g);
        MmStruct mm = t.mm;
        MemMap mem = mm.memMap();
        mm.setOrigin(liveOrigin());
        mm.unknownFacts().add("pmd-mapped");
        mm.unknownFacts().add("kpagecount");
        mem.setCountsKnown(false);
        mm.setThpSettings(new ThpSettings("madvise", "within_size", Map.of(4, "always", 9, "inherit"),
                Map.of(9, "never")));
        mm.setThpDisabled(true);

        long base = g == PagingGeometry.X86_64_5LEVEL ? 0x0010_0000_0000_0000L : 0x5555_0000_0000L;
        VmArea anon = mm.insertVma(base, base + (16 << 20), TestMm.RW_ANON | VmFlags.VM_UFFD_WP, base >>> 12,
                null, "[heap]");
        for (int i = 0; i < 16; i++) {
            t.page(base + i * 4096L);
        }
        t.thp(base + (2 << 20));
        // mTHP: an order-4 folio mapped by 16 PTEs.
        long mthp = 0x200010;
        mem.setFolio(mthp, 4, ANON_FLAGS, 1, 1);
        for (int i = 0; i < 16; i++) {
            t.pte(base + (4 << 20) + i * 4096L, Pgtable.pfn_pte(mthp + i, TestMm.PROT_RW));
        }
        long at = base + (4 << 20) + (64 << 10);
        for (int i = 0; i < 8; i++) {
            t.pte(at + i * 4096L, Swapops.swp_entry_to_pte(Swapops.swp_entry(1, 0x1000 + i))
                    | (i % 2 == 0 ? Pgtable._PAGE_SWP_SOFT_DIRTY : 0));
        }
        t.pte(at + 0x8000, Swapops.swp_entry_to_pte(Swapops.make_migration_entry(Swapops.SWP_MIGRATION_WRITE, 0x200020)));
        mem.setPage(0x200020, ANON_FLAGS | PageFlags.LOCKED, 0, 2);
        t.pte(at + 0x9000, Swapops.make_pte_marker(Swapops.PTE_MARKER_GUARD));
        t.pte(at + 0xa000, Swapops.make_pte_marker(Swapops.PTE_MARKER_UFFD_WP));
        t.pte(at + 0xb000, Swapops.make_pte_marker(Swapops.PTE_MARKER_POISONED));
        mem.setZeroPfn(0x3b34);
        t.pte(at + 0xc000, Pgtable.pfn_pte(0x3b34, PROT_RO | Pgtable._PAGE_SPECIAL));
        mem.setHugeZeroPfn(0x400000);
        PageTables.set(mm, base + (6 << 20), PMD, Pgtable.pfn_pmd(0x400000, PROT_RO));
        PageTables.set(mm, base + (8 << 20), PMD,
                Swapops.swp_entry_to_pmd(Swapops.make_migration_entry(Swapops.SWP_MIGRATION_READ, 0x400200)));
        mem.setFolio(0x400200, 9, ANON_FLAGS | PageFlags.THP | PageFlags.LOCKED, 0, 2);
        // PROT_NONE: the PFN bits are inverted.
        long pn = t.page(base + (10 << 20));
        t.pte(base + (10 << 20), Pgtable.pfn_pte(pn, Pgtable._PAGE_PROTNONE | Pgtable._PAGE_ACCESSED));
        anon.setName("[heap]");

        // Files: libc mapped twice, i_mmap made out of pgoff order by a resize.
        long lib = base + (64 << 20);
        AddressSpace libc = new AddressSpace("/usr/lib/x86_64-linux-gnu/libc.so.6", AddressSpace.mkdev(259, 2),
                1_234_567, false);
        VmArea text = mm.insertVma(lib, lib + (1 << 20), VmFlags.VM_READ | VmFlags.VM_EXEC | VmFlags.VM_MAYREAD
                | VmFlags.VM_MAYEXEC, 0x28, libc, libc.path());
        mm.insertVma(lib + (1 << 20), lib + (2 << 20), VmFlags.VM_READ | VmFlags.VM_MAYREAD, 0x10, libc,
                libc.path());
        mm.resizeVma(text, lib, lib + (1 << 20), 0); // pgoff 0x28 -> 0 without re-sorting i_mmap
        for (int i = 0; i < 40; i++) {
            long pfn = 0x300000 + i;
            mem.setPage(pfn, FILE_FLAGS, i < 20 ? 1 : 0, 1 + (i < 20 ? 1 : 0));
            mem.setMapping(pfn, libc, i);
            libc.pageCache().put((long) i, pfn);
            if (i < 20) {
                t.pte(lib + i * 4096L, Pgtable.pfn_pte(pfn, PROT_RO));
            }
        }
        AddressSpace unmapped = new AddressSpace("/var/log/syslog", AddressSpace.mkdev(8, 1), 77, false);
        mem.registerAddressSpace(unmapped);
        for (int i = 0; i < 5; i++) {
            mem.setPage(0x310000 + i, FILE_FLAGS | PageFlags.DIRTY, 0, 1);
            mem.setMapping(0x310000 + i, unmapped, 100 + 3 * i);
            unmapped.pageCache().put(100L + 3 * i, 0x310000L + i);
        }

        // shmem THP mapped by a PMD.
        long shm = base + (128 << 20);
        AddressSpace shmem = new AddressSpace("/dev/shm/pagewalk (deleted)", AddressSpace.mkdev(0, 26), 4096, true);
        mm.insertVma(shm, shm + (4 << 20), SHARED_RW, 0, shmem, shmem.path());
        mem.setFolio(0x600000, 9, PageFlags.SWAPBACKED | PageFlags.MMAP | PageFlags.THP | PageFlags.UPTODATE, 1, 2);
        mem.addEntireMapcount(0x600000, 1);
        mem.setMapping(0x600000, shmem, 0);
        shmem.pageCache().put(0L, 0x600000L);
        PageTables.set(mm, shm, PMD, Pgtable.pfn_pmd(0x600000, TestMm.PROT_RW));

        // hugetlb: 2 MiB pages by PMD leaves, 1 GiB pages by a PUD leaf.
        long h2 = base + (1L << 30);
        AddressSpace huge2 = new AddressSpace("/anon_hugepage (deleted)", AddressSpace.mkdev(0, 16), 11, false);
        VmArea hv = mm.insertVma(h2, h2 + (4 << 20), SHARED_RW | VmFlags.VM_HUGETLB | VmFlags.VM_DONTEXPAND,
                0, huge2, huge2.path());
        hv.setPageShift(21);
        mem.setFolio(0x800000, 9, PageFlags.HUGE | PageFlags.UPTODATE | PageFlags.MMAP, 1, 2);
        mem.addEntireMapcount(0x800000, 1);
        mem.setMapping(0x800000, huge2, 0);
        PageTables.set(mm, h2, PMD, Pgtable.pfn_pmd(0x800000, TestMm.PROT_RW));
        long h1 = base + (4L << 30);
        AddressSpace huge1 = new AddressSpace("/mnt/huge1g/seg", AddressSpace.mkdev(0, 17), 12, false);
        VmArea gv = mm.insertVma(h1, h1 + (1L << 30), SHARED_RW | VmFlags.VM_HUGETLB, 0, huge1, huge1.path());
        gv.setPageShift(30);
        mem.setFolio(0x4000000, 18, PageFlags.HUGE | PageFlags.UPTODATE | PageFlags.MMAP, 1, 2);
        mem.addEntireMapcount(0x4000000, 1);
        mem.setMapping(0x4000000, huge1, 0);
        PageTables.set(mm, h1, PUD, Pgtable.pfn_pud(0x4000000, TestMm.PROT_RW));

        // A stack with a name of its own, and memmap slots only the raw columns show.
        long stack = g.taskSize() - (1L << 30) - (132 << 10) + 4096;
        mm.insertVma(stack, stack + (132 << 10), TestMm.RW_ANON | VmFlags.VM_GROWSDOWN, stack >>> 12, null,
                "[stack]");
        t.page(stack + (128 << 10));
        mem.setMapcount(0x900005, 3); // a count on a PFN with no page
        mem.setPage(0x900006, ANON_FLAGS, 1, 1);
        mem.setMapping(0x900006, libc, 9);
        mem.freePage(0x900006); // freed: mapping and index stay in the columns
        mm.setGateVma(0xffff_ffff_ff60_0000L, 0xffff_ffff_ff60_1000L, VmFlags.VM_EXEC | VmFlags.VM_MAYEXEC,
                "[vsyscall]");
        mem.failTableAllocationsAfter(100_000);
        return mm;
    }

    /** A random but well-formed model: what {@link #full} holds, in random amounts and places. */
    static MmStruct random(long seed) {
        Random r = new Random(seed);
        PagingGeometry g = r.nextBoolean() ? PagingGeometry.X86_64_4LEVEL : PagingGeometry.X86_64_5LEVEL;
        TestMm t = new TestMm(g);
        MmStruct mm = t.mm;
        MemMap mem = mm.memMap();
        if (r.nextBoolean()) {
            mm.setOrigin(liveOrigin());
        }
        for (String fact : new String[] {"kpageflags", "kpagecount", "pmd-mapped", "soft-dirty"}) {
            if (r.nextInt(3) == 0) {
                mm.unknownFacts().add(fact);
            }
        }
        mem.setFlagsKnown(r.nextInt(4) != 0);
        mem.setCountsKnown(r.nextInt(4) != 0);
        if (r.nextBoolean()) {
            mm.setThpSettings(ThpSettings.madviseDefaults());
        }
        AddressSpace[] files = new AddressSpace[1 + r.nextInt(4)];
        for (int i = 0; i < files.length; i++) {
            files[i] = new AddressSpace("/lib/f" + i + ".so", AddressSpace.mkdev(8, r.nextInt(16)), r.nextInt(1 << 20),
                    r.nextInt(4) == 0);
            mem.registerAddressSpace(files[i]);
        }
        long vaTop = g == PagingGeometry.X86_64_5LEVEL ? 1L << 55 : 1L << 46;
        long addr = (r.nextLong(vaTop) & PagingGeometry.PMD_MASK) + (1L << 30);
        long pfn = 0x100000 + r.nextInt(1 << 20);
        int vmas = 1 + r.nextInt(12);
        for (int v = 0; v < vmas; v++) {
            long len = (1 + r.nextInt(12)) * PagingGeometry.PMD_SIZE;
            AddressSpace f = r.nextInt(3) == 0 ? files[r.nextInt(files.length)] : null;
            long flags = TestMm.RW_ANON | (r.nextInt(4) == 0 ? VmFlags.VM_HUGEPAGE : 0)
                    | (f != null && f.isShmem() ? VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE : 0);
            mm.insertVma(addr, addr + len, flags, f == null ? addr >>> 12 : r.nextInt(1000), f,
                    f == null ? (r.nextBoolean() ? "" : "[anon:r" + v + "]") : f.path());
            for (long a = addr; a < addr + len; a += PagingGeometry.PMD_SIZE) {
                switch (r.nextInt(6)) {
                    case 0 -> { } // nothing mapped
                    case 1 -> { // a THP
                        pfn = (pfn + 511) & ~511L;
                        mem.setFolio(pfn, 9, ANON_FLAGS | PageFlags.THP, 1, 1);
                        mem.addEntireMapcount(pfn, 1);
                        PageTables.set(mm, a, PMD, Pgtable.pfn_pmd(pfn, TestMm.PROT_RW));
                        pfn += 512;
                    }
                    default -> { // PTEs of many kinds
                        int n = 1 + r.nextInt(512);
                        for (int i = 0; i < n; i++) {
                            long va = a + (long) r.nextInt(512) * 4096;
                            int kind = r.nextInt(20);
                            if (kind < 14) {
                                long fl = r.nextInt(8) == 0 ? r.nextLong() & 0x7ff_ffff_ffffL : ANON_FLAGS;
                                mem.setPage(pfn, fl & ~PageFlags.NOPAGE, r.nextInt(3), 1 + r.nextInt(3));
                                if (f != null) {
                                    mem.setMapping(pfn, f, r.nextInt(1 << 16));
                                    f.pageCache().put((long) r.nextInt(1 << 16), pfn);
                                }
                                long prot = r.nextInt(5) == 0 ? TestMm.PROT_RW & ~Pgtable._PAGE_DIRTY : TestMm.PROT_RW;
                                t.pte(va, Pgtable.pfn_pte(pfn, prot));
                                pfn += r.nextInt(10) == 0 ? 1 + r.nextInt(1000) : 1;
                            } else if (kind < 16) {
                                t.pte(va, Swapops.swp_entry_to_pte(Swapops.swp_entry(r.nextInt(4), r.nextInt(1 << 24))));
                            } else if (kind == 16) {
                                t.pte(va, Swapops.swp_entry_to_pte(Swapops.make_migration_entry(
                                        Swapops.SWP_MIGRATION_READ + r.nextInt(3), pfn)));
                                mem.setPage(pfn++, ANON_FLAGS | PageFlags.LOCKED, 0, 1);
                            } else if (kind == 17) {
                                t.pte(va, Swapops.make_pte_marker(1L << r.nextInt(3)));
                            } else {
                                long head = (pfn + 15) & ~15L;
                                mem.setFolio(head, 2 + r.nextInt(3), ANON_FLAGS, 1, 1);
                                t.pte(va, Pgtable.pfn_pte(head, TestMm.PROT_RW));
                                pfn = head + 16;
                            }
                        }
                    }
                }
            }
            addr += len + (r.nextInt(3) == 0 ? 0 : (1 + r.nextInt(1 << 10)) * PagingGeometry.PMD_SIZE);
        }
        return mm;
    }

    /**
     * A realistic heap-heavy process for the size figure: 256 MiB of anon memory (a quarter in
     * THPs, the rest in small pages with consecutive PFNs broken every 64 pages and a few holes),
     * a 16 MiB library mapped from the page cache, and a stack.
     */
    static MmStruct realistic() {
        TestMm t = new TestMm();
        MmStruct mm = t.mm;
        MemMap mem = mm.memMap();
        mm.setOrigin(liveOrigin());
        long heap = 0x5600_0000_0000L;
        mm.insertVma(heap, heap + (256 << 20), TestMm.RW_ANON | VmFlags.VM_HUGEPAGE, heap >>> 12, null, "[heap]");
        Random r = new Random(7);
        long pfn = 0x100000;
        for (long a = heap; a < heap + (256 << 20); a += PagingGeometry.PMD_SIZE) {
            if (r.nextInt(4) == 0) {
                pfn = (pfn + 511) & ~511L;
                mem.setFolio(pfn, 9, ANON_FLAGS | PageFlags.THP, 1, 1);
                mem.addEntireMapcount(pfn, 1);
                PageTables.set(mm, a, PMD, Pgtable.pfn_pmd(pfn, TestMm.PROT_RW));
                pfn += 512;
                continue;
            }
            for (int i = 0; i < 512; i++) {
                if (r.nextInt(100) == 0) {
                    continue; // never touched
                }
                if (i % 64 == 0) {
                    pfn += 1 + r.nextInt(4096); // the allocator moved on
                }
                mem.setPage(pfn, ANON_FLAGS | (i % 128 < 8 ? PageFlags.ACTIVE : 0), 1, 1);
                t.pte(a + i * 4096L, Pgtable.pfn_pte(pfn, TestMm.PROT_RW));
                pfn++;
            }
        }
        long lib = 0x7f00_0000_0000L;
        AddressSpace so = new AddressSpace("/usr/lib/libbig.so", AddressSpace.mkdev(259, 2), 99, false);
        mm.insertVma(lib, lib + (16 << 20), VmFlags.VM_READ | VmFlags.VM_EXEC | VmFlags.VM_MAYREAD
                | VmFlags.VM_MAYEXEC, 0, so, so.path());
        long fpfn = 0x2000000;
        for (int i = 0; i < 4096; i++) {
            if (r.nextInt(3) == 0) {
                continue;
            }
            mem.setPage(fpfn, FILE_FLAGS, 1, 2);
            mem.setMapping(fpfn, so, i);
            so.pageCache().put((long) i, fpfn);
            t.pte(lib + i * 4096L, Pgtable.pfn_pte(fpfn, PROT_RO));
            fpfn++;
        }
        long stack = 0x7ffc_0000_0000L;
        mm.insertVma(stack, stack + (132 << 10), TestMm.RW_ANON | VmFlags.VM_GROWSDOWN, stack >>> 12, null, "[stack]");
        for (int i = 0; i < 33; i++) {
            t.page(stack + i * 4096L);
        }
        return mm;
    }
}
