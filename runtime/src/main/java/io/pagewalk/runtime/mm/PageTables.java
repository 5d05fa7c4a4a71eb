package io.pagewalk.runtime.mm;

import static io.pagewalk.runtime.pgtable.PagingGeometry.P4D;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PGD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PTE;

import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;

/**
 * Finding and making page-table entries by address ({@code pgd_offset}, {@code p4d_alloc},
 * {@code pud_alloc}, {@code pmd_alloc}, {@code pte_alloc} in one place): what importers, the
 * synthetic builder and tests use to put entries where an address says.
 */
public final class PageTables {
    private PageTables() {}

    /**
     * A pointer to the entry of {@code level} that maps {@code addr}, or null when a table on the
     * way down is missing (or the way is blocked by a leaf or non-present entry) and
     * {@code allocate} is false. With {@code allocate}, missing tables are made; a leaf in the way
     * is an error.
     */
    public static EntryPointer entry(MmStruct mm, long addr, int level, boolean allocate) {
        PagingGeometry g = mm.geometry();
        PageTable table = mm.pgd();
        EntryPointer p = new EntryPointer(table, g.index(PGD, addr));
        for (int l = PGD; l < level; l++) {
            int lower = l + 1;
            if (lower == P4D && g.isFolded(P4D)) {
                continue; // the PGD entry is the P4D entry
            }
            PageTable next = p.lowerTable();
            if (next == null) {
                if (!Pgtable.pte_none(p.get())) {
                    if (allocate) {
                        throw new IllegalStateException(String.format(
                                "address %x: level %d entry 0x%x is a leaf or not present, not a table", addr, l, p.get()));
                    }
                    return null;
                }
                if (!allocate) {
                    return null;
                }
                next = mm.allocTable(lower);
                if (next == null) {
                    throw new IllegalStateException("page-table allocation failed");
                }
                p.table().setTable(p.index(), next);
            }
            p = new EntryPointer(next, g.index(lower, addr));
        }
        return p;
    }

    /** Writes {@code value} into the entry of {@code level} for {@code addr}, making tables. */
    public static void set(MmStruct mm, long addr, int level, long value) {
        entry(mm, addr, level, true).set(value);
    }

    /** Reads the entry of {@code level} for {@code addr}, 0 when its table is missing. */
    public static long get(MmStruct mm, long addr, int level) {
        EntryPointer p = entry(mm, addr, level, false);
        return p == null ? 0 : p.get();
    }

    /** The PTE for {@code addr}, making tables on the way. */
    public static void setPte(MmStruct mm, long addr, long pte) {
        set(mm, addr, PTE, pte);
    }

    /**
     * Removes page tables that are entirely empty, as
     * {@code free_pgtables()} does after an unmap, so that later walks see holes there.
     */
    public static void freeEmptyTables(MmStruct mm) {
        freeEmpty(mm.pgd());
    }

    private static boolean freeEmpty(PageTable table) {
        long[] e = table.entries();
        boolean empty = true;
        for (int i = 0; i < e.length; i++) {
            PageTable child = table.table(i);
            if (child != null && freeEmpty(child)) {
                table.set(i, 0);
            }
            if (e[i] != 0) {
                empty = false;
            }
        }
        return empty && table.level() != PGD;
    }
}
