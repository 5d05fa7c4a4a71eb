package io.pagewalk.dsl.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.compiler.NotInSubset;
import io.pagewalk.dsl.compiler.ast.Node.Function;
import java.util.List;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The parser and TopLevel on exactly what GraalJS gives for function values: their source sections. */
class GraalSourceSectionTest {
    private static final String SCRIPT = """
            // a walk script
            const ops = {
              /* the hot hook */
              pte_entry(pte, addr, next, walk) {
                if (pte_present(pte))
                  return 0;
                return 1;
              },
              get g() { return 1; },
              async am(x) { },
              *gen() {},
              'quoted'(x) { return x; },
            };
            function decl(a, b) { return a }
            const arrow = (a) =>
              a + 1;
            const single = a => a;
            const expr = function (x) { return x; };
            class K { m(x) { return x; } }
            function outer() {
              let n = 0;
              return () => n;
            }
            const inner = outer();
            {
              const local = 2;
              globalThis.blockFn = (x) => x + local;
            }
            """;

    private static Context context;

    @BeforeAll
    static void evaluate() {
        context = Context.newBuilder("js").option("engine.WarnInterpreterOnly", "false").build();
        context.eval(Source.create("js", SCRIPT));
    }

    @AfterAll
    static void close() {
        context.close();
    }

    private static SourceSection section(String expression) {
        Value v = context.eval("js", expression);
        assertTrue(v.canExecute() || v.canInstantiate(), expression);
        return v.getSourceLocation();
    }

    private static Function parse(String expression) throws NotInSubset {
        SourceSection s = section(expression);
        return Parser.parseFunction(s.getCharacters().toString(), "walk.js", s.getStartLine(), s.getStartColumn());
    }

    private static String refused(String expression) {
        SourceSection s = section(expression);
        return assertThrows(NotInSubset.class, () -> Parser.parseFunction(s.getCharacters().toString(), "walk.js",
                s.getStartLine(), s.getStartColumn()), expression).construct();
    }

    private static String scope(String expression) {
        return TopLevel.enclosingScope(SCRIPT, section(expression).getCharIndex());
    }

    @Test
    void theSubsetsFormsParseWithTheirFileLines() throws NotInSubset {
        Function hook = parse("ops.pte_entry");
        assertEquals("pte_entry", hook.name());
        assertEquals(List.of("pte", "addr", "next", "walk"), hook.params());
        assertEquals(4, hook.line());
        assertEquals(List.of(5, 7), hook.body().body().stream().map(s -> s.line()).toList());

        assertEquals(List.of("a", "b"), parse("decl").params());
        Function arrow = parse("arrow");
        assertEquals(15, arrow.line());
        assertEquals(16, arrow.body().body().getFirst().line());
        assertEquals(List.of("a"), parse("single").params());
        assertEquals(List.of("x"), parse("expr").params());
        assertEquals(List.of("x"), parse("K.prototype.m").params());
    }

    @Test
    void formsOutsideTheSubsetAreRefusedByName() {
        assertEquals("a getter", refused("Object.getOwnPropertyDescriptor(ops, 'g').get"));
        assertEquals("an async function", refused("ops.am"));
        assertEquals("a generator method", refused("ops.gen"));
        // GraalJS's section of a quoted method starts inside the quotes
        assertEquals("a method with a computed or quoted name", refused("ops.quoted"));
        assertEquals("a class", refused("K"));
    }

    @Test
    void topLevelByTheSectionsCharIndex() {
        for (String f : List.of("ops.pte_entry", "decl", "arrow", "single", "expr", "outer")) {
            assertNull(scope(f), f);
        }
        assertEquals("a function at line 20", scope("inner"));
        assertEquals("a block at line 25", scope("blockFn"));
        assertEquals("a class body at line 19", scope("K.prototype.m"));
    }
}
