package io.pagewalk.plugins.more;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.testing.TestMm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The clear_refs plugin. Modes 1-3 against the kernel on a real process: the folios' referenced
 * flag (what /proc/kpageflags shows of the walk; the PTE young bit is not exported) after the
 * plugin on an import equals a fresh import after the real write to clear_refs. Mode 4 on
 * synthetic models (this kernel has no CONFIG_MEM_SOFT_DIRTY, so soft-dirty is never set on the
 * real machine) and, for what is visible, on the real process too.
 */
class ClearRefsPluginTest {
    private static final long A = 0x7f0000000000L;

    @Test
    void referencedFlagsFollowTheKernelForAnonFileAndAll() throws Exception {
        try (Mutator p = Mutator.start()) {
            for (int i = 0; i < 3; i++) {
                p.command("pread 0 16"); // page cache accessed twice: active, and referenced again
            }
            MmStruct model = Live.importProcess(p.pid());
            List<Boolean> file = referenced(model, p.region("file"));
            assertTrue(file.stream().allMatch(b -> b), "file pages start referenced: " + file);

            for (String type : List.of("2", "3")) {
                Live.run("clear_refs", model, true, type);
                Files.writeString(Path.of("/proc/" + p.pid() + "/clear_refs"), type);
                MmStruct kernel = Live.importProcess(p.pid());
                for (String r : List.of("anon", "file")) {
                    assertEquals(referenced(kernel, p.region(r)), referenced(model, p.region(r)), "clear_refs " + type + " " + r);
                }
            }
            assertTrue(referenced(model, p.region("file")).stream().noneMatch(b -> b), "3 cleared the file pages");
            assertYoung(model, p.region("anon"), false);
            assertYoung(model, p.region("file"), false);

            for (int i = 0; i < 3; i++) {
                p.command("pread 0 16");
            }
            model = Live.importProcess(p.pid());
            assertYoung(model, p.region("anon"), true);
            Live.run("clear_refs", model, true, "1");
            Files.writeString(Path.of("/proc/" + p.pid() + "/clear_refs"), "1");
            MmStruct kernel = Live.importProcess(p.pid());
            assertEquals(referenced(kernel, p.region("file")), referenced(model, p.region("file")), "clear_refs 1");
            assertYoung(model, p.region("anon"), false);
        }
    }

    @Test
    void softDirtyClearOnARealProcessLeavesWhatIsVisibleAsTheKernelDoes() throws Exception {
        try (Mutator p = Mutator.start()) {
            Mutator.Region anon = p.region("anon");
            MmStruct model = Live.importProcess(p.pid());
            Live.run("clear_refs", model, true, "4");
            Files.writeString(Path.of("/proc/" + p.pid() + "/clear_refs"), "4");
            assertEquals(0, p.command("write anon 0 2"));   // pages present before
            assertEquals(0, p.command("write anon 16 2"));  // new pages
            long[] pagemap;
            try (PagemapReader r = PagemapReader.open(p.pid())) {
                pagemap = r.read(anon.start(), anon.end());
            }
            for (int i = 0; i < pagemap.length; i++) {
                long pte = PageTables.get(model, anon.page(i), PagingGeometry.PTE);
                if (i >= 16 && i < 18) {
                    assertTrue(PagemapEntry.present(pagemap[i]) && !Pgtable.pte_present(pte), "written after: page " + i);
                    continue;
                }
                assertEquals(PagemapEntry.present(pagemap[i]), Pgtable.pte_present(pte), "page " + i);
                if (Pgtable.pte_present(pte)) {
                    assertEquals(PagemapEntry.pfn(pagemap[i]), Pgtable.pte_pfn(pte), "page " + i);
                    assertFalse(Pgtable.pte_soft_dirty(pte));
                    assertFalse(Pgtable.pte_write(pte), "write-protected for soft-dirty tracking: page " + i);
                }
                // No CONFIG_MEM_SOFT_DIRTY: the kernel reports no soft-dirty page, written or not.
                assertFalse(PagemapEntry.softDirty(pagemap[i]), "page " + i);
            }
        }
    }

    @Test
    void softDirtyIsClearedFromPtesSwapEntriesHugePmdsAndVmas() throws Exception {
        TestMm t = new TestMm();
        VmArea vma = t.vma(A, A + (4L << 20), TestMm.RW_ANON | VmFlags.VM_SOFTDIRTY);
        long pfn = t.page(A);
        t.pte(A, t.get(A, PagingGeometry.PTE) | Pgtable._PAGE_SOFT_DIRTY | Pgtable._PAGE_ACCESSED);
        t.pte(A + 0x1000, TestMm.swapPte(7) | Pgtable._PAGE_SWP_SOFT_DIRTY);
        t.thp(A + (2L << 20));
        long pmd = t.get(A + (2L << 20), PagingGeometry.PMD) | Pgtable._PAGE_SOFT_DIRTY;
        PageTables.set(t.mm, A + (2L << 20), PagingGeometry.PMD, pmd);
        t.mm.memMap().setFlag(pfn, PageFlags.REFERENCED);

        assertThrows(Exception.class, () -> Live.run("clear_refs", t.mm, false, "4"), "needs --allow-write");
        assertEquals("clear_refs 4: 2 PTEs and 1 huge PMDs cleared, VM_SOFTDIRTY cleared on 1 VMAs\n",
                Live.run("clear_refs", t.mm, true, "4"));
        long pte = t.get(A, PagingGeometry.PTE);
        assertFalse(Pgtable.pte_soft_dirty(pte));
        assertFalse(Pgtable.pte_write(pte));
        assertTrue(Pgtable.pte_young(pte), "4 leaves the accessed bit");
        assertTrue(t.mm.memMap().test(pfn, PageFlags.REFERENCED), "and the referenced flag");
        assertEquals(TestMm.swapPte(7), t.get(A + 0x1000, PagingGeometry.PTE));
        long newPmd = t.get(A + (2L << 20), PagingGeometry.PMD);
        assertFalse(Pgtable.pmd_soft_dirty(newPmd));
        assertFalse(Pgtable.pmd_write(newPmd));
        assertTrue(Pgtable.pmd_trans_huge(newPmd), "not split");
        assertFalse(vma.test(VmFlags.VM_SOFTDIRTY));
    }

    @Test
    void youngAndReferencedAreClearedOnPtesAndHugePmdsOfTheChosenVmas() throws Exception {
        TestMm t = new TestMm();
        t.anon(A, A + (4L << 20));
        long pfn = t.page(A);
        t.pte(A, t.get(A, PagingGeometry.PTE) | Pgtable._PAGE_ACCESSED);
        long head = t.thp(A + (2L << 20));
        PageTables.set(t.mm, A + (2L << 20), PagingGeometry.PMD, t.get(A + (2L << 20), PagingGeometry.PMD) | Pgtable._PAGE_ACCESSED);
        t.mm.memMap().setFlag(pfn, PageFlags.REFERENCED);
        t.mm.memMap().folioSetFlag(head, PageFlags.REFERENCED);

        assertEquals("clear_refs 3: 0 PTEs and 0 huge PMDs cleared\n", Live.run("clear_refs", t.mm, true, "3"), "file VMAs only");
        assertTrue(Pgtable.pte_young(t.get(A, PagingGeometry.PTE)));
        assertEquals("clear_refs 2: 1 PTEs and 1 huge PMDs cleared\n", Live.run("clear_refs", t.mm, true, "2"));
        assertFalse(Pgtable.pte_young(t.get(A, PagingGeometry.PTE)));
        assertFalse(Pgtable.pmd_young(t.get(A + (2L << 20), PagingGeometry.PMD)));
        assertFalse(t.mm.memMap().test(pfn, PageFlags.REFERENCED));
        assertFalse(t.mm.memMap().test(head, PageFlags.REFERENCED));
        assertTrue(Pgtable.pmd_trans_huge(t.get(A + (2L << 20), PagingGeometry.PMD)), "not split");
        assertEquals("clear_refs 5: the peak RSS (VmHWM) is not part of the model; nothing changed\n",
                Live.run("clear_refs", t.mm, true, "5"));
        assertThrows(Exception.class, () -> Live.run("clear_refs", t.mm, true, "6"));
    }

    /** Per present page of the region: whether its folio has the referenced flag. */
    private static List<Boolean> referenced(MmStruct mm, Mutator.Region r) {
        List<Boolean> out = new ArrayList<>();
        for (long a = r.start(); a < r.end(); a += 4096) {
            long pte = PageTables.get(mm, a, PagingGeometry.PTE);
            if (Pgtable.pte_present(pte)) {
                long head = mm.memMap().folioHead(Pgtable.pte_pfn(pte));
                out.add(mm.memMap().test(head, PageFlags.REFERENCED));
            }
        }
        return out;
    }

    private static void assertYoung(MmStruct mm, Mutator.Region r, boolean young) {
        for (long a = r.start(); a < r.end(); a += 4096) {
            long pte = PageTables.get(mm, a, PagingGeometry.PTE);
            if (Pgtable.pte_present(pte)) {
                assertEquals(young, Pgtable.pte_young(pte), Long.toHexString(a));
            }
        }
    }
}
