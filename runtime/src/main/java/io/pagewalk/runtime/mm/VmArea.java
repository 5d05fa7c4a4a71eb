package io.pagewalk.runtime.mm;

import io.pagewalk.runtime.pgtable.PagingGeometry;

/**
 * A {@code struct vm_area_struct}: {@code [vm_start, vm_end)}, {@code vm_flags}, {@code vm_pgoff},
 * the file it maps (null for anonymous memory), the name {@code /proc/PID/maps} shows, and the
 * per-VMA locks the walker takes or asserts.
 */
public final class VmArea {
    private final MmStruct mm;
    private long start;
    private long end;
    private long flags;
    private long pgoff;
    private final AddressSpace file;
    private String name;
    /** log2 of the huge page size for VM_HUGETLB VMAs ({@code hstate_vma()}), else 12. */
    private int pageShift = PagingGeometry.PAGE_SHIFT;
    private long vmLockSeq = -1;
    private int vmReaders;
    private int hugetlbLockReaders;

    VmArea(MmStruct mm, long start, long end, long flags, long pgoff, AddressSpace file, String name) {
        this.mm = mm;
        this.start = start;
        this.end = end;
        this.flags = flags;
        this.pgoff = pgoff;
        this.file = file;
        this.name = name;
    }

    /** {@code vma->vm_mm}; null only for a VMA detached from any mm (walks then fail with -EINVAL). */
    public MmStruct mm() {
        return mm;
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    public long flags() {
        return flags;
    }

    public boolean test(long flag) {
        return (flags & flag) != 0;
    }

    public void setFlags(long flags) {
        this.flags = flags;
    }

    public long pgoff() {
        return pgoff;
    }

    public AddressSpace file() {
        return file;
    }

    /** maps/smaps name: a path, {@code [heap]}, {@code [stack]}, {@code [anon:x]}, or "" for anonymous. */
    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    /** {@code vma_is_anonymous()}: no file behind it (shared anonymous memory has a shmem file). */
    public boolean isAnonymous() {
        return file == null;
    }

    public boolean isHugetlb() {
        return (flags & VmFlags.VM_HUGETLB) != 0;
    }

    /** {@code vma_pages()}. */
    public long pages() {
        return (end - start) >>> PagingGeometry.PAGE_SHIFT;
    }

    public int pageShift() {
        return pageShift;
    }

    public void setPageShift(int pageShift) {
        this.pageShift = pageShift;
    }

    /** {@code huge_page_size(hstate_vma(vma))} (4 KiB for ordinary VMAs). */
    public long pageSize() {
        return 1L << pageShift;
    }

    /** {@code linear_page_index()}: the file (or anon) page offset that maps {@code addr}. */
    public long linearPageIndex(long addr) {
        return ((addr - start) >>> PagingGeometry.PAGE_SHIFT) + pgoff;
    }

    boolean contains(long addr) {
        return Long.compareUnsigned(addr, start) >= 0 && Long.compareUnsigned(addr, end) < 0;
    }

    void setBounds(long start, long end, long pgoff) {
        this.start = start;
        this.end = end;
        this.pgoff = pgoff;
    }

    // ---- per-VMA locks ----

    /** {@code vma_start_write()}: needs the mmap write lock; lasts until {@code mmap_write_unlock()}. */
    public void vmaStartWrite() {
        mm.mmapLock().assertWriteLocked();
        vmLockSeq = mm.mmapLock().sequence();
    }

    public boolean isWriteLocked() {
        return mm.mmapLock().isWriteLocked() && vmLockSeq == mm.mmapLock().sequence();
    }

    /** {@code vma_assert_write_locked()}. */
    public void vmaAssertWriteLocked() {
        if (!isWriteLocked()) {
            throw new LockAssertionError("vma_assert_write_locked: VMA " + this + " is not write-locked");
        }
    }

    /** {@code vma_start_read()}: a per-VMA read lock taken without the mmap lock. */
    public void vmaStartRead() {
        if (isWriteLocked()) {
            throw new LockAssertionError("vma_start_read: VMA " + this + " is write-locked");
        }
        vmReaders++;
    }

    public void vmaEndRead() {
        if (vmReaders == 0) {
            throw new LockAssertionError("vma_end_read: VMA " + this + " is not read-locked");
        }
        vmReaders--;
    }

    /** {@code vma_assert_locked()}: read- or write-locked, or the mmap lock held. */
    public void vmaAssertLocked() {
        if (vmReaders == 0 && !isWriteLocked() && !mm.mmapLock().isLocked()) {
            throw new LockAssertionError("vma_assert_locked: VMA " + this + " is not locked");
        }
    }

    /** {@code hugetlb_vma_lock_read()}: what {@code hugetlb_entry} runs under. */
    public void hugetlbVmaLockRead() {
        hugetlbLockReaders++;
    }

    public void hugetlbVmaUnlockRead() {
        hugetlbLockReaders--;
    }

    public boolean hugetlbVmaLocked() {
        return hugetlbLockReaders > 0;
    }

    @Override
    public String toString() {
        return String.format("%x-%x %s %s", start, end, VmFlags.permissions(flags), name);
    }
}
