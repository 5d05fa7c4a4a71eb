package io.pagewalk.runtime.testing;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;

/** Small hand-built address spaces for walker tests: VMAs and entries placed by address. */
public final class TestMm {
    public static final long RW_ANON = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_MAYREAD
            | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC | VmFlags.VM_ACCOUNT;
    /** A user, present, writable, accessed, dirty, NX PTE's protection bits. */
    public static final long PROT_RW = Pgtable._PAGE_PRESENT | Pgtable._PAGE_RW | Pgtable._PAGE_USER
            | Pgtable._PAGE_ACCESSED | Pgtable._PAGE_DIRTY | Pgtable._PAGE_NX;
    /** What the zero pages are mapped with: present, read-only, special. */
    public static final long PROT_ZERO = Pgtable._PAGE_PRESENT | Pgtable._PAGE_USER | Pgtable._PAGE_ACCESSED
            | Pgtable._PAGE_NX | Pgtable._PAGE_SPECIAL;
    private static final long ANON_FLAGS = PageFlags.ANON | PageFlags.SWAPBACKED | PageFlags.MMAP | PageFlags.UPTODATE;

    public final MmStruct mm;
    private long nextPfn = 0x100000;

    public TestMm(PagingGeometry geometry) {
        this(geometry, new MemMap());
    }

    /** An mm sharing {@code memMap} with others (a file mapped by two processes). */
    public TestMm(PagingGeometry geometry, MemMap memMap) {
        this.mm = new MmStruct(geometry, memMap);
    }

    public TestMm() {
        this(PagingGeometry.X86_64_4LEVEL);
    }

    public VmArea anon(long start, long end) {
        return mm.insertVma(start, end, RW_ANON, start >>> 12, null, "");
    }

    public VmArea vma(long start, long end, long flags) {
        return mm.insertVma(start, end, flags, start >>> 12, null, "");
    }

    public VmArea file(long start, long end, long flags, AddressSpace file, long pgoff) {
        return mm.insertVma(start, end, flags, pgoff, file, file.path());
    }

    /** A VM_PFNMAP|VM_IO mapping (device memory: no struct pages). */
    public VmArea pfnmap(long start, long end) {
        return vma(start, end, RW_ANON | VmFlags.VM_PFNMAP | VmFlags.VM_IO | VmFlags.VM_SHARED);
    }

    /** A hugetlbfs VMA with pages of {@code 1 << shift} bytes. */
    public VmArea hugetlb(long start, long end, int shift) {
        VmArea vma = vma(start, end, RW_ANON | VmFlags.VM_HUGETLB | VmFlags.VM_SHARED);
        vma.setPageShift(shift);
        return vma;
    }

    private long allocPfns(int order) {
        long n = 1L << order;
        long head = (nextPfn + n - 1) & ~(n - 1);
        nextPfn = head + n;
        return head;
    }

    /** Maps a new anon page at {@code addr} and returns its PFN. */
    public long page(long addr) {
        long pfn = allocPfns(0);
        mm.memMap().setPage(pfn, ANON_FLAGS, 1, 1);
        PageTables.setPte(mm, addr, Pgtable.pfn_pte(pfn, PROT_RW));
        return pfn;
    }

    /** Maps a new anon PMD-sized THP at the 2 MiB-aligned {@code addr}; returns its head PFN. */
    public long thp(long addr) {
        long head = allocPfns(9);
        mm.memMap().setFolio(head, 9, ANON_FLAGS | PageFlags.THP, 1, 1);
        mm.memMap().addEntireMapcount(head, 1);
        PageTables.set(mm, addr, PagingGeometry.PMD, Pgtable.pfn_pmd(head, PROT_RW));
        return head;
    }

    /** Maps a new page-cache THP of {@code file} at the 2 MiB-aligned {@code addr}; returns its head PFN. */
    public long fileThp(long addr, AddressSpace file, long index) {
        long head = allocPfns(9);
        mm.memMap().setFolio(head, 9, PageFlags.MMAP | PageFlags.UPTODATE | PageFlags.THP, 1, 2);
        mm.memMap().setMapping(head, file, index);
        mm.memMap().addEntireMapcount(head, 1);
        PageTables.set(mm, addr, PagingGeometry.PMD, Pgtable.pfn_pmd(head, PROT_RW));
        return head;
    }

    /** Maps a new 1 GiB folio with a PUD leaf at the 1 GiB-aligned {@code addr}; returns its head PFN. */
    public long pudLeaf(long addr) {
        long head = allocPfns(18);
        mm.memMap().setFolio(head, 18, PageFlags.MMAP | PageFlags.UPTODATE, 1, 1);
        mm.memMap().addEntireMapcount(head, 1);
        PageTables.set(mm, addr, PagingGeometry.PUD, Pgtable.pfn_pud(head, PROT_RW));
        return head;
    }

    /** A hugetlb page of {@code 1 << shift} bytes (21 or 30) at {@code addr}; returns its head PFN. */
    public long hugetlbPage(long addr, int shift) {
        int order = shift - PagingGeometry.PAGE_SHIFT;
        long head = allocPfns(order);
        mm.memMap().setFolio(head, order, PageFlags.MMAP | PageFlags.UPTODATE | PageFlags.HUGE, 1, 1);
        long entry = shift == PagingGeometry.PUD_SHIFT ? Pgtable.pfn_pud(head, PROT_RW) : Pgtable.pfn_pmd(head, PROT_RW);
        PageTables.set(mm, addr, shift == PagingGeometry.PUD_SHIFT ? PagingGeometry.PUD : PagingGeometry.PMD, entry);
        return head;
    }

    /** Maps the shared zero page at {@code addr} (a read fault where the kernel maps it); returns its PFN. */
    public long zeroPage(long addr) {
        long zero = mm.memMap().zeroPfn();
        mm.memMap().setZeroPfn(zero);
        PageTables.setPte(mm, addr, Pgtable.pfn_pte(zero, PROT_ZERO));
        return zero;
    }

    /** Maps the huge zero folio with a PMD at {@code addr}; returns its head PFN. */
    public long hugeZeroPage(long addr) {
        long hz = mm.memMap().hugeZeroPfn();
        if (hz < 0) {
            hz = allocPfns(9);
            mm.memMap().setHugeZeroPfn(hz);
        }
        PageTables.set(mm, addr, PagingGeometry.PMD, Pgtable.pfn_pmd(hz, PROT_ZERO & ~Pgtable._PAGE_SPECIAL));
        return hz;
    }

    /** An anon page being migrated: a migration entry at {@code addr}; returns the page's PFN. */
    public long migrationPte(long addr) {
        long pfn = allocPfns(0);
        mm.memMap().setPage(pfn, ANON_FLAGS | PageFlags.LOCKED, 0, 2);
        pte(addr, Swapops.swp_entry_to_pte(Swapops.make_migration_entry(Swapops.SWP_MIGRATION_READ, pfn)));
        return pfn;
    }

    /** A THP being migrated: a PMD migration entry at {@code addr}; returns the folio's head PFN. */
    public long migrationPmd(long addr) {
        long head = allocPfns(9);
        mm.memMap().setFolio(head, 9, ANON_FLAGS | PageFlags.THP | PageFlags.LOCKED, 0, 2);
        PageTables.set(mm, addr, PagingGeometry.PMD,
                Swapops.swp_entry_to_pmd(Swapops.make_migration_entry(Swapops.SWP_MIGRATION_READ, head)));
        return head;
    }

    public static long swapPte(long offset) {
        return Swapops.swp_entry_to_pte(Swapops.swp_entry(0, offset));
    }

    public static long guardMarker() {
        return Swapops.make_pte_marker(Swapops.PTE_MARKER_GUARD);
    }

    public static long uffdWpMarker() {
        return Swapops.make_pte_marker(Swapops.PTE_MARKER_UFFD_WP);
    }

    public static long devicePrivatePte(long pfn) {
        return Swapops.swp_entry_to_pte(Swapops.swp_entry(Swapops.SWP_DEVICE_WRITE, pfn));
    }

    public void pte(long addr, long value) {
        PageTables.setPte(mm, addr, value);
    }

    public long get(long addr, int level) {
        return PageTables.get(mm, addr, level);
    }

    public void readLock() {
        mm.mmapLock().readLock();
    }

    public void writeLock() {
        mm.mmapLock().writeLock();
    }
}
