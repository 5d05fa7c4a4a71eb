package io.pagewalk.runtime.mm;

/**
 * A lock assertion of the kernel ({@code mmap_assert_locked()}, {@code vma_assert_write_locked()},
 * {@code lockdep_assert_held()}) failed: the caller walked without the lock the walk mode needs.
 * The kernel warns (lockdep) or BUGs; the model refuses loudly.
 */
public final class LockAssertionError extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public LockAssertionError(String message) {
        super(message);
    }
}
