package io.pagewalk.dsl.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.api.ScriptSession;
import io.pagewalk.dsl.engine.ScriptEngine;
import java.util.List;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * How compiled hooks are bound to walks: one compilation reused by later walks of the same hooks
 * while the script's values keep their types, a new check when they do not, the script's state
 * before and after each walk, and the cases that stay on GraalJS.
 */
class HookCompilerTest {
    /** A model of 4 VMAs of 8 pages, 5 of each touched, made by the script. */
    private static final String MODEL = """
            const m = mm_create();
            for (let i = 0; i < 4; i++) {
                const a = m.mmap(0x10000000 + i * 0x100000, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
                m.touch(a, 5 * PAGE_SIZE, true);
            }
            """;

    record Run(String value, List<String> explain) {}

    static Run run(CompileMode mode, String text) {
        try (ScriptSession s = new ScriptSession(null, ScriptSession.Options.defaults().withCompile(mode))) {
            Value v = s.run(ScriptEngine.shared().snippet("t.js", MODEL + text));
            return new Run(v.isString() ? v.asString() : v.toString(), s.compileExplanations());
        }
    }

    /** The script gives the same value compiled and on GraalJS; returns the compiled run. */
    static Run same(String text) {
        Run compiled = run(CompileMode.AUTO, text);
        Run graal = run(CompileMode.NEVER, text);
        assertEquals(graal.value(), compiled.value(), "compiled and GraalJS differ");
        return compiled;
    }

    @Test
    void laterWalksSeeTheGlobalsTheScriptChangedBetweenThem() {
        Run r = same("""
                let weight = 1;
                let perVma = { n: 0 };
                const out = [];
                const ops = { pte_entry(pte, addr, next, walk) { if (pte_present(pte)) perVma.n += weight; return 0; } };
                for (const v of m.vmas) {
                    perVma = { n: 0 };
                    walk_page_vma(v, ops, null);
                    out.push(perVma.n);
                    weight *= 2;
                }
                out.join(',');
                """);
        assertEquals("5,10,20,40", r.value());
        assertEquals(List.of("pte_entry (t.js:10): compiled"), r.explain());
    }

    @Test
    void aGlobalThatChangesItsTypeIsCheckedAgainAndStaysExact() {
        // weight is a Number for two walks, then a BigInt: the hook no longer checks (a Number
        // plus a BigInt is a TypeError), so those walks run on GraalJS and throw as JavaScript does.
        Run r = same("""
                let weight = 1;
                const st = { n: 0 };
                const ops = { pte_entry(pte, addr, next, walk) { if (pte_present(pte)) st.n += weight; return 0; } };
                const out = [];
                for (const v of m.vmas) {
                    try { walk_page_vma(v, ops, null); out.push(st.n); } catch (e) { out.push(String(e).split(':')[0]); }
                    if (out.length === 2) weight = 1n;
                }
                out.join(',');
                """);
        assertEquals("5,10,TypeError,TypeError", r.value());
    }

    @Test
    void stateAndGlobalsWrittenBeforeAnErrorAreKept() {
        Run r = same("""
                const st = { n: 0, last: 0 };
                let seen = 0;
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        if (!pte_present(pte)) return 0;
                        st.n++;
                        seen = addr;
                        if (st.n === 3) return page_folio(-1).pfn; // null.pfn: a TypeError
                        return 0;
                    },
                };
                let err = '';
                try { walk_page_vma(m.vmas[0], ops, null); } catch (e) { err = 'threw'; }
                [err, st.n, seen.toString(16)].join(',');
                """);
        assertEquals("threw,3,10002000", r.value());
    }

    @Test
    void aReplacedMathKeepsTheHooksOnGraalJs() {
        Run r = same("""
                Math.floor = (x) => 42;
                const st = { n: 0 };
                const ops = { pte_entry(pte, addr, next, walk) { st.n += Math.floor(1.5); return 0; } };
                walk_page_vma(m.vmas[0], ops, null);
                String(st.n);
                """);
        assertEquals("336", r.value());
        assertTrue(r.explain().get(0).contains("GraalJS, ") && r.explain().get(0).contains("Math, Number or BigInt replaced"),
                r.explain().toString());
    }

    @Test
    void aHookInsideAFunctionClosesOverItsVariablesAndStaysOnGraalJs() {
        Run r = same("""
                function count(v) {
                    let n = 0;
                    walk_page_vma(v, { pte_entry(pte) { if (pte_present(pte)) n++; return 0; } }, null);
                    return n;
                }
                String(count(m.vmas[1]));
                """);
        assertEquals("5", r.value());
        assertTrue(r.explain().get(0).contains("defined inside a function at line"), r.explain().toString());
    }

    /** The error of a run with the script's "file:line: " taken off (the two engines name different lines). */
    static String error(CompileMode mode, String text) {
        try {
            run(mode, text);
        } catch (io.pagewalk.dsl.api.ScriptException e) {
            return e.getMessage().replaceFirst("^t\\.js:\\d+: ", "");
        }
        return "no error";
    }

    @Test
    void hookResultsAndWalkActionsThatAreNoIntFailAlikeAndMinusZeroIsZero() {
        for (String v : List.of("-0", "1.5", "2 ** 31", "NaN")) {
            String ret = "walk_page_vma(m.vmas[0], { pte_entry(pte, addr, next, walk) { return " + v + "; } }, null);";
            String act = "walk_page_vma(m.vmas[0], { pmd_entry(pmd, addr, next, walk) { walk.action = " + v + "; return 0; } }, null);";
            for (String script : List.of(ret, act)) {
                String graal = error(CompileMode.NEVER, script);
                // -0 is 0 (-0 === 0): no error either way
                assertTrue(v.equals("-0") ? graal.equals("no error") : graal.contains(v.equals("2 ** 31") ? "2147483648" : v), graal);
                assertEquals(graal, error(CompileMode.ALWAYS, script), script);
            }
        }
    }

    @Test
    void aHookAssigningAConstStaysOnGraalJsAndThrowsItsTypeError() {
        String script = """
                const limit = 3;
                let seen = 0;
                const ops = { pte_entry(pte, addr, next, walk) { seen++; if (seen > 2) limit = 4; return 0; } };
                walk_page_vma(m.vmas[0], ops, null);
                """;
        String graal = error(CompileMode.NEVER, script);
        assertTrue(graal.startsWith("TypeError: "), graal);
        assertEquals(graal, error(CompileMode.AUTO, script));
        try (ScriptSession s = new ScriptSession(null, ScriptSession.Options.defaults())) {
            try {
                s.run(ScriptEngine.shared().snippet("t.js", MODEL + script));
            } catch (io.pagewalk.dsl.api.ScriptException expected) {
                // the TypeError above
            }
            assertEquals(List.of("pte_entry (t.js:9): GraalJS, t.js:9: an assignment to the constant limit"),
                    s.compileExplanations());
        }
    }

    @Test
    void arraysTakeNumbersBigIntsAndBooleansAsPushed() {
        Run r = same("""
                const addrs = [];
                const mixed = ['before'];
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        addrs.push(addr);
                        if (pte_present(pte)) mixed.push(pte & PTE_PFN_MASK); else mixed.push(-0);
                        if (mixed.length % 3 === 0) mixed.push(pte_present(pte));
                        return 0;
                    },
                };
                walk_page_vma(m.vmas[2], ops, null);
                [addrs.length, addrs[7].toString(16), mixed.length, mixed.map((x) => typeof x + ':' + (Object.is(x, -0) ? '-0' : String(x))).join(' ')].join('|');
                """);
        assertTrue(r.value().startsWith("8|10207000|13|string:before bigint:"), r.value());
        assertTrue(r.value().contains("boolean:true") && r.value().contains("number:-0"), r.value());
        assertEquals(List.of("pte_entry (t.js:10): compiled"), r.explain());
    }

    @Test
    void aScriptCatchesACompiledHooksErrorAsTheJavaScriptErrorItIs() {
        Run r = same("""
                const st = { n: 0 };
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        st.n++;
                        if (st.n === 2) return Number(pte / (pte & 0n)); // RangeError: Division by zero
                        if (st.n === 4) return page_folio(-1).pfn;        // TypeError
                        if (st.n === 6) return page_mapcount(0.5);        // the API's own error
                        return 0;
                    },
                };
                const seen = [];
                for (let i = 0; i < 3; i++) {
                    try {
                        walk_page_vma(m.vmas[0], ops, null);
                    } catch (e) {
                        seen.push((e instanceof RangeError) + '/' + (e instanceof TypeError) + '/' + e.message);
                    }
                }
                seen.join(' | ') + ' n=' + st.n;
                """);
        assertEquals("true/false/Division by zero | false/true/Cannot read property 'pfn' of null"
                + " | false/false/page_mapcount: an integer expected, got the number 0.5 n=6", r.value());
    }

    @Test
    void anUncaughtErrorNamesTheHooksLineOnBothPaths() {
        String script = """
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        return page_folio(-1).pfn;
                    },
                };
                walk_page_vma(m.vmas[0], ops, null);
                """;
        for (CompileMode mode : List.of(CompileMode.NEVER, CompileMode.ALWAYS)) {
            try {
                run(mode, script);
            } catch (io.pagewalk.dsl.api.ScriptException e) {
                assertEquals("t.js:9: TypeError: Cannot read property 'pfn' of null", e.getMessage(), mode.toString());
                continue;
            }
            throw new AssertionError(mode + ": no error");
        }
    }

    @Test
    void writesNeedAllowWriteOnBothPathsAndChangeTheSameEntries() {
        String script = """
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        if (pte_present(pte)) set_pte_at(walk.mm, addr, pte & ~_PAGE_ACCESSED);
                        return 0;
                    },
                };
                walk_page_vma(m.vmas[0], ops, null);
                let young = 0;
                walk_page_vma(m.vmas[0], { pte_entry(pte) { if (pte_young(pte)) young++; return 0; } }, null);
                String(young);
                """;
        String graal = error(CompileMode.NEVER, script);
        assertEquals("set_pte_at: the model is read-only (run with --allow-write)", graal);
        assertEquals(graal, error(CompileMode.ALWAYS, script));
        for (CompileMode mode : List.of(CompileMode.NEVER, CompileMode.ALWAYS)) {
            try (ScriptSession s = new ScriptSession(null, ScriptSession.Options.defaults().withCompile(mode).withAllowWrite(true))) {
                assertEquals("0", s.run(ScriptEngine.shared().snippet("t.js", MODEL + script)).toString(), mode.toString());
            }
        }
    }

    @Test
    void installPteInstallsWhatTheHookLeftInPtepWhenItReturnsZero() {
        String script = """
                const v = m.vmas[3];
                const st = { asked: 0 };
                const ops = {
                    install_pte(addr, next, ptep, walk) {
                        st.asked++;
                        const before = ptep.value;
                        ptep.value = make_pte_marker(PTE_MARKER_GUARD) | before;
                        return addr === v.vm_end - PAGE_SIZE ? 1 : 0; // the last page refuses
                    },
                };
                const r = walk_page_range_mm(m, v.vm_start + 5 * PAGE_SIZE, v.vm_end, ops, null);
                let guards = 0;
                walk_page_vma(v, { pte_entry(pte) { if (is_guard_pte_marker(pte)) guards++; return 0; } }, null);
                [r, st.asked, guards].join(',');
                """;
        for (CompileMode mode : List.of(CompileMode.NEVER, CompileMode.ALWAYS)) {
            try (ScriptSession s = new ScriptSession(null, ScriptSession.Options.defaults().withCompile(mode).withAllowWrite(true))) {
                // pages 5 and 6 (empty) get guards, page 7 refuses: the walk returns its 1
                assertEquals("1,3,2", s.run(ScriptEngine.shared().snippet("t.js", MODEL + script)).toString(), mode.toString());
            }
        }
    }

    @Test
    void walkPrivateIsTheStateObjectOfEachWalk() {
        Run r = same("""
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        if (pte_present(pte)) { walk.private.pages++; walk.private.last = addr; }
                        return 0;
                    },
                };
                const res = m.vmas.map((v) => { const p = { pages: 0, last: -1 }; walk_page_vma(v, ops, p); return p.pages + '@' + p.last.toString(16); });
                res.join(',');
                """);
        assertEquals("5@10004000,5@10104000,5@10204000,5@10304000", r.value());
        assertEquals(List.of("pte_entry (t.js:8): compiled"), r.explain());
    }
}
