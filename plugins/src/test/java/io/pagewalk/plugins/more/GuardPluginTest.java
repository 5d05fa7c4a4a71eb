package io.pagewalk.plugins.more;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The guard plugin on an import of a real process against the kernel's own MADV_GUARD_INSTALL /
 * MADV_GUARD_REMOVE on that process, compared through a fresh import afterwards: entry by entry
 * (present page and its PFN, guard marker, empty) and the VMA's flags.
 */
class GuardPluginTest {
    @Test
    void installAndRemoveChangeTheModelAsTheKernelChangesTheProcess() throws Exception {
        try (Mutator p = Mutator.start()) {
            Mutator.Region anon = p.region("anon");
            MmStruct model = Live.importProcess(p.pid());
            long before = model.findVma(anon.start()).flags();
            // Pages 12-15 are written (zapped, then guarded), 16-19 untouched (guarded directly).
            String out = Live.run("guard", model, true, "install", hex(anon.page(12)), "0x8000");
            assertEquals("madvise(" + hex(anon.page(12)) + ", 0x8000, MADV_GUARD_INSTALL) = 0\n", out);
            assertEquals(0, p.command("guard anon 12 8"));
            MmStruct kernel = Live.importProcess(p.pid());
            assertEquals(entries(kernel, anon), entries(model, anon));
            assertEquals(kernel.findVma(anon.start()).flags(), model.findVma(anon.start()).flags());
            assertTrue((kernel.findVma(anon.start()).flags() & VmFlags.VM_MAYBE_GUARD) != 0 && (before & VmFlags.VM_MAYBE_GUARD) == 0,
                    "the kernel marks the VMA \"gu\"");
            assertEquals(8, entries(model, anon).stream().filter(e -> e.equals("guard")).count());

            // Remove part of it, and over pages that hold no marker (a no-op there).
            out = Live.run("guard", model, true, "remove", hex(anon.page(14)), "0x8000");
            assertEquals("madvise(" + hex(anon.page(14)) + ", 0x8000, MADV_GUARD_REMOVE) = 0\n", out);
            assertEquals(0, p.command("unguard anon 14 8"));
            kernel = Live.importProcess(p.pid());
            assertEquals(entries(kernel, anon), entries(model, anon));
            assertEquals(kernel.findVma(anon.start()).flags(), model.findVma(anon.start()).flags(), "remove keeps \"gu\"");
        }
    }

    @Test
    void installInsideAThpZapsAndSplitsItFirstAsTheKernelDoes() throws Exception {
        try (Mutator p = Mutator.start()) {
            Mutator.Region thp = p.region("thp");
            MmStruct model = Live.importProcess(p.pid());
            long pmd = PageTables.get(model, thp.start(), PagingGeometry.PMD);
            Assumptions.assumeTrue(Pgtable.pmd_trans_huge(pmd), "the kernel gave the region no THP (fragmented memory?)");
            // pmd_entry returns 1 on the huge PMD: the range is zapped (splitting the PMD) and walked again.
            assertEquals("madvise(" + hex(thp.page(3)) + ", 0x2000, MADV_GUARD_INSTALL) = 0\n",
                    Live.run("guard", model, true, "install", hex(thp.page(3)), "0x2000"));
            assertEquals(0, p.command("guard thp 3 2"));
            MmStruct kernel = Live.importProcess(p.pid());
            List<String> entries = entries(model, thp);
            assertEquals(entries(kernel, thp), entries);
            assertEquals(List.of("guard", "guard"), entries.subList(3, 5));
            assertEquals("page " + Long.toHexString(Pgtable.pmd_pfn(pmd) + 5), entries.get(5), "the rest stays mapped, PTE by PTE");
        }
    }

    @Test
    void badArgumentsFailAsMadviseFailsAndChangeNothing() throws Exception {
        try (Mutator p = Mutator.start()) {
            Mutator.Region anon = p.region("anon");
            MmStruct model = Live.importProcess(p.pid());
            List<String> before = entries(model, anon);
            assertEquals("madvise(" + hex(anon.page(1) + 8) + ", 0x1000, MADV_GUARD_INSTALL) = -1 EINVAL\n",
                    Live.run("guard", model, true, "install", hex(anon.page(1) + 8), "0x1000"));
            // A range running past the region's end into the hole after it: the mapped part is
            // guarded, then ENOMEM, as madvise does with holes.
            VmArea next = model.findVma(anon.end());
            assertTrue(next == null || next.start() >= anon.end() + 0x8000, "an 8-page hole after the region");
            assertEquals("madvise(" + hex(anon.page(30)) + ", 0x4000, MADV_GUARD_INSTALL) = -1 ENOMEM\n",
                    Live.run("guard", model, true, "install", hex(anon.page(30)), "0x4000"));
            assertEquals(12, p.command("guard anon 30 4"), "ENOMEM from the kernel too");
            assertEquals(entries(Live.importProcess(p.pid()), anon), entries(model, anon));
            assertEquals(List.of("guard", "guard"), entries(model, anon).subList(30, 32));
            assertEquals(before.subList(0, 30), entries(model, anon).subList(0, 30));
        }
    }

    /** What a walk of the region sees, page by page: "page PFN", "guard", "none", or the raw entry. */
    private static List<String> entries(MmStruct mm, Mutator.Region r) {
        List<String> out = new ArrayList<>();
        for (long a = r.start(); a < r.end(); a += 4096) {
            long pte = PageTables.get(mm, a, PagingGeometry.PTE);
            if (Pgtable.pte_none(pte)) {
                out.add("none");
            } else if (Pgtable.pte_present(pte)) {
                out.add("page " + Long.toHexString(Pgtable.pte_pfn(pte)));
            } else if (Swapops.is_guard_pte_marker(pte)) {
                out.add("guard");
            } else {
                out.add("entry " + Long.toHexString(pte));
            }
        }
        return out;
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
