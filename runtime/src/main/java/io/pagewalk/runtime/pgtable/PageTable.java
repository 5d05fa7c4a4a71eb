package io.pagewalk.runtime.pgtable;

import java.util.Arrays;

/**
 * One page-table page: 512 raw 64-bit entries in a primitive array, plus the Java references to
 * the lower-level tables that table entries point at (the hardware follows the PFN in the entry;
 * the model keeps the reference beside it so a walk does not need a PFN-to-table map).
 *
 * <p>{@link #level()} is the level of the entries this table holds ({@link PagingGeometry#PGD} for
 * the root, {@link PagingGeometry#PTE} for the last level). The table's own page has a PFN so that
 * table entries carry a realistic value.
 */
public final class PageTable {
    private final int level;
    private final long pfn;
    private final long[] entries = new long[PagingGeometry.PTRS_PER_TABLE];
    private PageTable[] children;
    /** The split page-table lock ({@code ptl}): held by at most one walker in this model. */
    private boolean ptlHeld;

    public PageTable(int level, long pfn) {
        this.level = level;
        this.pfn = pfn;
    }

    public int level() {
        return level;
    }

    public long pfn() {
        return pfn;
    }

    /** The raw entries. Callers that write them keep table references consistent ({@link #setTable}). */
    public long[] entries() {
        return entries;
    }

    public long get(int index) {
        return entries[index];
    }

    /** Writes a leaf or non-present entry, dropping any lower table that slot pointed at. */
    public void set(int index, long value) {
        entries[index] = value;
        if (children != null) {
            children[index] = null;
        }
    }

    /** The lower-level table slot {@code index} points at, or null if it is not a table entry. */
    public PageTable table(int index) {
        return children == null ? null : children[index];
    }

    /** {@code p?d_populate()}: points slot {@code index} at {@code child}. */
    public void setTable(int index, PageTable child) {
        if (children == null) {
            children = new PageTable[PagingGeometry.PTRS_PER_TABLE];
        }
        children[index] = child;
        entries[index] = Pgtable.mk_table_entry(child.pfn());
    }

    public boolean ptlHeld() {
        return ptlHeld;
    }

    /** {@code spin_lock(ptl)}; the model is single-threaded, so a second lock is a bug. */
    public void ptlLock() {
        if (ptlHeld) {
            throw new IllegalStateException("page-table lock of table pfn 0x" + Long.toHexString(pfn) + " already held");
        }
        ptlHeld = true;
    }

    public void ptlUnlock() {
        if (!ptlHeld) {
            throw new IllegalStateException("page-table lock of table pfn 0x" + Long.toHexString(pfn) + " not held");
        }
        ptlHeld = false;
    }

    /** True when no slot is in use (lets a builder free empty tables). */
    public boolean isEmpty() {
        for (long e : entries) {
            if (e != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "PageTable[level=" + level + ", pfn=0x" + Long.toHexString(pfn) + ", used="
                + Arrays.stream(entries).filter(e -> e != 0).count() + "]";
    }
}
