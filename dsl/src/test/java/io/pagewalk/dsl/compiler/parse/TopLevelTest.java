package io.pagewalk.dsl.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TopLevelTest {
    static final Path PLUGINS = Path.of("..", "plugins");

    /** The scope around the function starting at the first occurrence of {@code marker}. */
    private static String scopeAt(String script, String marker) {
        int at = script.indexOf(marker);
        assertTrue(at >= 0, marker);
        return TopLevel.enclosingScope(script, at);
    }

    private static String read(String plugin) throws IOException {
        return Files.readString(PLUGINS.resolve(plugin));
    }

    @Test
    void everyHookAndHelperOfSmapsAccountingIsTopLevel() throws IOException {
        String script = read("smaps/smaps-accounting.js");
        for (String marker : new String[] {
            "function mem_size_stats", "function smaps_page_accumulate", "function smaps_account",
            "pmd_entry(pmd", "pte_entry(pte", "hugetlb_entry(pte", "function smaps_walk_vma",
            "(v, width) =>", "function show_map_vma(", "(label, bytes, width = 8) =>", "(fixed) =>",
            "function show_smap_fields", "function smaps_require_mm"}) {
            assertNull(scopeAt(script, marker), marker);
        }
    }

    @Test
    void everyHookAndHelperOfPagemapIsTopLevel() throws IOException {
        String script = read("pagemap/pagemap.js");
        for (String marker : new String[] {
            "(s, what) =>", "(addr, entry) =>", "(v) =>", "(entry) =>", "(folio, pfn) =>",
            "function pte_to_pagemap_entry", "pmd_entry(pmd", "pte_entry(pte", "pte_hole(addr",
            "hugetlb_entry(pte", "(start, end) =>"}) {
            assertNull(scopeAt(script, marker), marker);
        }
    }

    @Test
    void functionsInsideBlocksAndFunctionsAreNot() throws IOException {
        String clearRefs = read("clear_refs/clear_refs.js");
        int ifLine = lineOf(clearRefs, "if (type === CLEAR_REFS_SOFT_DIRTY) {\n        // Before the walk");
        assertEquals("a block at line " + ifLine, scopeAt(clearRefs, "(vma) => {"));

        String numaMaps = read("numa_maps/numa_maps.js");
        assertNull(scopeAt(numaMaps, "(vma) => {"), "an argument of a top-level call");
        // the replacer closes over nothing, but it is inside the concise body of escapePath's arrow
        assertEquals("a function at line " + lineOf(numaMaps, "const escapePath"), scopeAt(numaMaps, "(c) =>"));

        String pageTypes = read("page_types/page_types.js");
        assertEquals("a block at line " + lineOf(pageTypes, "for (const [from, to] of ranges)"),
                scopeAt(pageTypes, "(vma) => {\n        const start"));
    }

    private static int lineOf(String script, String marker) {
        int at = script.indexOf(marker);
        assertTrue(at >= 0, marker);
        return (int) script.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }

    @Test
    void scopesAtTokenLevel() {
        assertNull(scopeAt("const f = c ? (x) => x : (y) => y;", "(y)"), "the colon ends the first arrow");
        assertEquals("a function at line 1", scopeAt("const f = (x) => c ? (y) => y : 0;", "(y)"));
        assertEquals("a function at line 1", scopeAt("const f = (x) => c ? 0 : (y) => y;", "(y)"));
        assertNull(scopeAt("const ops = {\n a: 1,\n pte_entry(pte) { return 0; } };", "pte_entry"));
        assertNull(scopeAt("const f = (a) => a + 1;\nconst g = (b) => b;", "(b)"));
        assertNull(scopeAt("const f = (a) => a + 1\nconst g = (b) => b", "(b)"), "ASI ends the concise body");
        assertEquals("a function at line 1", scopeAt("const f = (a) => (b) => a + b;", "(b)"));
        assertEquals("a function at line 1", scopeAt("function f() {\n return (b) => b;\n}", "(b)"));
        assertEquals("a function at line 1", scopeAt("function f(a = () => 1) {}", "() =>"));
        assertEquals("a block at line 2", scopeAt("let x;\nif (x) {\n var g = () => 1;\n}", "() =>"));
        assertEquals("a block at line 1", scopeAt("{ let y = 1; const h = () => y; }", "() =>"));
        assertEquals("a class body at line 1", scopeAt("class A extends B { m() { } }", "m()"));
        assertNull(scopeAt("const o = { a: { b: [ { m() {} } ] } };", "m()"));
        assertNull(scopeAt("x = c ? { a: 1 } : { b: 2 }; const f = () => 1;", "() =>"));
        assertEquals("a block at line 1", scopeAt("switch (x) { case 1: { const f = () => 1; } }", "() =>"));
        assertNull(scopeAt("const o = { get v() { return 1; }, set v(x) {} }; const f = () => 0;", "() =>"));
        assertEquals("a function at line 1", scopeAt("const o = { m() { const f = () => 0; } };", "() =>"));
        assertEquals("a function at line 1", scopeAt("walk(a, function (x) { const f = () => 0; });", "() =>"));
        assertEquals("a function at line 1", scopeAt("foo(function* g() { yield () => 1; })", "() =>"));
        assertEquals("a block at line 1", scopeAt("try { a(); } catch (e) { f = () => e; }", "() =>"));
        assertEquals("a block at line 1", scopeAt("do { f = () => 1; } while (x);", "() =>"));
    }

    @Test
    void bracesInLiteralsAndCommentsDoNotCount() {
        String script = """
                const s = '{{{';
                const t = `${ { a: '}' }.a } {`;
                const r = /\\{[}]/g;
                const q = a / b / { c: 1 }.c;
                // {
                /* { */
                const f = (x) => x;
                """;
        assertNull(scopeAt(script, "(x)"));
        assertEquals("a template literal at line 2", TopLevel.enclosingScope(script, script.indexOf("{ a:")));
    }
}
