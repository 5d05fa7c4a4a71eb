package io.pagewalk.runtime.mm;

/**
 * {@code mm->mmap_lock}, a reader/writer lock, and the sequence number per-VMA write locks are
 * checked against ({@code mm->mm_lock_seq}): a VMA is write-locked while its {@code vm_lock_seq}
 * equals the mm's and the mmap lock is held for write; {@code mmap_write_unlock()} advances the
 * sequence and so releases every VMA write lock at once, as in the kernel.
 *
 * <p>The model is single-threaded: the lock records who holds it so that the walker's assertions
 * behave as the kernel's, it does not block.
 */
public final class MmapLock {
    private int readers;
    private boolean writer;
    private long seq;

    public void readLock() {
        if (writer) {
            throw new LockAssertionError("mmap_read_lock: mmap_lock is write-locked (would deadlock)");
        }
        readers++;
    }

    public void readUnlock() {
        if (readers == 0) {
            throw new LockAssertionError("mmap_read_unlock: mmap_lock is not read-locked");
        }
        readers--;
    }

    public void writeLock() {
        if (writer || readers > 0) {
            throw new LockAssertionError("mmap_write_lock: mmap_lock is already held (would deadlock)");
        }
        writer = true;
    }

    public void writeUnlock() {
        if (!writer) {
            throw new LockAssertionError("mmap_write_unlock: mmap_lock is not write-locked");
        }
        writer = false;
        seq++;
    }

    /** {@code mmap_write_downgrade()}. */
    public void downgrade() {
        writeUnlock();
        readers++;
    }

    public boolean isLocked() {
        return writer || readers > 0;
    }

    public boolean isWriteLocked() {
        return writer;
    }

    /** {@code mm->mm_lock_seq}. */
    public long sequence() {
        return seq;
    }

    public void assertLocked() {
        if (!isLocked()) {
            throw new LockAssertionError("mmap_assert_locked: mmap_lock not held");
        }
    }

    public void assertWriteLocked() {
        if (!writer) {
            throw new LockAssertionError("mmap_assert_write_locked: mmap_lock not held for write");
        }
    }

    /** Read-locks and returns a handle that unlocks ({@code try (var l = mm.mmapLock().read()) {...}}). */
    public Held read() {
        readLock();
        return this::readUnlock;
    }

    public Held write() {
        writeLock();
        return this::writeUnlock;
    }

    /** A held lock; closing it releases it. */
    @FunctionalInterface
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
