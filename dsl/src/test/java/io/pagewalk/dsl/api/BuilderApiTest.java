package io.pagewalk.dsl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.builder.SyntheticConfig;
import io.pagewalk.runtime.builder.SyntheticProcess;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.testing.TestMm;
import io.pagewalk.runtime.walk.MmWalkOps;
import io.pagewalk.runtime.walk.PageWalk;
import io.pagewalk.runtime.walk.PageWalkAction;
import org.junit.jupiter.api.Test;

/** {@code mm_create()}: a script builds an address space the way a program does, then walks it. */
class BuilderApiTest {
    /** The same program in JavaScript and in Java: anon pages, a THP, a fork, an mprotect split. */
    private static final String PROGRAM = """
            const mm = mm_create({ zero_page: false });
            const a = mm.mmap(0, 64 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
            mm.touch(a, 16 * PAGE_SIZE, true);
            mm.touch(a + 16 * PAGE_SIZE, 8 * PAGE_SIZE, false);
            const h = mm.mmap(0, 4 * PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
            const thp = Math.ceil(h / PMD_SIZE) * PMD_SIZE;
            mm.madvise(thp, PMD_SIZE, MADV_HUGEPAGE);
            mm.touch(thp, PMD_SIZE, true);
            const child = mm.fork();
            mm.mprotect(a, 4 * PAGE_SIZE, PROT_READ);
            let present = 0, huge = 0, shared = 0;
            const ops = {
                pmd_entry(pmd, addr, next, walk) {
                    if (pmd_trans_huge(pmd)) { huge++; walk.action = ACTION_CONTINUE; }
                },
                pte_entry(pte, addr, next, walk) {
                    if (!pte_present(pte)) return 0;
                    present++;
                    if (page_mapcount(pte_pfn(pte)) > 1) shared++;
                },
            };
            walk_page_range(mm, 0, -1, ops, null);
            `${mm.vmas.length} ${present} ${huge} ${shared} ${child.vmas.length} ${mm.origin}`;
            """;

    @Test
    void aScriptBuildsForksAndWalksLikeTheJavaBuilder() {
        String js = Scripts.run(null, PROGRAM);

        SyntheticProcess p = new SyntheticProcess(SyntheticConfig.defaults().withZeroPage(false));
        long rw = SyntheticProcess.PROT_READ | SyntheticProcess.PROT_WRITE;
        int anon = SyntheticProcess.MAP_PRIVATE | SyntheticProcess.MAP_ANONYMOUS;
        long a = p.mmap(0, 64 * 4096, (int) rw, anon, null, 0);
        p.touch(a, 16 * 4096, true);
        p.touch(a + 16 * 4096, 8 * 4096, false);
        long h = p.mmap(0, 4L << 21, (int) rw, anon, null, 0);
        long thp = (h + (1L << 21) - 1) & -(1L << 21);
        p.madvise(thp, 1L << 21, SyntheticProcess.MADV_HUGEPAGE);
        p.touch(thp, 1L << 21, true);
        SyntheticProcess child = p.fork();
        p.mprotect(a, 4 * 4096, SyntheticProcess.PROT_READ);
        long[] c = new long[3];
        MmStruct mm = p.mm();
        MmWalkOps ops = MmWalkOps.builder()
                .pmdEntry((pmd, addr, next, walk) -> {
                    if (Pgtable.pmd_trans_huge(pmd.get())) {
                        c[1]++;
                        walk.setAction(PageWalkAction.ACTION_CONTINUE);
                    }
                    return 0;
                })
                .pteEntry((pte, addr, next, walk) -> {
                    if (Pgtable.pte_present(pte.get())) {
                        c[0]++;
                        c[2] += mm.memMap().mapcount(Pgtable.pte_pfn(pte.get())) > 1 ? 1 : 0;
                    }
                    return 0;
                })
                .build();
        try (var lock = mm.mmapLock().read()) {
            assertEquals(0, PageWalk.walkPageRange(mm, 0, -1L, ops, null));
        }
        String java = mm.vmas().size() + " " + c[0] + " " + c[1] + " " + c[2] + " " + child.mm().vmas().size() + " synthetic";
        assertEquals(java, js);
        // What the program did, so that equal wrong answers cannot pass: 24 small pages (16 written,
        // 8 read with no zero page), one THP, every page shared with the child after the fork.
        String[] f = js.split(" ");
        assertEquals("24 1 24", f[1] + " " + f[2] + " " + f[3]);
        assertEquals("synthetic", f[5]);
    }

    @Test
    void systemCallErrorsAndForeignAddressSpacesAreOneLineErrors() {
        ScriptException bad = assertThrows(ScriptException.class, () -> Scripts.run(null,
                "const p = mm_create(); p.mmap(4097, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);"));
        assertTrue(bad.getMessage().contains("test.js:1") && bad.getMessage().contains("EINVAL"), bad.getMessage());
        TestMm t = new TestMm();
        ScriptException foreign = assertThrows(ScriptException.class, () -> Scripts.run(t.mm,
                "mm.mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);"));
        assertTrue(foreign.getMessage().contains("only address spaces made by mm_create()"), foreign.getMessage());
        assertEquals(1, foreign.getMessage().lines().count());
    }
}
