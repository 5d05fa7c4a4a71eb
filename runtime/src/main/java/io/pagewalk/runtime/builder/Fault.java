package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.pgtable.Pgtable.*;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.Memory;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Swapops;

/**
 * {@code handle_mm_fault()} for one address: the anonymous, file, shmem, hugetlb and THP faults,
 * copy-on-write, swap-in, and the SIGSEGV/SIGBUS cases (reported as EFAULT).
 */
final class Fault {
    /** {@code fault_around_bytes} (64 KiB): read faults on files map this much page cache at once. */
    static final int FAULT_AROUND_PAGES = 16;
    private static final int PMD_ORDER = PagingGeometry.PMD_SHIFT - PagingGeometry.PAGE_SHIFT;

    private final SyntheticProcess proc;
    private final Machine machine;
    private final MemMap mem;
    private final MmStruct mm;

    Fault(SyntheticProcess proc) {
        this.proc = proc;
        this.machine = proc.machine();
        this.mem = machine.memMap;
        this.mm = proc.mm();
    }

    static SyscallException segv(long addr, String why) {
        return new SyscallException(Errno.EFAULT, String.format("SIGSEGV at 0x%x: %s", addr, why));
    }

    static SyscallException sigbus(long addr, String why) {
        return new SyscallException(Errno.EFAULT, String.format("SIGBUS at 0x%x: %s", addr, why));
    }

    void handle(long addr, boolean write) {
        VmArea vma = mm.vmaLookup(addr);
        if (vma == null) {
            throw segv(addr, "no mapping");
        }
        if (write ? !vma.test(VmFlags.VM_WRITE) : (vma.flags() & VmFlags.VM_ACCESS_FLAGS) == 0) {
            throw segv(addr, (write ? "write to " : "read of ") + VmFlags.permissions(vma.flags()) + " mapping");
        }
        if (vma.isHugetlb()) {
            hugetlb(vma, addr & PagingGeometry.PMD_MASK, write);
            return;
        }
        EntryPointer pmdp = Ptes.pmd(mm, addr, true);
        if (pmd_none(pmdp.get()) && pmdp.lowerTable() == null && proc.thpFaultAllowed(vma, addr)) {
            hugeAnonymous(vma, pmdp, addr & PagingGeometry.PMD_MASK, write);
            return;
        }
        if (pmd_leaf(pmdp.get())) {
            if (!write || pmd_write(pmdp.get()) || hugeWp(vma, pmdp, addr & PagingGeometry.PMD_MASK)) {
                return;
            }
        }
        EntryPointer ptep = Ptes.pte(mm, addr, true);
        long pte = ptep.get();
        if (pte_none(pte)) {
            if (vma.isAnonymous()) {
                anonymous(vma, ptep, addr, write);
            } else {
                file(vma, ptep, addr, write);
            }
        } else if (!pte_present(pte)) {
            if (Swapops.is_guard_pte_marker(pte)) {
                throw segv(addr, "guard region");
            }
            swapIn(vma, ptep, addr, pte, write);
        } else if (write && !pte_write(pte)) {
            wp(vma, ptep, addr, pte);
        }
    }

    // ---- anonymous memory ----

    /** {@code do_anonymous_page()}. */
    private void anonymous(VmArea vma, EntryPointer ptep, long addr, boolean write) {
        long prot = Ptes.pageProt(vma);
        if (!write && machine.config.readFaultsMapZeroPage()) {
            ptep.set(pfn_pte(mem.zeroPfn(), prot & ~_PAGE_RW) | _PAGE_SPECIAL);
            return;
        }
        proc.anonVmaPrepare(vma);
        long pfn = machine.newAnonFolio(0, vma.linearPageIndex(addr));
        ptep.set(pfn_pte(pfn, Ptes.writable(vma, prot)));
        Rmap.addPte(mem, pfn);
    }

    /** {@code do_huge_pmd_anonymous_page()}: the huge zero page on reads (if used), else a new THP. */
    private void hugeAnonymous(VmArea vma, EntryPointer pmdp, long haddr, boolean write) {
        long prot = Ptes.pageProt(vma);
        if (!write && machine.config.readFaultsMapZeroPage()) {
            long zero = machine.hugeZeroPfn();
            pmdp.set(pfn_pmd(zero, prot & ~_PAGE_RW) | _PAGE_SPECIAL);
            mem.addEntireMapcount(zero, 1);
            return;
        }
        mapNewThp(vma, pmdp, haddr);
    }

    private void mapNewThp(VmArea vma, EntryPointer pmdp, long haddr) {
        proc.anonVmaPrepare(vma);
        long head = machine.newAnonFolio(PMD_ORDER, vma.linearPageIndex(haddr));
        pmdp.set(pfn_pmd(head, Ptes.writable(vma, Ptes.pageProt(vma))));
        Rmap.addPmd(mem, head);
    }

    /**
     * {@code do_huge_pmd_wp_page()}: a write to a read-only huge PMD. True when handled at PMD
     * level; false after splitting the PMD, so that the PTE-level copy-on-write runs.
     */
    private boolean hugeWp(VmArea vma, EntryPointer pmdp, long haddr) {
        long pmd = pmdp.get();
        long head = pmd_pfn(pmd);
        if (mem.is_huge_zero_pfn(head)) {
            mem.addEntireMapcount(head, -1);
            pmdp.set(0);
            mapNewThp(vma, pmdp, haddr);
            return true;
        }
        if (vma.isAnonymous() && mem.pfnValid(head)) {
            if (machine.anonExclusive(head) || (Rmap.mappedOnce(mem, head) && mem.refcount(head) == 1)) {
                machine.setFolioAnonExclusive(head, true);
                pmdp.set(pmd | _PAGE_RW | _PAGE_DIRTY);
                return true;
            }
        }
        Ptes.splitPmd(machine, vma, pmdp, haddr);
        return false;
    }

    /** {@code do_wp_page()}: reuse the page when it is ours alone, else copy it. */
    private void wp(VmArea vma, EntryPointer ptep, long addr, long pte) {
        long pfn = Memory.vm_normal_page(vma, addr, pte);
        if (pfn < 0) {
            copyOnWrite(vma, ptep, addr, -1);
            return;
        }
        if (mem.test(pfn, PageFlags.ANON)) {
            boolean reuse = machine.anonExclusive(pfn)
                    || (mem.folioOrder(pfn) == 0 ? mem.refcount(pfn) == 1 : Rmap.mappedOnce(mem, pfn));
            if (reuse) {
                machine.setAnonExclusive(pfn, true);
                ptep.set(pte | _PAGE_RW | _PAGE_DIRTY);
            } else {
                copyOnWrite(vma, ptep, addr, pfn);
            }
        } else if (vma.test(VmFlags.VM_SHARED)) {
            mem.folioSetFlag(pfn, PageFlags.DIRTY);
            ptep.set(pte | _PAGE_RW | _PAGE_DIRTY);
        } else {
            copyOnWrite(vma, ptep, addr, pfn);
        }
    }

    /** {@code wp_page_copy()}: a new private anonymous page replaces the mapped one (or the zero page). */
    private void copyOnWrite(VmArea vma, EntryPointer ptep, long addr, long oldPfn) {
        proc.anonVmaPrepare(vma);
        long pfn = machine.newAnonFolio(0, vma.linearPageIndex(addr));
        ptep.set(pfn_pte(pfn, Ptes.writable(vma, Ptes.pageProt(vma))));
        Rmap.addPte(mem, pfn);
        if (oldPfn >= 0) {
            Rmap.removePte(machine, oldPfn);
        }
    }

    /** {@code do_swap_page()}: the folio comes back from swap (or from the swap cache). */
    private void swapIn(VmArea vma, EntryPointer ptep, long addr, long pte, boolean write) {
        long entry = Swapops.pte_to_swp_entry(pte);
        if (Swapops.non_swap_entry(entry)) {
            throw segv(addr, "non-swap entry 0x" + Long.toHexString(pte) + " cannot be faulted in by the model");
        }
        long offset = Swapops.swp_offset(entry);
        Long cached = machine.swapCache.remove(offset);
        long pfn;
        if (cached != null && mem.pfnValid(cached)) {
            pfn = cached;
        } else {
            proc.anonVmaPrepare(vma);
            pfn = machine.newAnonFolio(0, vma.linearPageIndex(addr));
            machine.setAnonExclusive(pfn, false);
        }
        boolean slotFree = machine.swapFree(offset);
        if (slotFree) {
            mem.clearFlag(pfn, PageFlags.SWAPCACHE);
        } else {
            machine.swapCache.put(offset, pfn);
            mem.setFlag(pfn, PageFlags.SWAPCACHE);
        }
        boolean exclusive = pte_swp_exclusive(pte) || (slotFree && mem.mapcount(pfn) == 0);
        long prot = Ptes.pageProt(vma);
        if (exclusive) {
            machine.setAnonExclusive(pfn, true);
            if (write) {
                prot = Ptes.writable(vma, prot);
            }
        }
        ptep.set(pfn_pte(pfn, prot));
        Rmap.addPte(mem, pfn);
        if (write && !exclusive) {
            wp(vma, ptep, addr, ptep.get());
        }
    }

    // ---- files and shmem ----

    /** {@code do_read_fault()} (with fault-around), {@code do_cow_fault()}, {@code do_shared_fault()}. */
    private void file(VmArea vma, EntryPointer ptep, long addr, boolean write) {
        AddressSpace file = vma.file();
        long index = vma.linearPageIndex(addr);
        if (index >= machine.fileSize(file)) {
            throw sigbus(addr, "beyond the end of " + file.path());
        }
        boolean miss = !file.pageCache().containsKey(index);
        if (miss && !file.isShmem()) {
            readAround(file, index);
        }
        if (write && !vma.test(VmFlags.VM_SHARED)) {
            copyOnWrite(vma, ptep, addr, -1);
            return;
        }
        long prot = Ptes.pageProt(vma);
        if (!write) {
            // After a miss the kernel retries the fault once the read is done, and the retry's
            // fault-around then maps what readahead brought in.
            faultAround(vma, ptep.table(), addr, prot);
            if (!pte_none(ptep.get())) {
                return;
            }
        }
        long pfn = pageCacheGet(file, index, true);
        if (write) {
            mem.folioSetFlag(pfn, PageFlags.DIRTY);
            prot |= _PAGE_RW | _PAGE_DIRTY;
        }
        ptep.set(pfn_pte(pfn, prot));
        Rmap.addPte(mem, pfn);
    }

    /** {@code filemap_map_pages()}: maps the cached pages of the aligned window around {@code addr}. */
    private void faultAround(VmArea vma, PageTable table, long addr, long prot) {
        long window = (long) FAULT_AROUND_PAGES << PagingGeometry.PAGE_SHIFT;
        long from = Math.max(addr & -window, Math.max(vma.start(), addr & PagingGeometry.PMD_MASK));
        long to = Math.min(from + window, Math.min(vma.end(), (addr & PagingGeometry.PMD_MASK) + PagingGeometry.PMD_SIZE));
        long size = machine.fileSize(vma.file());
        for (long a = from; a < to; a += PagingGeometry.PAGE_SIZE) {
            int i = mm.geometry().index(PagingGeometry.PTE, a);
            long index = vma.linearPageIndex(a);
            if (!pte_none(table.get(i)) || index >= size) {
                continue;
            }
            long pfn = pageCacheGet(vma.file(), index, false);
            if (pfn >= 0 && mem.test(pfn, PageFlags.UPTODATE)) {
                table.set(i, pfn_pte(pfn, prot));
                Rmap.addPte(mem, pfn);
            }
        }
    }

    /** {@code ra_pages}: 128 KiB of readahead. */
    static final int READAHEAD_PAGES = 32;

    /**
     * {@code do_sync_mmap_readahead()} "read-around": a page-cache miss reads the 128 KiB around
     * the missing page into the cache.
     */
    private void readAround(AddressSpace file, long index) {
        long size = machine.fileSize(file);
        long from = Math.max(0, index - READAHEAD_PAGES / 2);
        long to = Math.min(size, from + READAHEAD_PAGES);
        for (long i = from; i < to; i++) {
            if (!file.pageCache().containsKey(i)) {
                pageCacheGet(file, i, true);
            }
        }
    }

    /** The page-cache page at {@code index}; a missing one is read (made) when {@code create}. */
    private long pageCacheGet(AddressSpace file, long index, boolean create) {
        Long pfn = file.pageCache().get(index);
        if (pfn != null) {
            return pfn;
        }
        if (!create) {
            return -1;
        }
        long p = machine.allocFrames(0);
        long flags = PageFlags.UPTODATE | PageFlags.LRU | (file.isShmem() ? PageFlags.SWAPBACKED : 0);
        mem.setPage(p, flags, 0, 1);
        mem.setMapping(p, file, index);
        file.pageCache().put(index, p);
        return p;
    }

    // ---- hugetlb ----

    /** {@code hugetlb_fault()}: a 2 MiB page from the pool, private (anonymous) or in the file. */
    private void hugetlb(VmArea vma, long haddr, boolean write) {
        EntryPointer pmdp = Ptes.pmd(mm, haddr, true);
        long pmd = pmdp.get();
        long prot = Ptes.pageProt(vma);
        boolean shared = vma.test(VmFlags.VM_SHARED);
        if (pmd_present(pmd)) {
            if (!write || pmd_write(pmd)) {
                return;
            }
            long head = pmd_pfn(pmd);
            if (shared || machine.anonExclusive(head) || Rmap.mappedOnce(mem, head)) {
                if (shared) {
                    mem.folioSetFlag(head, PageFlags.DIRTY);
                } else {
                    machine.setFolioAnonExclusive(head, true);
                }
                pmdp.set(pmd | _PAGE_RW | _PAGE_DIRTY);
                return;
            }
            pmdp.set(0);
            Rmap.removePmd(machine, head);
        }
        long index = vma.linearPageIndex(haddr) >>> PMD_ORDER;
        Long cached = shared ? vma.file().pageCache().get(index) : null;
        long head;
        if (cached != null) {
            head = cached;
        } else {
            if (!machine.hugetlbTake()) {
                throw sigbus(haddr, "no free huge page in the hugetlb pool");
            }
            head = machine.allocFrames(PMD_ORDER);
            if (shared) {
                mem.setFolio(head, PMD_ORDER, PageFlags.UPTODATE | PageFlags.DIRTY | PageFlags.HUGE, 0, 1);
                mem.setMapping(head, vma.file(), index);
                vma.file().pageCache().put(index, head);
            } else {
                proc.anonVmaPrepare(vma);
                mem.setFolio(head, PMD_ORDER, PageFlags.UPTODATE | PageFlags.ANON | PageFlags.HUGE, 0, 0);
                mem.setMapping(head, null, vma.linearPageIndex(haddr));
                machine.setFolioAnonExclusive(head, true);
            }
        }
        if (write || !shared) {
            prot = Ptes.writable(vma, prot);
        }
        pmdp.set(pfn_pmd(head, prot));
        Rmap.addPmd(mem, head);
    }
}
