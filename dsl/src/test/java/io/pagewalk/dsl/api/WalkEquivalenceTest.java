package io.pagewalk.dsl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.testing.TestMm;
import io.pagewalk.runtime.walk.MmWalk;
import io.pagewalk.runtime.walk.MmWalkOps;
import io.pagewalk.runtime.walk.PageWalk;
import io.pagewalk.runtime.walk.PageWalkAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same walk done by a JavaScript script and by Java callbacks on the same model gives the
 * same calls, arguments and result, for every hook, entry point, non-zero early stops and walk
 * actions, with and without PTE batching.
 */
public class WalkEquivalenceTest {
    static final long A = 0x400000;

    /** Anon VMA with pages (NX set) and a swap entry, a THP, a PFNMAP VMA, a hugetlb VMA, gaps. */
    public static TestMm model() {
        TestMm t = new TestMm();
        t.anon(A, A + 0x5000);
        t.page(A);
        t.page(A + 0x2000);
        t.pte(A + 0x3000, Swapops.swp_entry_to_pte(Swapops.swp_entry(3, 0x1234)));
        t.anon(0x600000, 0xa00000);
        t.thp(0x800000);
        t.page(0x600000);
        t.vma(0xc00000, 0xc02000, TestMm.RW_ANON | VmFlags.VM_PFNMAP);
        VmArea huge = t.vma(0x40000000L, 0x40400000L, TestMm.RW_ANON | VmFlags.VM_HUGETLB);
        huge.setPageShift(21);
        PageTables.set(t.mm, 0x40200000L, PagingGeometry.PMD, Pgtable.pfn_pmd(0x3000, TestMm.PROT_RW | Pgtable._PAGE_PSE));
        t.anon(0x7ffff000_0000L, 0x7ffff001_0000L);
        t.page(0x7ffff000_f000L);
        return t;
    }

    record Plan(int call, int ret, int action) {}

    static Stream<Arguments> cases() {
        List<String> all = List.of("pgd_entry", "p4d_entry", "pud_entry", "pmd_entry", "pte_entry", "pte_hole",
                "hugetlb_entry", "test_walk", "pre_vma", "post_vma");
        List<Arguments> out = new ArrayList<>();
        for (boolean batch : new boolean[] {true, false}) {
            out.add(Arguments.of("range all hooks", batch, "range", all, List.of()));
            out.add(Arguments.of("range pte+hole to top", batch, "range_top", List.of("pte_entry", "pte_hole"), List.of()));
            out.add(Arguments.of("pmd only", batch, "range", List.of("pmd_entry", "pte_hole"), List.of()));
            out.add(Arguments.of("pte stops at 4th", batch, "range", List.of("pte_entry"), List.of(new Plan(3, 7, -1))));
            out.add(Arguments.of("pte negative stop", batch, "range", List.of("pte_entry", "pte_hole"),
                    List.of(new Plan(5, -22, -1))));
            out.add(Arguments.of("pmd continue", batch, "range", List.of("pmd_entry", "pte_entry"),
                    List.of(new Plan(0, 0, 1), new Plan(3, 0, 1))));
            out.add(Arguments.of("pmd again", batch, "range", List.of("pmd_entry", "pte_entry"), List.of(new Plan(1, 0, 2))));
            out.add(Arguments.of("pte again", batch, "range", List.of("pmd_entry", "pte_entry"), List.of(new Plan(2, 0, 2))));
            out.add(Arguments.of("test_walk skips", batch, "range", List.of("test_walk", "pte_entry", "pte_hole"),
                    List.of(new Plan(0, 1, -1))));
            out.add(Arguments.of("vma", batch, "vma", all, List.of()));
            out.add(Arguments.of("range_vma", batch, "range_vma", all, List.of(new Plan(4, 0, 1))));
            out.add(Arguments.of("novma", batch, "novma", List.of("pmd_entry", "pte_entry", "pte_hole"), List.of()));
            out.add(Arguments.of("hugetlb", batch, "hugetlb", List.of("hugetlb_entry", "pte_hole", "pre_vma", "post_vma"),
                    List.of()));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} batch={1}")
    @MethodSource("cases")
    void javaScriptWalkMatchesJavaWalk(String title, boolean batch, String entry, List<String> hooks, List<Plan> plan) {
        List<String> java = javaWalk(model().mm, entry, hooks, plan);
        String js = Scripts.run(model().mm, ScriptSession.Options.defaults().withBatch(batch), "equiv.js",
                script(entry, hooks, plan));
        assertEquals(String.join("\n", java), js);
        if (System.getenv("PAGEWALK_TEST_PRINT") != null) {
            System.out.println("== " + title + " batch=" + batch + "\n" + js);
        }
    }

    // ---------------------------------------------------------------- Java side

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    static List<String> javaWalk(MmStruct mm, String entry, List<String> hooks, List<Plan> plans) {
        List<String> calls = new ArrayList<>();
        Map<Integer, Plan> plan = plans.stream().collect(Collectors.toMap(Plan::call, p -> p));
        int[] n = {0};
        interface Step {
            int at(String s, MmWalk w);
        }
        Step step = (s, w) -> {
            calls.add(s);
            Plan p = plan.get(n[0]++);
            if (p != null && p.action >= 0) {
                w.setAction(PageWalkAction.of(p.action));
            }
            return p == null ? 0 : p.ret;
        };
        MmWalkOps.Builder b = MmWalkOps.builder();
        String[] lv = {"pgd_entry", "p4d_entry", "pud_entry", "pmd_entry", "pte_entry"};
        for (String h : hooks) {
            MmWalkOps.EntryCallback ec = (e, a, nx, w) -> step.at(h + " " + hex(a) + " " + hex(nx) + " " + hex(e.get())
                    + " " + vmaOf(w), w);
            switch (h) {
                case "pgd_entry" -> b.pgdEntry(ec);
                case "p4d_entry" -> b.p4dEntry(ec);
                case "pud_entry" -> b.pudEntry(ec);
                case "pmd_entry" -> b.pmdEntry(ec);
                case "pte_entry" -> b.pteEntry(ec);
                case "pte_hole" -> b.pteHole((a, nx, d, w) -> step.at("pte_hole " + hex(a) + " " + hex(nx) + " " + d
                        + " " + vmaOf(w), w));
                case "hugetlb_entry" -> b.hugetlbEntry((e, m, a, nx, w) -> step.at("hugetlb_entry " + hex(e.get()) + " "
                        + hex(m) + " " + hex(a) + " " + hex(nx), w));
                case "test_walk" -> b.testWalk((s, e, w) -> step.at("test_walk " + hex(s) + " " + hex(e) + " " + vmaOf(w), w));
                case "pre_vma" -> b.preVma((s, e, w) -> step.at("pre_vma " + hex(s) + " " + hex(e) + " " + vmaOf(w), w));
                case "post_vma" -> b.postVma(w -> step.at("post_vma " + vmaOf(w), w));
                default -> throw new IllegalArgumentException(h);
            }
        }
        MmWalkOps ops = b.build();
        int ret;
        VmArea first = mm.findVma(A);
        VmArea huge = mm.findVma(0x40000000L);
        switch (entry) {
            case "range" -> {
                try (var l = mm.mmapLock().read()) {
                    ret = PageWalk.walkPageRange(mm, 0x3fe000, 0x40600000L, ops, null);
                }
            }
            case "range_top" -> {
                try (var l = mm.mmapLock().read()) {
                    ret = PageWalk.walkPageRange(mm, 0x7ffff000_e000L, -1, ops, null);
                }
            }
            case "vma" -> {
                try (var l = mm.mmapLock().read()) {
                    ret = PageWalk.walkPageVma(first, ops, null);
                }
            }
            case "range_vma" -> {
                try (var l = mm.mmapLock().read()) {
                    ret = PageWalk.walkPageRangeVma(mm.findVma(0x600000), 0x601000, 0x900000, ops, null);
                }
            }
            case "novma" -> {
                try (var l = mm.mmapLock().write()) {
                    ret = PageWalk.walkPageRangeNovma(mm, 0, 0x1000000, ops, null, null);
                }
            }
            case "hugetlb" -> {
                try (var l = mm.mmapLock().read()) {
                    ret = PageWalk.walkPageVma(huge, ops, null);
                }
            }
            default -> throw new IllegalArgumentException(entry);
        }
        calls.add("ret " + ret);
        return calls;
    }

    static String vmaOf(MmWalk w) {
        return w.vma() == null ? "novma" : "vma@" + hex(w.vma().start());
    }

    // ---------------------------------------------------------------- JavaScript side

    static String script(String entry, List<String> hooks, List<Plan> plans) {
        StringBuilder planJs = new StringBuilder("{");
        for (Plan p : plans) {
            planJs.append(p.call).append(": {ret: ").append(p.ret).append(", action: ").append(p.action).append("},");
        }
        planJs.append("}");
        String call = switch (entry) {
            case "range" -> "walk_page_range(mm, 0x3fe000, 0x40600000, ops, null)";
            case "range_top" -> "walk_page_range(mm, 0x7ffff000e000, -1, ops, null)";
            case "vma" -> "walk_page_vma(find_vma(mm, 0x400000), ops, null)";
            case "range_vma" -> "walk_page_range_vma(find_vma(mm, 0x600000), 0x601000, 0x900000, ops, null)";
            case "novma" -> "walk_page_range_novma(mm, 0, 0x1000000, ops, null, null)";
            case "hugetlb" -> "walk_page_vma(find_vma(mm, 0x40000000), ops, null)";
            default -> throw new IllegalArgumentException(entry);
        };
        return """
                const calls = [];
                const plan = %s;
                let n = 0;
                const hex = (v) => '0x' + (v === 2 ** 64 ? 'ffffffffffffffff' : BigInt(v).toString(16));
                const vmaOf = (w) => w.vma ? 'vma@' + hex(w.vma.vm_start) : 'novma';
                const step = (s, w) => {
                    calls.push(s);
                    const p = plan[n++];
                    if (p && p.action >= 0) w.action = p.action;
                    return p ? p.ret : 0;
                };
                const hooks = %s;
                const ops = {};
                for (const h of ['pgd_entry', 'p4d_entry', 'pud_entry', 'pmd_entry', 'pte_entry']) {
                    if (hooks.includes(h)) ops[h] = (e, a, nx, w) => step(h + ' ' + hex(a) + ' ' + hex(nx) + ' ' + hex(e) + ' ' + vmaOf(w), w);
                }
                if (hooks.includes('pte_hole')) ops.pte_hole = (a, nx, d, w) => step('pte_hole ' + hex(a) + ' ' + hex(nx) + ' ' + d + ' ' + vmaOf(w), w);
                if (hooks.includes('hugetlb_entry')) ops.hugetlb_entry = (e, m, a, nx, w) => step('hugetlb_entry ' + hex(e) + ' ' + hex(m) + ' ' + hex(a) + ' ' + hex(nx), w);
                if (hooks.includes('test_walk')) ops.test_walk = (s, e, w) => step('test_walk ' + hex(s) + ' ' + hex(e) + ' ' + vmaOf(w), w);
                if (hooks.includes('pre_vma')) ops.pre_vma = (s, e, w) => step('pre_vma ' + hex(s) + ' ' + hex(e) + ' ' + vmaOf(w), w);
                if (hooks.includes('post_vma')) ops.post_vma = (w) => { step('post_vma ' + vmaOf(w), w); };
                const ret = %s;
                calls.push('ret ' + ret);
                calls.join('\\n');
                """.formatted(planJs, hooksJs(hooks), call);
    }

    static String hooksJs(List<String> hooks) {
        return hooks.stream().map(h -> "'" + h + "'").collect(Collectors.joining(", ", "[", "]"));
    }
}
