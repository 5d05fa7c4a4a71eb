package io.pagewalk.dsl.compiler;

import io.pagewalk.dsl.api.WalkEquivalenceTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.api.ScriptSession;
import io.pagewalk.dsl.compiler.CompiledRuns.Run;
import io.pagewalk.runtime.testing.TestMm;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every compiled hook gets the walker's arguments as GraalJS does and steers the walk the same
 * way (non-zero returns, walk.action), for every entry point, on a model with NX pages, a swap
 * entry, a THP, a PFNMAP VMA, a hugetlb VMA, gaps and the top of the address space.
 */
class CompiledWalkTest {
    /** The model of WalkEquivalenceTest (the same walks, now compiled). */
    static TestMm model() {
        return WalkEquivalenceTest.model();
    }

    static final String ALL = "pgd_entry p4d_entry pud_entry pmd_entry pte_entry pte_hole hugetlb_entry test_walk pre_vma post_vma";

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        String[] entries = {
            "walk_page_range(mm, 0x3fe000, 0x40600000, ops, st)",
            "walk_page_range(mm, 0x7ffff000e000, -1, ops, st)",
            "walk_page_vma(find_vma(mm, 0x400000), ops, st)",
            "walk_page_range_vma(find_vma(mm, 0x600000), 0x601000, 0x900000, ops, st)",
            "walk_page_range_novma(mm, 0, 0x1000000, ops, null, st)",
            "walk_page_vma(find_vma(mm, 0x40000000), ops, st)",
        };
        // plan: the call number that returns ret / sets action (-1: none)
        int[][] plans = {{-1, 0, -1}, {3, 7, -1}, {5, -22, -1}, {0, 0, 1}, {2, 0, 1}, {1, 1, -1}};
        for (String e : entries) {
            for (int[] p : plans) {
                out.add(Arguments.of(e, ALL, p[0], p[1], p[2]));
                out.add(Arguments.of(e, "pmd_entry pte_entry pte_hole", p[0], p[1], p[2]));
                out.add(Arguments.of(e, "pte_entry test_walk post_vma", p[0], p[1], p[2]));
            }
        }
        return out.stream();
    }

    static String script(String call, String hooks, int at, int ret, int action) {
        StringBuilder ops = new StringBuilder("const ops = {\n");
        for (String h : hooks.split(" ")) {
            String args = switch (h) {
                case "pte_hole" -> "addr, next, depth, walk";
                case "hugetlb_entry" -> "e, hmask, addr, next, walk";
                case "test_walk", "pre_vma" -> "addr, next, walk";
                case "post_vma" -> "walk";
                default -> "e, addr, next, walk";
            };
            String record = switch (h) {
                case "pte_hole" -> "log.push(addr); log.push(next); log.push(depth);";
                case "hugetlb_entry" -> "log.push(Number(e >> 32n)); log.push(Number(e & 0xffffffffn)); log.push(Number(hmask >> 12n));"
                        + " log.push(addr); log.push(next);";
                case "test_walk", "pre_vma" -> "log.push(addr); log.push(next);";
                case "post_vma" -> "";
                default -> "log.push(Number(e >> 32n)); log.push(Number(e & 0xffffffffn)); log.push(addr); log.push(next);";
            };
            String id = String.valueOf(ALL.indexOf(h));
            String step = "step(" + id + ", walk)";
            ops.append("    ").append(h).append("(").append(args).append(") {\n        ").append(record)
                    .append("\n        log.push(walk.vma === null ? -1 : walk.vma.vm_start);\n        walk.private.calls++;\n        ")
                    .append(h.equals("post_vma") ? step + ";" : "return " + step + ";").append("\n    },\n");
        }
        ops.append("};\n");
        return """
                const log = [];
                const st = { calls: 0 };
                let n = 0;
                function step(hook, walk) {
                    log.push(hook);
                    log.push(walk.action);
                    n++;
                    if (n - 1 === %d) {
                        if (%d >= 0) walk.action = %d;
                        return %d;
                    }
                    return 0;
                }
                %s
                const ret = %s;
                JSON.stringify([ret, n, st.calls, log]);
                """.formatted(at, action, action, ret, ops, call);
    }

    @ParameterizedTest(name = "{0} [{1}] at {2}: ret {3} action {4}")
    @MethodSource("cases")
    void compiledHooksWalkAsGraalJsHooks(String call, String hooks, int at, int ret, int action) {
        String text = script(call, hooks, at, ret, action);
        ScriptSession.Options o = ScriptSession.Options.defaults();
        Run graal = CompiledRuns.run(CompiledWalkTest::model, o.withCompile(CompileMode.NEVER), text);
        Run compiled = CompiledRuns.run(CompiledWalkTest::model, o.withCompile(CompileMode.ALWAYS), text);
        assertNull(graal.error(), graal.message());
        assertNull(compiled.error(), compiled.message());
        assertTrue(compiled.compiled(), compiled.explain().toString());
        assertEquals(graal.value(), compiled.value());
    }
}
