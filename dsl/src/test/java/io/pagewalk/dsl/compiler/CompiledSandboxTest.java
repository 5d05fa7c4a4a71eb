package io.pagewalk.dsl.compiler;

import static io.pagewalk.dsl.compiler.CompiledRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.api.ScriptException;
import io.pagewalk.dsl.api.ScriptSession;
import io.pagewalk.dsl.compiler.CompiledRuns.Run;
import io.pagewalk.runtime.testing.TestMm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile hooks inside the compiled subset are contained as on GraalJS: the timeout stops an
 * endless loop, the memory limit an endless push, deep recursion is a RangeError (not a JVM
 * crash), and a hook reaching for the host is kept out of compiled code and fails as on GraalJS.
 * Every test runs the hook both ways and asserts the same kind of outcome.
 */
class CompiledSandboxTest {
    /** Runs on GraalJS and compiled with {@code options}; both fail with the same kind; the compiled run compiled. */
    static Run[] bothFail(ScriptSession.Options options, String text, ScriptException.Kind kind) {
        TestMm model = CompiledRuns.model();
        Run graal = run(() -> model, options.withCompile(CompileMode.NEVER), text);
        long t0 = System.nanoTime();
        Run compiled = run(() -> model, options.withCompile(CompileMode.ALWAYS), text);
        long took = System.nanoTime() - t0;
        assertNotNull(graal.error(), graal.value());
        assertNotNull(compiled.error(), compiled.value());
        assertTrue(compiled.compiled(), compiled.explain() + " " + compiled.message());
        assertEquals(kind, graal.error().kind(), graal.message());
        assertEquals(kind, compiled.error().kind(), compiled.message());
        assertTrue(compiled.message().startsWith(CompiledRuns.NAME + ":"), compiled.message());
        assertTrue(took < 60_000_000_000L, "took too long to stop: " + took / 1_000_000 + " ms");
        // The locks were released and the model is usable: the same walk again works.
        Run again = run(() -> model, ScriptSession.Options.defaults().withCompile(CompileMode.ALWAYS),
                "let n = 0; walk_page_range(mm, 0x400000, 0x403000, { pte_entry(pte, addr, next, walk) { n++; return 0; } }, null); n;");
        assertEquals("3", again.value());
        return new Run[] {graal, compiled};
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "while (true) {}",
        "for (;;) { n++; }",
        "do { n = n + 1; } while (n !== -1);",
        "spin();",
        "while (true) { for (let i = 0; i < 3; i++) { if (i === 1) continue; n += i; } }",
    })
    void endlessLoopsInACompiledHookAreStoppedByTheTimeout(String loop) {
        String script = "let n = 0;\nfunction spin() { while (n >= 0) { n = (n + 1) % 1000; } }\nconst ops = {\n"
                + "    pte_entry(pte, addr, next, walk) {\n        " + loop + "\n        return 0;\n    },\n};\n"
                + "walk_page_range(mm, 0x400000, 0x403000, ops, null);\n";
        Run[] r = bothFail(ScriptSession.Options.defaults().withTimeout(Duration.ofMillis(500)), script, ScriptException.Kind.TIMEOUT);
        assertTrue(r[1].message().contains("stopped after the timeout"), r[1].message());
    }

    @org.junit.jupiter.api.Test
    void anEndlessPushIsStoppedByTheMemoryLimit() {
        // (about 20 s on GraalJS, 5 s compiled: one case only)
        String script = "const hoard = [];\nconst ops = {\n    pte_entry(pte, addr, next, walk) {\n"
                + "        while (true) { hoard.push(hoard.length); }\n    },\n};\nwalk_page_range(mm, 0x400000, 0x403000, ops, null);\n";
        Run[] r = bothFail(ScriptSession.Options.defaults().withMemoryLimit(256L << 20).withTimeout(Duration.ofSeconds(60)),
                script, ScriptException.Kind.MEMORY);
        assertTrue(r[1].message().contains("too much memory"), r[1].message());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "function down(n) { return n === 0 ? 0 : 1 + down(n - 1); }",
        "function down(n) { if (n > 0) { st.depth = st.depth + 1; down(n - 1); } return 0; }",
        "function down(n) { return ping(n); }\nfunction ping(n) { return n <= 0 ? 0 : down(n - 1) + 1; }",
    })
    void deepRecursionIsARangeErrorNotACrash(String helpers) {
        String script = "const st = { depth: 0 };\n" + helpers + "\nconst ops = {\n    pte_entry(pte, addr, next, walk) {\n"
                + "        return down(1e9);\n    },\n};\nwalk_page_range(mm, 0x400000, 0x403000, ops, null);\n";
        Run[] r = bothFail(ScriptSession.Options.defaults(), script, ScriptException.Kind.ERROR);
        assertEquals(r[0].messageText(), r[1].messageText());
        assertEquals("RangeError: Maximum call stack size exceeded", r[1].messageText());
    }

    @org.junit.jupiter.api.Test
    void aScriptCatchesDeepRecursionAndGoesOnWithTheStateWrittenBack() {
        String script = """
                const st = { calls: 0 };
                function down(n) { return n === 0 ? 0 : 1 + down(n - 1); }
                const ops = { pte_entry(pte, addr, next, walk) { st.calls++; return down(1e9); } };
                let caught = '';
                try { walk_page_range(mm, 0x400000, 0x403000, ops, null); } catch (e) { caught = String(e.message).replace(/^.*RangeError: /, ''); }
                JSON.stringify([caught, st.calls]);
                """;
        Run r = CompiledRuns.same(script);
        assertEquals("[\"Maximum call stack size exceeded\",1]", r.value());
    }

    /**
     * The global object holds the script's var globals: compiled as a state object it would be a
     * second copy of them, written back over the first (x ended 3 instead of 6).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            x++; globalThis.x++;           | null       | the global globalThis holding the global object
            x++; walk.private.x += 10;     | globalThis | walk.private holding the global object
            """)
    void theGlobalObjectIsNotCompiledAsAStateObject(String body, String priv, String why) {
        String script = "var x = 0;\nconst ops = { pte_entry(pte, addr, next, walk) { " + body + " return 0; } };\n"
                + "walk_page_range(mm, 0x400000, 0x403000, ops, " + priv + ");\nx;\n";
        Run graal = run(CompileMode.NEVER, script);
        Run auto = run(CompileMode.AUTO, script);
        assertEquals(graal.value(), auto.value());
        assertEquals(List.of("pte_entry (sem.js:2): GraalJS, sem.js:2: " + why), auto.explain());
    }

    /** push on an array whose length is read-only throws at once; compiled pushes would fail only at the walk's end. */
    @org.junit.jupiter.api.Test
    void anArrayOfReadOnlyLengthIsNotCompiled() {
        String script = """
                const a = [];
                Object.defineProperty(a, 'length', { writable: false });
                let n = 0;
                const ops = { pte_entry(pte, addr, next, walk) { n++; a.push(1); return 0; } };
                let r = '';
                try { walk_page_range(mm, 0x400000, 0x403000, ops, null); } catch (e) { r = e.message; }
                r + ' ' + n + ' ' + a.length;
                """;
        Run graal = run(CompileMode.NEVER, script);
        Run auto = run(CompileMode.AUTO, script);
        assertTrue(graal.value().endsWith(" 1 0"), graal.value());
        assertEquals(graal.value(), auto.value());
        assertTrue(auto.explain().get(0).endsWith("an array of read-only length"), auto.explain().toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            const j = Java;                              | Java
            Polyglot.import(addr);                       | Polyglot
            load(addr);                                  | load
            const g = globalThis;                        | globalThis
            walk.getClass();                             | getClass
            const c = pte.constructor;                   | constructor
            const c = walk.vma.constructor;              | constructor
            const p = walk.__proto__;                    | __proto__
            const x = this;                              | this
            """)
    void hooksReachingForTheHostStayOnGraalJsAndFailAsThere(String statement, String construct) {
        String script = "let n = 0;\nconst ops = {\n    pte_entry(pte, addr, next, walk) {\n        n++;\n        " + statement
                + "\n        return 0;\n    },\n};\nlet r = 'ok';\ntry { walk_page_range(mm, 0x401000, 0x402000, ops, null); }"
                + " catch (e) { r = String(e); }\nr + ' ' + n;\n";
        Run graal = run(CompileMode.NEVER, script);
        Run auto = run(CompileMode.AUTO, script);
        assertNull(graal.error(), graal.message());
        // (a host object's name in a message carries its identity hash)
        assertEquals(graal.value().replaceAll("@[0-9a-f]+", "@"), auto.value().replaceAll("@[0-9a-f]+", "@"));
        String why = auto.explain().get(0);
        assertTrue(why.startsWith("pte_entry (sem.js:3): GraalJS, sem.js:5: ") && why.contains(construct), why);
        Run always = run(CompileMode.ALWAYS, script);
        assertTrue(always.value().contains("--compile=always, but the hooks are not in the compiled subset: sem.js:5: "),
                always.value());
        assertTrue(always.value().endsWith(" 0"), "the hook ran: " + always.value());
    }
}
