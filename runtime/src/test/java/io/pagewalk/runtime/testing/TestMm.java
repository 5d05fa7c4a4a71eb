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

/** Small hand-built address spaces for walker tests: VMAs and entries placed by address. */
public final class TestMm {
    public static final long RW_ANON = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_MAYREAD
            | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC | VmFlags.VM_ACCOUNT;
    /** A user, present, writable, accessed, dirty, NX PTE's protection bits. */
    public static final long PROT_RW = Pgtable._PAGE_PRESENT | Pgtable._PAGE_RW | Pgtable._PAGE_USER
            | Pgtable._PAGE_ACCESSED | Pgtable._PAGE_DIRTY | Pgtable._PAGE_NX;

    public final MmStruct mm;
    private long nextPfn = 0x100000;

    public TestMm(PagingGeometry geometry) {
        this.mm = new MmStruct(geometry, new MemMap());
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

    /** Maps a new anon page at {@code addr} and returns its PFN. */
    public long page(long addr) {
        long pfn = nextPfn++;
        mm.memMap().setPage(pfn, PageFlags.ANON | PageFlags.SWAPBACKED | PageFlags.MMAP | PageFlags.UPTODATE, 1, 1);
        PageTables.setPte(mm, addr, Pgtable.pfn_pte(pfn, PROT_RW));
        return pfn;
    }

    /** Maps a new anon PMD-sized THP at the 2 MiB-aligned {@code addr}; returns its head PFN. */
    public long thp(long addr) {
        long head = (nextPfn + 511) & ~511L;
        nextPfn = head + 512;
        mm.memMap().setFolio(head, 9, PageFlags.ANON | PageFlags.SWAPBACKED | PageFlags.MMAP | PageFlags.THP, 1, 1);
        mm.memMap().addEntireMapcount(head, 1);
        PageTables.set(mm, addr, PagingGeometry.PMD, Pgtable.pfn_pmd(head, PROT_RW));
        return head;
    }

    public void pte(long addr, long value) {
        PageTables.setPte(mm, addr, value);
    }

    public void readLock() {
        mm.mmapLock().readLock();
    }
}
