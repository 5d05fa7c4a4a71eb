package io.pagewalk.dsl.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.compiler.NotInSubset;
import io.pagewalk.dsl.compiler.ast.Node.Function;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * End to end over the real plugins: every top-level function and method either parses or is
 * refused for a construct outside the subset, on a line inside that function, never a syntax error.
 */
class PluginFunctionsTest {

    /** The outcome per "file:line name-or-start": the tree or the NotInSubset. */
    private static Map<String, Object> outcomes() throws IOException {
        Map<String, Object> outcomes = new HashMap<>();
        List<Path> scripts;
        try (Stream<Path> files = Files.walk(TopLevelTest.PLUGINS)) {
            scripts = files.filter(p -> p.toString().endsWith(".js") && !p.toString().contains("/src/")).sorted().toList();
        }
        assertFalse(scripts.isEmpty());
        for (Path script : scripts) {
            String text = Files.readString(script);
            String name = script.getFileName().toString();
            for (FunctionFinder.Found f : FunctionFinder.functions(text)) {
                if (TopLevel.enclosingScope(text, f.start()) != null) {
                    continue;
                }
                int lastLine = f.line() + (int) f.text().chars().filter(c -> c == '\n').count();
                String key = name + ":" + f.line() + " " + f.text().lines().findFirst().orElseThrow();
                try {
                    Function parsed = Parser.parseFunction(f.text(), name, f.line(), 0);
                    assertEquals(f.line(), parsed.line(), key);
                    outcomes.put(key, parsed);
                } catch (NotInSubset e) {
                    assertEquals(name, e.source());
                    assertFalse(e.construct().startsWith("a syntax error"), key + ": " + e.getMessage());
                    assertTrue(e.line() >= f.line() && e.line() <= lastLine, key + ": " + e.getMessage());
                    outcomes.put(key, e);
                }
            }
        }
        return outcomes;
    }

    @Test
    void everyTopLevelFunctionParsesOrNamesWhatKeepsItOut() throws IOException {
        Map<String, Object> outcomes = outcomes();
        assertTrue(outcomes.size() > 50, "found " + outcomes.size() + " functions");
        List<String> parsed = new ArrayList<>();
        outcomes.forEach((k, v) -> {
            if (v instanceof Function) {
                parsed.add(k);
            }
        });
        assertTrue(parsed.size() > 20, "parsed " + parsed);
    }

    @Test
    void theHotHooksOfSmapsAndPagemapParse() throws IOException {
        Map<String, Object> outcomes = outcomes();
        for (String hook : List.of("smaps-accounting.js", "pagemap.js")) {
            for (String method : List.of("pmd_entry(pmd", "pte_entry(pte", "hugetlb_entry(pte")) {
                List<Object> found = outcomes.entrySet().stream()
                        .filter(e -> e.getKey().startsWith(hook) && e.getKey().contains(method))
                        .map(Map.Entry::getValue).toList();
                assertEquals(1, found.size(), hook + " " + method);
                assertTrue(found.getFirst() instanceof Function, hook + " " + method + ": " + found.getFirst());
            }
        }
    }

    @Test
    void refusedFunctionsNameTheirFirstConstruct() throws IOException {
        String script = Files.readString(TopLevelTest.PLUGINS.resolve("smaps/smaps-accounting.js"));
        Map<String, Object> outcomes = outcomes();
        // smaps_walk_vma: the throw is the first thing outside the subset
        NotInSubset walkVma = (NotInSubset) only(outcomes, "smaps-accounting.js", "function smaps_walk_vma");
        assertEquals("a throw statement", walkVma.construct());
        assertEquals(lineOf(script, "if (err !== 0) throw"), walkVma.line());
        // mem_size_stats returns an object literal
        NotInSubset stats = (NotInSubset) only(outcomes, "smaps-accounting.js", "function mem_size_stats");
        assertEquals("an object literal", stats.construct());
        assertEquals(lineOf(script, "return {"), stats.line());
        // smaps_kb has a default parameter
        NotInSubset kb = (NotInSubset) only(outcomes, "smaps-accounting.js", "(label, bytes, width = 8)");
        assertEquals("a default parameter", kb.construct());
    }

    private static Object only(Map<String, Object> outcomes, String file, String head) {
        List<Object> found = outcomes.entrySet().stream()
                .filter(e -> e.getKey().startsWith(file + ":") && e.getKey().contains(head))
                .map(Map.Entry::getValue).toList();
        assertEquals(1, found.size(), head);
        return found.getFirst();
    }

    private static int lineOf(String script, String marker) {
        int at = script.indexOf(marker);
        assertTrue(at >= 0, marker);
        return (int) script.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }
}
