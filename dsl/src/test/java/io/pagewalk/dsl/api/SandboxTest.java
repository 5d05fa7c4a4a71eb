package io.pagewalk.dsl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.testing.TestMm;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Hostile scripts: each is contained, reported as ONE line naming the script and line, and leaves
 * the model unlocked and unchanged and no watchdog thread behind.
 */
class SandboxTest {
    static TestMm model() {
        TestMm t = new TestMm();
        t.anon(0x400000, 0x403000);
        t.page(0x401000);
        return t;
    }

    static ScriptException fails(TestMm t, ScriptSession.Options o, String text) {
        long before = io.pagewalk.runtime.mm.PageTables.get(t.mm, 0x401000, 4);
        ScriptException e = assertThrows(ScriptException.class, () -> Scripts.run(t.mm, o, "hostile.js", text));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith("hostile.js"), e.getMessage());
        assertFalse(t.mm.mmapLock().isLocked(), "mmap_lock left held");
        assertEquals(before, io.pagewalk.runtime.mm.PageTables.get(t.mm, 0x401000, 4), "model changed");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(th -> th.getName().equals("pagewalk-watchdog")
                && th.isAlive()), "watchdog thread left running");
        return e;
    }

    static ScriptException fails(String text) {
        return fails(model(), ScriptSession.Options.defaults(), text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            Java.type('java.lang.Runtime').getRuntime().exec('id')            | Java is not defined
            Packages.java.lang.System.exit(1)                                  | Packages is not defined
            Polyglot.eval('python', 'import os')                               | Polyglot is not defined
            load('/etc/passwd')                                                | load is not defined
            loadWithNewGlobal('/etc/passwd')                                   | loadWithNewGlobal is not defined
            require('fs').readFileSync('/etc/passwd')                          | require is not defined
            process.exit(1)                                                    | process is not defined
            quit()                                                             | quit is not defined
            exit(1)                                                            | exit is not defined
            new Worker('x.js')                                                 | Worker is not defined
            mm.getClass().forName('java.lang.Runtime')                         | getClass
            mm.vmas[0].getClass()                                              | getClass
            set_pte_at(mm, 0x401000, 0n)                                       | read-only (run with --allow-write)
            walk_page_range(mm, 0x400000, 0x403000, { pte_entry: 5 }, null)   | ops.pte_entry must be a function
            """)
    void escapesAreRefusedWithOneLineNamingTheLine(String code, String expected) {
        ScriptException e = fails("let x = 1;\n" + code + ";\n");
        assertTrue(e.getMessage().startsWith("hostile.js:2: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(ScriptException.Kind.ERROR, e.kind());
    }

    @Test
    void reflectionOnHookArgumentsReachesNothing() {
        ScriptException e = fails("""
                walk_page_range(mm, 0x400000, 0x403000, {
                    pte_entry(pte, addr, next, walk) {
                        const seen = [typeof walk.getClass, typeof walk.vma.getClass, typeof pte.getClass,
                                      Object.keys(walk).join(','), typeof walk.vma.constructor.getClass];
                        if (seen.join(' ') !== 'undefined undefined undefined vma,mm,private,action undefined')
                            throw new Error('leak: ' + seen.join(' '));
                        walk.getClass().getClassLoader();
                    }
                }, null);
                """);
        assertTrue(e.getMessage().startsWith("hostile.js:7: "), e.getMessage());
    }

    @Test
    void exceptionThrownInAHookStopsTheWalkAndNamesItsLine() {
        ScriptException e = fails("""
                let n = 0;
                walk_page_range(mm, 0x400000, 0x403000, {
                    pte_entry(pte, addr) {
                        if (++n === 2) throw new RangeError('boom at ' + addr.toString(16));
                    }
                }, null);
                """);
        assertEquals("hostile.js:4: RangeError: boom at 401000", e.getMessage());
    }

    @Test
    void syntaxErrorNamesItsLine() {
        ScriptException e = fails("let a = 1;\nlet b = ;\n");
        assertTrue(e.getMessage().startsWith("hostile.js:2: "), e.getMessage());
    }

    @Test
    void hookReturningANonIntegerIsAnError() {
        ScriptException e = fails("walk_page_range(mm, 0x400000, 0x403000, {\n pte_entry() { return 'yes'; } }, null);\n");
        assertTrue(e.getMessage().contains("pte_entry returned the string \"yes\""), e.getMessage());
    }

    @Test
    void infiniteLoopAtTopLevelIsStoppedByTheTimeout() {
        long t0 = System.nanoTime();
        ScriptException e = fails(model(), ScriptSession.Options.defaults().withTimeout(Duration.ofSeconds(1)),
                "let i = 0;\nwhile (true) { i++; }\n");
        assertEquals(ScriptException.Kind.TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("timeout of 1 s"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "took too long to stop");
    }

    @Test
    void infiniteLoopInAPteEntryIsStoppedAndTheLocksAreReleased() {
        TestMm t = model();
        ScriptException e = fails(t, ScriptSession.Options.defaults().withTimeout(Duration.ofSeconds(1)), """
                walk_page_range(mm, 0x400000, 0x403000, {
                    pte_entry() { for (;;) {} }
                }, null);
                """);
        assertEquals(ScriptException.Kind.TIMEOUT, e.kind());
        // The page-table lock was released too: a new walk of the same table works.
        assertEquals("3", Scripts.run(t.mm, "let n = 0; walk_page_range(mm, 0x400000, 0x403000, { pte_entry() { n++; } }, null); '' + n"));
    }

    @Test
    void memoryBombIsStoppedWithAClearError() {
        ScriptException e = fails(model(), ScriptSession.Options.defaults().withMemoryLimit(256L << 20), """
                const hoard = [];
                while (true) { hoard.push(new Array(1 << 20).fill(1.5)); }
                """);
        assertEquals(ScriptException.Kind.MEMORY, e.kind());
        assertTrue(e.getMessage().contains("too much memory"), e.getMessage());
    }

    @Test
    void folioWalkLeftOpenByAFailingScriptIsEnded() {
        TestMm t = model();
        fails(t, ScriptSession.Options.defaults(), """
                const fw = {};
                const folio = folio_walk_start(fw, find_vma(mm, 0x401000), 0x401000, 0);
                throw new Error('after start: ' + fw.page);
                """);
        assertEquals("ok", Scripts.run(t.mm, """
                const fw = {};
                const vma = find_vma(mm, 0x401000);
                const f = folio_walk_start(fw, vma, 0x401000, 0);
                folio_walk_end(fw, vma);
                f !== null && fw.level === FW_LEVEL_PTE ? 'ok' : 'no folio';
                """));
    }
}
