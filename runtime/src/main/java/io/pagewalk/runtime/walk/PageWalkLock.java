package io.pagewalk.runtime.walk;

/** {@code enum page_walk_lock}: the locks a walk needs, taken or asserted per mm and per VMA. */
public enum PageWalkLock {
    /** mmap_lock held for read (or write); VMAs are not locked. */
    PGWALK_RDLOCK,
    /** mmap_lock held for write; each VMA entered is write-locked ({@code vma_start_write()}). */
    PGWALK_WRLOCK,
    /** mmap_lock held for write and each VMA already write-locked (asserted). */
    PGWALK_WRLOCK_VERIFY,
    /**
     * Only a per-VMA lock held (asserted), no mmap_lock (newer kernels, for MADV_FREE and guard
     * regions; not in the 6.13 header).
     */
    PGWALK_VMA_RDLOCK_VERIFY;

    public int value() {
        return ordinal();
    }
}
