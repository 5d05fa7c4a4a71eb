package io.pagewalk.dsl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.testing.TestMm;
import io.pagewalk.runtime.walk.PageWalk;
import io.pagewalk.runtime.walk.MmWalkOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The script API beyond the walk order: helpers, BigInt encoding, folios, writes, mapping walks. */
class ApiTest {
    /** Every entry helper gives the runtime's answer, on edge values and random 64-bit values. */
    @Test
    void entryHelpersAgreeWithTheRuntime() {
        List<Long> values = new ArrayList<>(List.of(0L, -1L, Pgtable._PAGE_NX, Pgtable._PAGE_PROTNONE,
                Pgtable._PAGE_DIRTY | Pgtable._PAGE_ACCESSED, Pgtable.pfn_pte(0x1234, TestMm.PROT_RW),
                Pgtable.pfn_pte(0x1234, Pgtable._PAGE_PROTNONE), Pgtable.pfn_pmd(0x200, TestMm.PROT_RW | Pgtable._PAGE_PSE),
                Swapops.swp_entry_to_pte(Swapops.swp_entry(2, 0x777)),
                Swapops.swp_entry_to_pte(Swapops.make_migration_entry(Swapops.SWP_MIGRATION_WRITE, 0x4321)),
                Swapops.make_pte_marker(Swapops.PTE_MARKER_GUARD)));
        Random r = new Random(42);
        for (int i = 0; i < 40; i++) {
            values.add(r.nextLong());
        }
        String[] tests = {"pte_none", "pte_present", "is_swap_pte", "pte_write", "pte_dirty", "pte_young", "pte_soft_dirty",
            "pte_uffd_wp", "pmd_none", "pmd_present", "pmd_leaf", "pmd_trans_huge", "pmd_dirty", "pmd_young", "pud_none",
            "pud_leaf"};
        String[] nums = {"pte_pfn", "pmd_pfn", "pud_pfn"};
        StringBuilder js = new StringBuilder("const out = [];\nfor (const v of [");
        StringBuilder expected = new StringBuilder();
        for (long v : values) {
            js.append(Long.toUnsignedString(v)).append("n,");
            for (String t : tests) {
                expected.append(call(Pgtable.class, t, v)).append(' ');
            }
            for (String t : nums) {
                expected.append(call(Pgtable.class, t, v)).append(' ');
            }
            long swp = Swapops.pte_to_swp_entry(v);
            expected.append(Long.toUnsignedString(swp)).append(' ').append(Swapops.swp_type(swp)).append(' ')
                    .append(Swapops.swp_offset(swp)).append(' ').append(Swapops.is_migration_entry(swp)).append(' ')
                    .append(Swapops.is_pte_marker(v)).append(' ').append(Swapops.is_guard_pte_marker(v)).append('\n');
        }
        js.append("]) {\n  const e = pte_to_swp_entry(v);\n  out.push([")
                .append(String.join(", ", java.util.Arrays.stream(tests).map(t -> t + "(v)").toList())).append(", ")
                .append(String.join(", ", java.util.Arrays.stream(nums).map(t -> t + "(v)").toList()))
                .append(", e, swp_type(e), swp_offset(e), is_migration_entry(e), is_pte_marker(v), is_guard_pte_marker(v)].join(' ') + '\\n');\n}\nout.join('');\n");
        assertEquals(expected.toString(), Scripts.run(null, js.toString()));
    }

    private static String call(Class<?> type, String name, long v) {
        try {
            return String.valueOf(type.getMethod(name, long.class).invoke(null, v));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void vmaObjectsAndConstantsUseTheDocumentedEncoding() {
        TestMm t = new TestMm(PagingGeometry.ofLevels(5));
        long high = 0x00f0_0000_0000_0000L;
        t.vma(high, high + 0x2000, TestMm.RW_ANON | VmFlags.VM_SEALED);
        t.page(high + 0x1000);
        String out = Scripts.run(t.mm, """
                const v = mm.vmas[0];
                let seen = [];
                walk_page_range(mm, 0, 2n ** 64n - 1n, { pte_entry(pte, addr, next, walk) {
                    if (pte_present(pte)) seen.push(addr.toString(16), (pte & _PAGE_NX) === _PAGE_NX, pte_pfn(pte) > 0);
                } }, null);
                [typeof v.vm_start, v.vm_start.toString(16), typeof v.vm_flags, (v.vm_flags & VM_SEALED) !== 0n,
                 v.anonymous, v.vm_file, typeof PAGE_SIZE, typeof _PAGE_PRESENT, ACTION_AGAIN, PGWALK_WRLOCK,
                 walk_page_range(mm, 0x2000, 0x1000, {}, null) === -EINVAL, seen.join(' ')].join(',');
                """);
        assertEquals("number,f0000000000000,bigint,true,true,,number,bigint,2,1,true,f0000000001000 true true", out);
    }

    @Test
    void folioWalkFillsFwAndReturnsTheFolio() {
        TestMm t = new TestMm();
        t.anon(0x600000, 0xa00000);
        long head = t.thp(0x800000);
        long small = t.page(0x600000);
        String out = Scripts.run(t.mm, """
                const vma = find_vma(mm, 0x600000);
                const fw = {};
                const f = folio_walk_start(fw, vma, 0x803000, 0);
                const r1 = [f.pfn, folio_nr_pages(f), folio_test_large(f), folio_test_anon(f), fw.level === FW_LEVEL_PMD,
                            fw.page, typeof fw.pmd, pmd_leaf(fw.pmd)].join(' ');
                folio_walk_end(fw, vma);
                const g = folio_walk_start(fw, vma, 0x600000, 0);
                const r2 = [g.pfn, folio_nr_pages(g), fw.level === FW_LEVEL_PTE, typeof fw.pte, folio_mapcount(g)].join(' ');
                folio_walk_end(fw, vma);
                const none = folio_walk_start(fw, vma, 0x700000, 0);
                r1 + ' / ' + r2 + ' / ' + none;
                """);
        assertEquals(head + " 512 true true true " + (head + 3) + " bigint true / " + small + " 1 true bigint 1 / null", out);
        assertTrue(!t.mm.mmapLock().isLocked());
    }

    @Test
    void writesNeedAllowWriteAndInstallPteFillsHoles() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x404000);
        long pfn = t.page(0x401000);
        String script = """
                walk_page_range(mm, 0x400000, 0x404000, { pte_entry(pte, addr) {
                    if (pte_present(pte)) set_pte_at(mm, addr, pte & ~_PAGE_RW);
                } }, null);
                const ret = walk_page_range_mm(mm, 0x400000, 0x404000, {
                    install_pte(addr, next, ptep, walk) { ptep.value = BigInt(addr) | _PAGE_PRESENT; },
                    pte_entry() {},
                }, null);
                const refused = walk_page_range(mm, 0x400000, 0x404000, { install_pte() {} }, null);
                ret + ' ' + refused;
                """;
        assertThrows(ScriptException.class, () -> Scripts.run(t.mm, script));
        assertEquals(Pgtable.pfn_pte(pfn, TestMm.PROT_RW), PageTables.get(t.mm, 0x401000, PagingGeometry.PTE));
        String out = Scripts.run(t.mm, ScriptSession.Options.defaults().withAllowWrite(true), "w.js", script);
        assertEquals("0 -22", out);
        assertEquals(Pgtable.pfn_pte(pfn, TestMm.PROT_RW & ~Pgtable._PAGE_RW), PageTables.get(t.mm, 0x401000, PagingGeometry.PTE));
        assertEquals(0x400000L | Pgtable._PAGE_PRESENT, PageTables.get(t.mm, 0x400000, PagingGeometry.PTE));
        assertEquals(0x403000L | Pgtable._PAGE_PRESENT, PageTables.get(t.mm, 0x403000, PagingGeometry.PTE));
    }

    /** A pte_entry that changes a later PTE of the same table sees the new value there (batched or not). */
    @Test
    void laterPteEntrySeesAnEarlierWrite() {
        for (boolean batch : new boolean[] {true, false}) {
            TestMm t = new TestMm();
            t.anon(0x400000, 0x403000);
            t.page(0x400000);
            t.page(0x402000);
            String out = Scripts.run(t.mm, ScriptSession.Options.defaults().withAllowWrite(true).withBatch(batch), "w.js", """
                    const seen = [];
                    walk_page_range(mm, 0x400000, 0x403000, { pte_entry(pte, addr) {
                        if (addr === 0x400000) set_pte_at(mm, 0x402000, 0n);
                        seen.push(pte === 0n ? 'none' : 'page');
                    } }, null);
                    seen.join(' ');
                    """);
            assertEquals("page none none", out, "batch=" + batch);
        }
    }

    @Test
    void walkPageMappingVisitsEveryVmaOfTheFile() {
        TestMm t = new TestMm();
        AddressSpace file = new AddressSpace("/lib/x.so", 8, 1234, false);
        t.file(0x400000, 0x404000, TestMm.RW_ANON & ~VmFlags.VM_WRITE, file, 0);
        t.file(0x700000, 0x702000, TestMm.RW_ANON & ~VmFlags.VM_WRITE, file, 2);
        t.page(0x402000);
        t.page(0x700000);
        List<String> java = new ArrayList<>();
        file.iMmapLockRead();
        int ret = PageWalk.walkPageMapping(file, 1, 2, MmWalkOps.builder()
                .pteEntry((e, a, n, w) -> {
                    java.add(Long.toHexString(a) + ":" + (e.get() != 0));
                    return 0;
                }).build(), null);
        file.iMmapUnlockRead();
        String out = Scripts.run(t.mm, """
                const seen = [];
                const f = mm.vmas[0].vm_file;
                const r = walk_page_mapping(f, 1, 2, { pte_entry(pte, addr) { seen.push(addr.toString(16) + ':' + (pte !== 0n)); } }, null);
                f.path + ' ' + r + ' ' + seen.join(' ');
                """);
        assertEquals("/lib/x.so " + ret + " " + String.join(" ", java), out);
        assertEquals(3, java.size(), java.toString());
    }
}
