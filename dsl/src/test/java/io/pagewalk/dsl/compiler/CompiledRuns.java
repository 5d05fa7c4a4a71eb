package io.pagewalk.dsl.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.api.ScriptException;
import io.pagewalk.dsl.api.ScriptSession;
import io.pagewalk.dsl.engine.ScriptEngine;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.testing.TestMm;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.graalvm.polyglot.Value;

/** Test helper: one script run on GraalJS and compiled, and what each gave. */
final class CompiledRuns {
    private CompiledRuns() {}

    static final String NAME = "sem.js";
    private static final Pattern WHERE = Pattern.compile("^[\\w.-]+\\.js:\\d+: ");

    /** The script's value (or its one-line error, and its kind) and the --explain lines. */
    record Run(String value, ScriptException error, List<String> explain) {
        String message() {
            return error == null ? null : error.getMessage();
        }

        /** The error without its "file:line: " (the two paths may name different lines). */
        String messageText() {
            return error == null ? null : WHERE.matcher(error.getMessage()).replaceFirst("");
        }

        boolean compiled() {
            return !explain.isEmpty() && explain.stream().allMatch(l -> l.endsWith(": compiled"));
        }
    }

    /** 0x400000-0x403000 anon: 0x400000 none, a page at 0x401000 (NX set), at 0x402000 a page with NX and high bits. */
    static TestMm model() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x403000);
        t.page(0x401000);
        long pfn = t.page(0x402000);
        PageTables.setPte(t.mm, 0x402000, Pgtable.pfn_pte(pfn, TestMm.PROT_RW) | 0x7ff0_0000_0000_0000L);
        return t;
    }

    static Run run(CompileMode mode, String text) {
        return run(CompiledRuns::model, ScriptSession.Options.defaults().withCompile(mode), text);
    }

    static Run run(Supplier<TestMm> model, ScriptSession.Options options, String text) {
        TestMm t = model.get();
        ScriptSession s = new ScriptSession(t.mm, options);
        try (s) {
            Value v = s.run(ScriptEngine.shared().snippet(NAME, text));
            return new Run(v.isString() ? v.asString() : v.toString(), null, s.compileExplanations());
        } catch (ScriptException e) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertFalse(t.mm.mmapLock().isLocked(), "mmap_lock left held");
            return new Run(null, e, s.compileExplanations());
        }
    }

    /**
     * Runs the script on GraalJS and with every hook compiled (--compile=always): both give the
     * same value, or errors of the same kind and text; the compiled run did compile. Returns it.
     */
    static Run same(String text) {
        Run graal = run(CompileMode.NEVER, text);
        Run compiled = run(CompileMode.ALWAYS, text);
        assertTrue(compiled.compiled(), "not compiled: " + compiled.explain + " " + compiled.message());
        assertEquals(graal.value, compiled.value, "value");
        if (graal.error != null || compiled.error != null) {
            assertTrue(graal.error != null && compiled.error != null, "only one failed: " + graal.message() + " | "
                    + compiled.message());
            assertEquals(graal.error.kind(), compiled.error.kind());
            assertEquals(graal.messageText(), compiled.messageText());
        }
        return compiled;
    }

    /**
     * A script whose pte_entry (for the PTE at 0x402000: NX and high bits set) runs {@code body},
     * which pushes Numbers or BigInts to {@code out}; the value is out, -0 and BigInts spelled out.
     */
    static String hook(String top, String body) {
        return "const out = [];\n" + top + "\nconst ops = {\n    pte_entry(pte, addr, next, walk) {\n" + body
                + "\n        return 0;\n    },\n};\nwalk_page_range(mm, 0x402000, 0x403000, ops, null);\n"
                + "out.map(x => typeof x === 'bigint' ? x + 'n' : Object.is(x, -0) ? '-0' : String(x)).join(' ');\n";
    }

    /**
     * What {@code exprs} (Numbers, or BigInts: one type per call) give inside a compiled hook,
     * checked against GraalJS. {@code v(x)} and {@code b(x)} are opaque identities for Numbers and
     * BigInts, so operands are values at run time, not constants of the source.
     */
    static String values(String... exprs) {
        StringBuilder body = new StringBuilder();
        for (String e : exprs) {
            body.append("        out.push(").append(e).append(");\n");
        }
        return same(hook("function v(x) { return x; }\nfunction b(x) { return x; }", body.toString())).value();
    }
}
