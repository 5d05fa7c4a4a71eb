package io.pagewalk.runtime.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Section lookup (last-section cache, direct array, map beyond it) never confuses two sections. */
class MemMapSectionLookupTest {
    private static final long SECTION = MemMap.SECTION_PAGES;

    @Test
    void pagesInDifferentSectionsStayApart() {
        MemMap m = new MemMap();
        m.setPage(5, PageFlags.ANON, 1, 1);
        // Looked up right after section 0: a section past the direct array that does not exist.
        assertFalse(m.pfnValid(40 * SECTION + 5));
        assertEquals(PageFlags.NOPAGE, m.flags(40 * SECTION + 5));
        m.setPage(40 * SECTION + 5, PageFlags.MMAP, 2, 2);
        m.setPage(3 * SECTION + 5, PageFlags.LRU, 3, 3);
        long far = (1L << 40) + 5; // beyond the direct array: kept in the map
        m.setPage(far, PageFlags.DIRTY, 4, 4);
        assertEquals(PageFlags.ANON, m.flags(5));
        assertEquals(PageFlags.MMAP, m.flags(40 * SECTION + 5));
        assertEquals(PageFlags.LRU, m.flags(3 * SECTION + 5));
        assertEquals(PageFlags.DIRTY, m.flags(far));
        assertEquals(4, m.mapcount(far));
        assertFalse(m.pfnValid(far + SECTION));
        assertTrue(m.pfnValid(far));
    }
}
