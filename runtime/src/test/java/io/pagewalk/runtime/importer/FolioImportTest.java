package io.pagewalk.runtime.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.PageFlags;
import org.junit.jupiter.api.Test;

/** Folios from kpageflags/kpagecount values, without the kernel. */
class FolioImportTest {
    private static final long THP = PageFlags.ANON | PageFlags.SWAPBACKED | PageFlags.MMAP | PageFlags.THP;

    @Test
    void headAndTailsMakeOneFolioOfTheirOrder() {
        long head = 0x200000;
        long[] pfns = new long[513];
        long[] flags = new long[513];
        long[] counts = new long[513];
        for (int k = 0; k < 512; k++) {
            pfns[k] = head + k;
            flags[k] = THP | (k == 0 ? PageFlags.COMPOUND_HEAD : PageFlags.COMPOUND_TAIL);
            counts[k] = k == 7 ? 0 : 1; // a hole at subpage 7
        }
        pfns[512] = head + 512;
        flags[512] = PageFlags.ANON | PageFlags.MMAP;
        counts[512] = 2;
        MemMap m = new MemMap();
        FolioImport f = new FolioImport();
        f.fill(m, pfns, flags, counts);
        assertEquals(9, m.folioOrder(head));
        assertEquals(head, m.folioHead(head + 300));
        assertEquals(flags[300], m.flags(head + 300));
        assertEquals(0, m.mapcount(head + 7));
        assertEquals(511, m.folioMapcount(head));
        assertEquals(0, m.folioOrder(head + 512));
        assertEquals(head + 512, m.folioHead(head + 512));
        assertEquals(2, m.mapcount(head + 512));
        assertEquals(1, f.heads.length, "only large folios wait for their entire mapcount");
        assertEquals(2, m.refcount(head + 512), "a small page gets its mapcount as refcount at once");
        assertEquals(0, f.orphanTails);
        f.setRefcounts(m);
        assertEquals(511, m.refcount(head));
    }

    @Test
    void tailsWithoutTheirHeadBecomeSmallPages() {
        long[] pfns = {0x300001, 0x300002};
        long[] flags = {THP | PageFlags.COMPOUND_TAIL, THP | PageFlags.COMPOUND_TAIL};
        MemMap m = new MemMap();
        FolioImport f = new FolioImport();
        f.fill(m, pfns, flags, new long[] {1, 1});
        assertEquals(2, f.orphanTails);
        assertEquals(0x300002, m.folioHead(0x300002));
        assertEquals(0, m.flags(0x300002) & PageFlags.COMPOUND_TAIL);
    }

    @Test
    void zeroPageIsRecognisedByItsFlag() {
        MemMap m = new MemMap();
        FolioImport f = new FolioImport();
        f.fill(m, new long[] {0x5000}, new long[] {PageFlags.ZERO_PAGE | PageFlags.RESERVED}, new long[] {0});
        assertEquals(0x5000, f.zeroPfn);
        assertTrue(m.is_zero_pfn(0x5000));
    }
}
