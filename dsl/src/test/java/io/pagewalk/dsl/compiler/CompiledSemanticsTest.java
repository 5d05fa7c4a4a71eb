package io.pagewalk.dsl.compiler;

import static io.pagewalk.dsl.compiler.CompiledRuns.hook;
import static io.pagewalk.dsl.compiler.CompiledRuns.run;
import static io.pagewalk.dsl.compiler.CompiledRuns.same;
import static io.pagewalk.dsl.compiler.CompiledRuns.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.api.ScriptException;
import io.pagewalk.dsl.compiler.CompiledRuns.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One test per rule of the compiled subset (API.md, "Compiled hooks"): each runs the hook on
 * GraalJS and compiled, asserts the same result (or the same error) and that the hook really
 * compiled, and states the JavaScript value where the rule is about one.
 */
class CompiledSemanticsTest {
    @Test
    void toInt32OfTheBitOperatorsWrapsModulo2To32() {
        assertEquals("0 -2147483648 2147483647 1661992960 0 0 0 2 -2 -1 -2147483648 1 -1 -2147483648",
                values("v(4294967296) | 0", "v(2147483648) | 0", "v(-2147483649) | 0", "v(1e20) | 0", "v(NaN) | 0",
                        "v(Infinity) | 0", "v(-0) | 0", "v(2.5) | 0", "v(-2.5) | 0", "v(4294967295.5) ^ 0",
                        "v(1) << 31", "v(1) << 32", "v(-1) >> 40", "v(2147483648) & v(-2147483648)"));
        values("v(9007199254740993) | 0", "~v(4294967295.9)", "~v(-0)", "v(-2147483648.5) >> 1", "v(5e-324) | 1",
                "v(3) << v(-1)", "v(-1) >> v(33)", "v(123456789012) & v(0xffff)");
    }

    @Test
    void unsignedShiftGivesUint32() {
        assertEquals("4294967295 0 0 2147483648 2147483647 4294967295 1 0",
                values("v(-1) >>> 0", "v(-0) >>> 0", "v(4294967296) >>> 0", "v(-2147483648) >>> 0", "v(-1) >>> 33",
                        "v(-1) >>> v(-32)", "v(-1) >>> 31", "v(NaN) >>> 0"));
    }

    @Test
    void remainderKeepsTheSignOfTheDividendAndMinusZero() {
        assertEquals("2 -2 -0 1.5 NaN NaN 2 -0 -0 0 NaN -0",
                values("v(5) % v(-3)", "v(-5) % v(3)", "v(-5) % v(5)", "v(5.5) % v(2)", "v(1) % v(0)", "v(Infinity) % v(2)",
                        "v(2) % v(Infinity)", "v(-0) % v(1)", "v(-4) % v(2)", "v(4) % v(-2)", "v(NaN) % v(1)",
                        "v(-9007199254740993) % v(2)"));
    }

    @Test
    void exponentEdgeCases() {
        assertEquals("5e-324 NaN NaN 1 -Infinity Infinity -8 1e+308 1.0000000000000006e+308 -0 Infinity",
                values("v(2) ** v(-1074)", "v(-8) ** v(1 / 3)", "v(1) ** v(Infinity)", "v(NaN) ** v(0)",
                        "v(-0) ** v(-1)", "v(0) ** v(-1)", "v(-2) ** v(3)", "v(10) ** v(308)", "Math.pow(v(10), v(308))",
                        "v(-0) ** v(3)", "v(-0) ** v(-2)"));
        values("v(10) ** v(-5)", "Math.pow(v(10), v(-5))", "Math.pow(v(2.5), v(1.5))", "Math.pow(v(4276224), v(1.5))", "v(4276224) ** v(1.5)", "Math.pow(v(7), v(-2))",
                "Math.pow(v(-7), v(3))", "Math.pow(v(1.0000001), v(1e9))", "Math.pow(v(NaN), v(0))", "Math.pow(v(-1), v(Infinity))");
    }

    @Test
    void nanAndMinusZeroInComparisons() {
        assertEquals("0 0 0 1 0 1 -Infinity 1 2 NaN -0 0 1 0",
                values("v(NaN) < v(1) ? 1 : 0", "v(NaN) >= v(NaN) ? 1 : 0", "v(NaN) === v(NaN) ? 1 : 0",
                        "v(NaN) !== v(NaN) ? 1 : 0", "v(NaN) == v(NaN) ? 1 : 0", "v(-0) === v(0) ? 1 : 0", "v(1) / v(-0)",
                        "!v(NaN) ? 1 : 0", "v(NaN) ? 1 : 2", "Math.max(v(NaN), v(1))", "Math.min(v(-0), v(0))",
                        "Math.max(v(-0), v(0))", "v(-0) <= v(0) && v(0) <= v(-0) ? 1 : 0", "v(0) < v(-0) ? 1 : 0"));
    }

    @Test
    void mathRoundAndFriendsKeepMinusZero() {
        assertEquals("-0 3 -2 0 -0 4503599627370495 -0 -0 -0 -0 NaN 0 -1 -0",
                values("Math.round(v(-0.5))", "Math.round(v(2.5))", "Math.round(v(-2.5))", "Math.round(v(0.49999999999999994))",
                        "Math.round(v(-0))", "Math.round(v(4503599627370495))", "Math.sign(v(-0))", "Math.trunc(v(-0.5))",
                        "Math.ceil(v(-0.5))", "Math.floor(v(-0))", "Math.sqrt(v(-1))", "Math.abs(v(-0))", "Math.sign(v(-3))",
                        "Math.round(v(-0.4))"));
    }

    @Test
    void bigIntsAreUnsignedWithBit63Set() {
        // The PTE at 0x402000 has NX (bit 63) and bits 52-62 set: as a signed long it is negative.
        assertEquals("1 1 1 1 0 1 9223372036854776000 18446744073709552000 1",
                values("pte > 0x7fffffffffffffffn ? 1 : 0", "pte >= _PAGE_NX ? 1 : 0", "(pte & _PAGE_NX) !== 0n ? 1 : 0",
                        "b(0xffffffffffffffffn) > b(0x8000000000000000n) ? 1 : 0", "pte < b(1n) ? 1 : 0",
                        "b(_PAGE_NX) > b(1n) ? 1 : 0", "Number(b(_PAGE_NX))", "Number(b(0xffffffffffffffffn))",
                        "Number(pte >> 63n)"));
        assertEquals("6148914691236517205n 5n 1n 9007199254740991n 0n",
                values("b(0xffffffffffffffffn) / b(3n)", "b(0xffffffffffffffffn) % b(10n)", "b(0x8000000000000000n) >> b(63n)",
                        "BigInt(v(9007199254740991))", "b(0x8000000000000000n) % b(0x8000000000000000n)"));
    }

    @Test
    void bigIntRightShiftBy64OrMoreIsZero() {
        assertEquals("0n 0n 1n 18446744073709551615n 0n 0n",
                values("b(0xffffffffffffffffn) >> b(64n)", "pte >> b(100n)", "pte >> 63n", "b(0xffffffffffffffffn) << b(0n)",
                        "pte >> b(0xffffffffffffffffn)", "b(1n) >> b(0x8000000000000000n)"));
    }

    @Test
    void bigIntsWrapOnlyUnderAndAndAsUintN() {
        String r = values("pte & ~_PAGE_NX", "pte & -pte", "pte & (pte - b(1n))", "b(0xffn) & (b(0n) - b(1n))",
                "BigInt.asUintN(64, -b(1n))", "BigInt.asUintN(64, b(3n) << b(70n))", "BigInt.asUintN(64, b(1n) << b(63n))",
                "pte & (pte * b(0xffffffffffffffffn))", "~b(0n) & pte", "BigInt.asUintN(64, ~pte)",
                "pte & ~(_PAGE_NX | _PAGE_PRESENT)");
        String[] v = r.split(" ");
        assertEquals("255n", v[3]);
        assertEquals("18446744073709551615n", v[4]);
        assertEquals("0n", v[5]);
        assertEquals("9223372036854775808n", v[6]);
    }

    @Test
    void bigIntLeavingThe64BitRangeIsACompiledRangeError() {
        String script = hook("", "        const twice = pte * 2n;\n        out.push(twice);");
        Run graal = run(CompileMode.NEVER, script);
        Run compiled = run(CompileMode.ALWAYS, script);
        assertNull(graal.error(), graal.message());
        assertTrue(graal.value().endsWith("n"), graal.value()); // GraalJS goes on with a 65-bit BigInt
        assertTrue(compiled.compiled(), compiled.explain().toString());
        assertEquals("sem.js:5: RangeError: BigInt result out of the 64-bit range of compiled code (run with --compile=never)",
                compiled.message());
        // and below zero
        Run minus = run(CompileMode.ALWAYS, hook("", "        out.push(b(1n) - b(2n));").replace("const out", "function b(x) { return x; }\nconst out"));
        assertNotNull(minus.error());
        assertTrue(minus.message().contains("RangeError: BigInt result out of the 64-bit range of compiled code"), minus.message());
    }

    @Test
    void bigIntDivisionByZeroIsGraalJsRangeError() {
        Run r = same(hook("function b(x) { return x; }", "        out.push(pte / b(0n));"));
        assertTrue(r.message().endsWith("RangeError: Division by zero"), r.message());
        r = same(hook("function b(x) { return x; }", "        out.push(pte % b(0n));"));
        assertNotNull(r.error());
    }

    @Test
    void stateObjectsAreWrittenBackAfterTheWalk() {
        Run r = same("""
                // Every state object a walk reaches has every field the hooks use (API.md).
                const st = { n: 0, bytes: 0, flags: 0n, any: false, seen: 0 };
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        st.n++;
                        if (pte_present(pte)) { st.bytes += next - addr; st.flags |= pte; st.any = true; }
                        walk.private.seen += 1;
                        return 0;
                    },
                };
                const priv = { n: 0, bytes: 0, flags: 0n, any: false, seen: 0 };
                walk_page_range(mm, 0x400000, 0x403000, ops, priv);
                JSON.stringify([st.n, st.bytes, st.flags.toString(16), st.any, priv.seen]);
                """);
        assertEquals("[3,8192,\"fff0000100001067\",true,3]", r.value());
    }

    @Test
    void stateIsWrittenBackWhenTheWalkFailsMidWayAndTheScriptCatches() {
        Run fails = same("""
                const st = { n: 0, last: 0 };
                let seen = 0;
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        st.n++;
                        seen = addr;
                        st.last = Number(pte / (addr === 0x400000 ? 0n : 1n));
                        return 0;
                    },
                };
                let failed = false;
                try { walk_page_range(mm, 0x401000, 0x403000, ops, null); walk_page_range(mm, 0x400000, 0x403000, ops, null); }
                catch (e) { failed = true; }
                JSON.stringify([failed, st.n, st.last > 0, seen]);
                """);
        // Two PTEs of the first walk, then the hook fails at 0x400000 (BigInt division by zero): n counts it.
        assertEquals("[true,3,true,4194304]", fails.value());
    }

    @Test
    void globalsTheHookAssignsAreSeenAfterTheWalk() {
        Run r = same("""
                let last = -1, bits = 0n, any = false, count = 0;
                var viaVar = 0;
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        last = addr; bits ^= pte; any = any || pte_dirty(pte); count += 1; viaVar--;
                        return 0;
                    },
                };
                walk_page_range(mm, 0x400000, 0x403000, ops, null);
                JSON.stringify([last, bits.toString(16), any, count, viaVar]);
                """);
        assertTrue(r.value().startsWith("[4202496,"), r.value());
    }

    @Test
    void arraysAreAppendedToAndTheirLengthRead() {
        Run r = same("""
                const nums = [1.5];
                const bigs = [];
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        nums.push(nums.length);
                        nums.push(addr / 4096);
                        return 0;
                    },
                    pte_hole(addr, next, depth, walk) { nums.push(-depth); return 0; },
                };
                walk_page_range(mm, 0x3ff000, 0x403000, ops, null);
                const ops2 = { pte_entry(pte, addr, next, walk) { bigs.push(pte & PTE_PFN_MASK); bigs.push(BigInt(bigs.length)); return 0; } };
                walk_page_range(mm, 0x401000, 0x403000, ops2, null);
                JSON.stringify([nums, bigs.map(String)]);
                """);
        assertTrue(r.value().startsWith("[[1.5,"), r.value());
    }

    @Test
    void actionContinueSkipsTheSubtree() {
        Run r = same("""
                let pmds = 0, ptes = 0;
                const ops = {
                    pmd_entry(pmd, addr, next, walk) { pmds++; if (pmds === 1) walk.action = ACTION_CONTINUE; return 0; },
                    pte_entry(pte, addr, next, walk) { ptes++; return walk.action; },
                };
                const a = walk_page_range(mm, 0x400000, 0x403000, ops, null);
                const b = walk_page_range(mm, 0x400000, 0x403000, ops, null);
                JSON.stringify([a, b, pmds, ptes]);
                """);
        assertEquals("[0,0,2,3]", r.value());
    }

    @Test
    void nonZeroReturnStopsTheWalkWithThatValue() {
        Run r = same("""
                let calls = 0;
                const ops = { pte_entry(pte, addr, next, walk) { calls++; return calls === 2 ? -EINVAL : 0; } };
                const ret = walk_page_range(mm, 0x400000, 0x403000, ops, null);
                JSON.stringify([ret, calls]);
                """);
        assertEquals("[-22,2]", r.value());
    }

    @Test
    void aHookReturningANonIntegerIsAnError() {
        Run r = same("""
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        return 1.5;
                    },
                };
                walk_page_range(mm, 0x401000, 0x402000, ops, null);
                """);
        assertEquals(ScriptException.Kind.ERROR, r.error().kind());
        assertEquals("pte_entry returned the number 1.5; hooks return an int (0 goes on, anything else stops the walk)",
                r.messageText());
    }

    @Test
    void readingAPropertyOfANullFolioIsATypeErrorAtTheHooksLine() {
        String script = """
                const ops = {
                    pte_entry(pte, addr, next, walk) {
                        // a special PTE (pte_special: no struct page to count): no folio
                        const f = vm_normal_folio(walk.vma, addr, pte | _PAGE_SPECIAL);
                        return f.order;
                    },
                };
                walk_page_range(mm, 0x401000, 0x402000, ops, null);
                """;
        Run r = same(script);
        assertNotNull(r.error(), r.value());
        assertTrue(r.message().startsWith("sem.js:5: TypeError: "), r.message());
        assertEquals(run(CompileMode.NEVER, script).message(), r.message());
    }

    /**
     * A second walk with the same hooks after the script changed a value's type, deleted, froze
     * or redefined a field, or replaced an array: checked again (or run on GraalJS), as GraalJS.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            g = 10n; priv = { n: 5n };
            delete st.n;
            st.n = 2n ** 64n;
            st.n = true;
            Object.freeze(st);
            Object.defineProperty(st, 'n', { get() { return 42; } });
            out = [1n];
            out = Object.freeze([]);
            priv = st;
            priv = null;
            f = 1.5;
            f = true;
            """)
    void aLaterWalkSeesWhatTheScriptChanged(String change) {
        String walk = "try { walk_page_range(mm, 0x400000, 0x403000, ops, priv); } catch (e) { r += e.message + ';'; }\n";
        String script = "let g = 0, f = 0, r = '';\nlet st = { n: 0 }, priv = { n: 0 };\nlet out = [];\n"
                + "const ops = { pte_entry(pte, addr, next, walk) { g = g + 1; st.n++; walk.private.n += 1; out.push(addr + f);"
                + " return 0; } };\n" + walk + change + "\n" + walk
                + "r + [String(g), String(st.n), String(priv.n), out.length].join(' ');\n";
        Run graal = run(CompileMode.NEVER, script);
        Run auto = run(CompileMode.AUTO, script);
        assertEquals(graal.value(), auto.value());
        assertTrue(auto.explain().get(0).endsWith("compiled"), auto.explain().toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            const s = "x";                   | a string
            const f = () => 1;               | function
            const t = this;                  | this
            print(addr);                     | print
            """)
    void explainNamesTheLineOfTheConstructThatKeepsAHookOut(String statement, String construct) {
        String script = "let n = 0;\nconst ops = {\n    pte_entry(pte, addr, next, walk) {\n        n++;\n        " + statement
                + "\n        return 0;\n    },\n};\nwalk_page_range(mm, 0x401000, 0x402000, ops, null);\nn;\n";
        Run auto = run(CompileMode.AUTO, script);
        Run graal = run(CompileMode.NEVER, script);
        assertEquals(graal.value(), auto.value());
        assertEquals(1, auto.explain().size(), auto.explain().toString());
        String line = auto.explain().get(0);
        assertTrue(line.startsWith("pte_entry (sem.js:3): GraalJS, sem.js:5: "), line);
        assertTrue(line.toLowerCase().contains(construct), line);
        Run always = run(CompileMode.ALWAYS, script);
        assertNotNull(always.error(), always.value());
        assertTrue(always.message().contains("--compile=always, but the hooks are not in the compiled subset: sem.js:5: "),
                always.message());
    }
}
