package io.pagewalk.runtime.mm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file's {@code struct address_space}: its identity, the VMAs of every mm that map it
 * ({@code i_mmap}, for {@code walk_page_mapping}), the {@code i_mmap_rwsem} that walk asserts, and
 * its page cache (file page index to PFN).
 */
public final class AddressSpace {
    private static final AtomicInteger NEXT_ID = new AtomicInteger(1);

    private final int id;
    private final String path;
    private final long device;
    private final long inode;
    private final boolean shmem;
    private final List<VmArea> iMmap = new ArrayList<>();
    private final java.util.TreeMap<Long, Long> pageCache = new java.util.TreeMap<>();
    private int iMmapReaders;
    private boolean iMmapWriter;

    public AddressSpace(String path, long device, long inode, boolean shmem) {
        this.id = NEXT_ID.getAndIncrement();
        this.path = path;
        this.device = device;
        this.inode = inode;
        this.shmem = shmem;
    }

    public int id() {
        return id;
    }

    public String path() {
        return path;
    }

    /** The device in the kernel's {@code MKDEV(major, minor)} encoding ({@code major << 20 | minor}). */
    public long device() {
        return device;
    }

    /** {@code MKDEV(major, minor)}: the encoding {@link #device()} uses. */
    public static long mkdev(int major, int minor) {
        return ((long) major << 20) | minor;
    }

    public static int major(long dev) {
        return (int) (dev >>> 20);
    }

    public static int minor(long dev) {
        return (int) (dev & 0xfffff);
    }

    public long inode() {
        return inode;
    }

    /** shmem/tmpfs (and shared anonymous memory): swap-backed, not written back. */
    public boolean isShmem() {
        return shmem;
    }

    /** VMAs mapping this file, ordered by {@code vm_pgoff} then start, as the interval tree iterates. */
    public List<VmArea> iMmap() {
        return iMmap;
    }

    void link(VmArea vma) {
        iMmap.add(vma);
        iMmap.sort(Comparator.comparingLong(VmArea::pgoff).thenComparingLong(VmArea::start));
    }

    void unlink(VmArea vma) {
        iMmap.remove(vma);
    }

    /** The page cache: file page index to the PFN caching it. */
    public java.util.NavigableMap<Long, Long> pageCache() {
        return pageCache;
    }

    public void iMmapLockRead() {
        if (iMmapWriter) {
            throw new LockAssertionError("i_mmap_lock_read: i_mmap_rwsem is write-locked");
        }
        iMmapReaders++;
    }

    public void iMmapUnlockRead() {
        if (iMmapReaders == 0) {
            throw new LockAssertionError("i_mmap_unlock_read: i_mmap_rwsem is not read-locked");
        }
        iMmapReaders--;
    }

    public void iMmapLockWrite() {
        if (iMmapWriter || iMmapReaders > 0) {
            throw new LockAssertionError("i_mmap_lock_write: i_mmap_rwsem already held");
        }
        iMmapWriter = true;
    }

    public void iMmapUnlockWrite() {
        if (!iMmapWriter) {
            throw new LockAssertionError("i_mmap_unlock_write: i_mmap_rwsem is not write-locked");
        }
        iMmapWriter = false;
    }

    /** {@code lockdep_assert_held(&mapping->i_mmap_rwsem)}. */
    public void assertIMmapLocked() {
        if (!iMmapWriter && iMmapReaders == 0) {
            throw new LockAssertionError("lockdep_assert_held: i_mmap_rwsem of " + path + " not held");
        }
    }

    @Override
    public String toString() {
        return "AddressSpace[" + path + "]";
    }
}
