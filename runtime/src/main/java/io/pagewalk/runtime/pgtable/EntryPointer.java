package io.pagewalk.runtime.pgtable;

/**
 * A {@code pte_t *} / {@code pmd_t *} / ...: one slot of one table. Callbacks read it with
 * {@link #get()} ({@code ptep_get}) and may write it with {@link #set(long)} ({@code set_pte_at}),
 * as kernel walkers do.
 *
 * <p>The walker reuses one pointer per level for the whole walk, so that no object is made per
 * entry: like the kernel's pointer, it is only valid during the callback it was passed to. Use
 * {@link #copy()} to keep one.
 */
public final class EntryPointer {
    private PageTable table;
    private int index;

    public EntryPointer() {}

    public EntryPointer(PageTable table, int index) {
        this.table = table;
        this.index = index;
    }

    public EntryPointer point(PageTable table, int index) {
        this.table = table;
        this.index = index;
        return this;
    }

    public PageTable table() {
        return table;
    }

    public int index() {
        return index;
    }

    public long get() {
        return table.get(index);
    }

    public void set(long value) {
        table.set(index, value);
    }

    /** The lower table this entry points at (null for a leaf, none or non-present entry). */
    public PageTable lowerTable() {
        return table.table(index);
    }

    /** Moves to the next slot of the same table ({@code pte++}). */
    public void next() {
        index++;
    }

    public EntryPointer copy() {
        return new EntryPointer(table, index);
    }

    @Override
    public String toString() {
        return "&table[0x" + Long.toHexString(table.pfn()) + "][" + index + "]=0x" + Long.toHexString(get());
    }
}
