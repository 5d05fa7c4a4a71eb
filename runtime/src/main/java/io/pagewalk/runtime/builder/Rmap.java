package io.pagewalk.runtime.builder;

import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.PageFlags;

/**
 * Mapping accounting of folios ({@code folio_add_*_rmap_*}, {@code folio_remove_rmap_*} and the
 * reference each mapping holds): per-page mapcounts (a PMD mapping counts for every subpage, as
 * kpagecount shows with CONFIG_PAGE_MAPCOUNT), the entire mapcount, the refcount, KPF_MMAP while
 * anything maps the folio, and freeing an anonymous folio when its last reference goes.
 */
final class Rmap {
    private Rmap() {}

    /** One PTE now maps {@code pfn}. */
    static void addPte(MemMap mem, long pfn) {
        mem.addMapcount(pfn, 1);
        mem.addRefcount(pfn, 1);
        mem.folioSetFlag(pfn, PageFlags.MMAP);
    }

    /** One PMD (or hugetlb entry) now maps the whole folio at {@code head}. */
    static void addPmd(MemMap mem, long head) {
        long n = mem.folioNrPages(head);
        for (long i = 0; i < n; i++) {
            mem.addMapcount(head + i, 1);
        }
        mem.addEntireMapcount(head, 1);
        mem.addRefcount(head, 1);
        mem.folioSetFlag(head, PageFlags.MMAP);
    }

    /** A PTE mapping {@code pfn} went away. */
    static void removePte(Machine machine, long pfn) {
        MemMap mem = machine.memMap;
        mem.addMapcount(pfn, -1);
        release(machine, mem.folioHead(pfn));
    }

    /** A PMD mapping of the folio at {@code head} went away. */
    static void removePmd(Machine machine, long head) {
        MemMap mem = machine.memMap;
        long n = mem.folioNrPages(head);
        for (long i = 0; i < n; i++) {
            mem.addMapcount(head + i, -1);
        }
        mem.addEntireMapcount(head, -1);
        release(machine, head);
    }

    private static void release(Machine machine, long head) {
        MemMap mem = machine.memMap;
        mem.addRefcount(head, -1);
        if (mem.folioMapcount(head) <= 0) {
            mem.folioClearFlag(head, PageFlags.MMAP | PageFlags.MLOCKED | PageFlags.UNEVICTABLE);
        }
        if (mem.refcount(head) <= 0 && mem.mapping(head) == null) {
            if (mem.test(head, PageFlags.HUGE)) {
                machine.hugetlbGive();
            }
            machine.freeFolio(head);
        }
    }

    /** Whether no other mapping shares the folio ({@code folio_maybe_mapped_shared} is false). */
    static boolean mappedOnce(MemMap mem, long pfn) {
        long head = mem.folioHead(pfn);
        long n = mem.folioNrPages(head);
        int entire = mem.entireMapcount(head);
        if (entire > 1) {
            return false;
        }
        for (long i = 0; i < n; i++) {
            if (mem.mapcount(head + i) > 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code split_folio()}: the folio becomes small pages; those no mapping holds any more
     * are freed, as the kernel frees them at the end of the split.
     */
    static void splitFolio(Machine machine, long pfn) {
        MemMap mem = machine.memMap;
        long head = mem.folioHead(pfn);
        long n = mem.folioNrPages(head);
        if (n == 1) {
            return;
        }
        mem.splitFolio(head);
        for (long i = 0; i < n; i++) {
            if (mem.mapcount(head + i) == 0 && mem.mapping(head + i) == null) {
                machine.freePage(head + i);
            } else {
                mem.setRefcount(head + i, mem.mapcount(head + i));
                machine.reflectAnonExclusive(head + i); // each page now reports its own bit
            }
        }
    }

    /**
     * {@code folio_mark_accessed()}: the first access sets PG_referenced, the next one activates
     * the folio (PG_active, referenced cleared).
     */
    static void markAccessed(MemMap mem, long pfn) {
        if (!mem.test(pfn, PageFlags.REFERENCED)) {
            mem.folioSetFlag(pfn, PageFlags.REFERENCED);
        } else if (!mem.test(pfn, PageFlags.ACTIVE) && !mem.test(pfn, PageFlags.UNEVICTABLE)) {
            mem.folioSetFlag(pfn, PageFlags.ACTIVE);
            mem.folioClearFlag(pfn, PageFlags.REFERENCED);
        }
    }
}
