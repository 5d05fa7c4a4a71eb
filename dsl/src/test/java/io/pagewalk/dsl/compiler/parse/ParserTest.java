package io.pagewalk.dsl.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.compiler.NotInSubset;
import io.pagewalk.dsl.compiler.ast.Node.*;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParserTest {

    private static Function parse(String text) throws NotInSubset {
        return Parser.parseFunction(text, "test.js", 1, 0);
    }

    /** The body of {@code function f() {...}} with {@code body} inside, statements shown. */
    private static String body(String body) throws NotInSubset {
        return Show.of(parse("function f() {\n" + body + "\n}").body());
    }

    /** One expression, shown as an S-expression. */
    private static String expr(String expression) throws NotInSubset {
        Block b = parse("function f() { " + expression + " }").body();
        assertEquals(1, b.body().size(), "one statement in " + expression);
        return Show.of(((ExprStmt) b.body().getFirst()).expr());
    }

    private static NotInSubset refused(String text) {
        return assertThrows(NotInSubset.class, () -> parse(text), text);
    }

    private static void assertRefused(String text, int line, String construct) {
        NotInSubset e = refused(text);
        assertEquals(construct, e.construct(), text);
        assertEquals(line, e.line(), "line of " + construct);
        assertEquals("test.js", e.source());
    }

    /** An expression inside a one-line function: refused at line 1. */
    private static void assertExprRefused(String expression, String construct) {
        assertRefused("function f() { " + expression + " }", 1, construct);
    }

    // ---------------------------------------------------------------- precedence and associativity

    @Test
    void binaryOperatorsAssociateLeft() throws NotInSubset {
        assertEquals("(- (- a b) c)", expr("a - b - c"));
        assertEquals("(/ (* a b) c)", expr("a * b / c"));
        assertEquals("(>> (<< a b) c)", expr("a << b >> c"));
        assertEquals("(!== (=== a b) c)", expr("a === b !== c"));
        assertEquals("(|| (|| a b) c)", expr("a || b || c"));
        assertEquals("(?? (?? a b) c)", expr("a ?? b ?? c"));
    }

    @Test
    void exponentAssignmentAndConditionalAssociateRight() throws NotInSubset {
        assertEquals("(** 2 (** 3 2))", expr("2 ** 3 ** 2"));
        assertEquals("(= x (= y 1))", expr("x = y = 1"));
        assertEquals("(+= x (*= y 2))", expr("x += y *= 2"));
        assertEquals("(? a b (? c d e))", expr("a ? b : c ? d : e"));
        assertEquals("(? (? a b c) d e)", expr("(a ? b : c) ? d : e"));
        assertEquals("(? a (= b 1) (= c 2))", expr("a ? b = 1 : c = 2"));
    }

    @Test
    void precedenceLevelsFollowJavaScript() throws NotInSubset {
        assertEquals("(| a (& b c))", expr("a | b & c"));
        assertEquals("(| a (^ b (& c d)))", expr("a | b ^ c & d"));
        assertEquals("(+ a (* b c))", expr("a + b * c"));
        assertEquals("(<< a (+ b c))", expr("a << b + c"));
        assertEquals("(== (< a b) (< c d))", expr("a < b == c < d"));
        assertEquals("(& (!== a 0) b)", expr("a !== 0 & b"));
        assertEquals("(|| (&& a b) (&& c d))", expr("a && b || c && d"));
        assertEquals("(&& (| a b) c)", expr("a | b && c"));
        assertEquals("(= x (? (|| a b) c d))", expr("x = a || b ? c : d"));
        assertEquals("(* (- a) (** b 2))", expr("-a * b ** 2"));
        assertEquals("(** 2 (- x))", expr("2 ** -x"));
        assertEquals("(** (- x) 2)", expr("(-x) ** 2"));
        assertEquals("(** (++x x) 2)", expr("++x ** 2"));
        assertEquals("(* (+ a b) c)", expr("(a + b) * c"));
        assertEquals("(+ (x++ a) (++x b))", expr("a++ + ++b"));
        assertEquals("(! (call ([] (. a b) c) d))", expr("!a.b[c](d)"));
        assertEquals("(- (- x))", expr("- -x"));
        assertEquals("(typeof (. a b))", expr("typeof a.b"));
        assertEquals("(void 0)", expr("void 0"));
        assertEquals("(~ (! x))", expr("~!x"));
    }

    @Test
    void commaIsTheLowestOperator() throws NotInSubset {
        assertEquals("(, a (= b c) d)", expr("a, b = c, d"));
        assertEquals("(call f a (, b c))", expr("f(a, (b, c))"));
        assertEquals("(call f a b)", expr("f(a, b,)"));
    }

    @Test
    void everyCompoundAssignmentOperator() throws NotInSubset {
        for (String op : List.of("=", "+=", "-=", "*=", "/=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>=", ">>>=",
                "&&=", "||=", "??=")) {
            assertEquals("(" + op + " (. a b) (+ c 1))", expr("a.b " + op + " c + 1"));
        }
        assertEquals("(= ([] a i) 0)", expr("a[i] = 0"));
        assertEquals("(x-- ([] a i))", expr("a[i]--"));
    }

    @Test
    void membersTakeAnyNameIncludingKeywords() throws NotInSubset {
        assertEquals("(call (. (. a if) class) null)", expr("a.if.class(null)"));
        assertEquals("(. (call (call f)) new)", expr("f()().new"));
    }

    @Test
    void mixingNullishWithAndOrIsASyntaxError() throws NotInSubset {
        String construct = "a syntax error: ?? mixed with && or || needs parentheses";
        assertExprRefused("a ?? b || c", construct);
        assertExprRefused("a || b ?? c", construct);
        assertExprRefused("a && b ?? c", construct);
        assertExprRefused("a ?? b && c", construct);
        assertEquals("(?? (|| a b) c)", expr("(a || b) ?? c"));
        assertEquals("(?? a (&& b c))", expr("a ?? (b && c)"));
        assertEquals("(|| (?? a b) c)", expr("(a ?? b) || c"));
    }

    @Test
    void unaryBeforeExponentIsASyntaxError() {
        assertExprRefused("-x ** 2", "a syntax error: a unary operator before ** needs parentheses");
        assertExprRefused("2 ** -x ** 2", "a syntax error: a unary operator before ** needs parentheses");
        assertExprRefused("typeof x ** 2", "a syntax error: a unary operator before ** needs parentheses");
    }

    @Test
    void onlyNamesMembersAndIndexesCanBeAssigned() throws NotInSubset {
        assertEquals("(? a b (+= c 1))", expr("a ? b : c += 1"));
        assertEquals("(= a 1)", expr("(a) = 1"));
        assertExprRefused("a + b = 1", "an assignment to a binary expression");
        assertExprRefused("f() = 1", "an assignment to a call");
        assertExprRefused("1 = a", "an assignment to a number literal");
        assertExprRefused("++f()", "an assignment to a call");
        assertExprRefused("f()++", "an assignment to a call");
        assertExprRefused("(a, b) = 1", "an assignment to a comma expression");
    }

    // ---------------------------------------------------------------- statements and ASI

    @Test
    void statementForms() throws NotInSubset {
        assertEquals("{(let a=1 b) (const c=(+ a 1)) (var d)}", body("let a = 1, b; const c = a + 1; var d;"));
        assertEquals("{(if a (return 1) (if b {} (return 2)))}", body("if (a) return 1; else if (b) {} else return 2;"));
        assertEquals("{(for (let i=0) (< i n) (x++ i) {continue}) (for _ _ _ break)}",
                body("for (let i = 0; i < n; i++) { continue; } for (;;) break;"));
        assertEquals("{(for (, (= a 0) (= b 1)); _ (, (x++ a) (x-- b)) ;)}", body("for (a = 0, b = 1; ; a++, b--) ;"));
        assertEquals("{(while (> n 0) (x-- n);) (do {(+= n 1);} (< n 3))}", body("while (n > 0) n--; do { n += 1 } while (n < 3)"));
        assertEquals("{{} ; (return)}", body("{} ; return;"));
    }

    @Test
    void semicolonsAreInsertedAsJavaScriptDoes() throws NotInSubset {
        assertEquals("{(let a=1) (let b=a) a; (++x b);}", body("let a = 1\nlet b = a\na\n++b"));
        assertEquals("{(return) (+ a 1);}", body("return\na + 1"));
        assertEquals("{(= a (call b c));}", body("a = b\n(c)"));
        assertEquals("{x; (++x y);}", body("x\n++\ny"));
        assertEquals("{(if a b; c;)}", body("if (a) b\nelse c"));
        assertEquals("{(do (x++ x); (< x 3)) (call y);}", body("do x++; while (x < 3) y()"));
        assertEquals("{(if a {(return 1)} _)}", body("if (a) { return 1 }"));
        assertEquals("{(- a b);}", body("a\n-b"));
        assertRefused("function f() { a b }", 1, "a syntax error: expected ; but found b");
        assertRefused("function f() { let a = 1 let b }", 1, "a syntax error: expected ; but found let");
        assertRefused("function f() { if (a) let b = 1; }", 1,
                "a syntax error: a let declaration cannot be the body of a statement");
        assertRefused("function f() {\n const c;\n}", 2, "a syntax error: missing initializer in const declaration");
    }

    @Test
    void syntaxErrorsNameWhatWasExpected() {
        assertRefused("function f() {\n g(a;\n}", 2, "a syntax error: expected ) but found ;");
        assertRefused("function f() { return (a + ; }", 1, "a syntax error: expected an expression but found ;");
        assertRefused("function f() { if a {} }", 1, "a syntax error: expected ( but found a");
        assertRefused("function f() {", 1, "a syntax error: expected } but found end of input");
        assertRefused("function f() {\n return 1 }\n x", 3, "a syntax error: expected the end of the function but found x");
        assertRefused("function f() { a = 'b }", 1, "a syntax error: unterminated string");
    }

    // ---------------------------------------------------------------- functions

    @Test
    void theThreeFunctionForms() throws NotInSubset {
        Function decl = parse("function smaps_account(mss, flags) { return flags; }");
        assertEquals("smaps_account", decl.name());
        assertEquals(List.of("mss", "flags"), decl.params());
        assertFalse(decl.arrow());
        assertEquals("{(return flags)}", Show.of(decl.body()));

        Function anonymous = parse("function (a) { a++ }");
        assertNull(anonymous.name());
        assertEquals(List.of("a"), anonymous.params());

        Function method = parse("pte_entry(pte, addr, next, walk) {\n return 0;\n}");
        assertEquals("pte_entry", method.name());
        assertEquals(List.of("pte", "addr", "next", "walk"), method.params());
        assertFalse(method.arrow());

        Function arrow = parse("(a, b) => a + b");
        assertTrue(arrow.arrow());
        assertEquals("(function null [a, b] => {(return (+ a b))})", Show.of(arrow));
        assertEquals("(function null [a] => {(return (* a 2))})", Show.of(parse("a => a * 2")));
        assertEquals("(function null [a] => {(return a)})", Show.of(parse("(a) => { return a }")));
        assertEquals("(function null [] => {(return 0)})", Show.of(parse("() => 0")));
        assertEquals(List.of("async"), parse("async => 1").params());
        assertEquals("async", parse("async(x) { return x }").name());
        assertEquals("get", parse("get(x) { return x }").name());
    }

    @Test
    void functionFormsOutsideTheSubset() {
        assertRefused("async function f() {}", 1, "an async function");
        assertRefused("async (a) => a", 1, "an async function");
        assertRefused("async a => a", 1, "an async function");
        assertRefused("async m() {}", 1, "an async function");
        assertRefused("function* g() {}", 1, "a generator function");
        assertRefused("*g() {}", 1, "a generator method");
        assertRefused("get size() { return 1 }", 1, "a getter");
        assertRefused("set size(v) {}", 1, "a setter");
        assertRefused("function f(a, b = 1) {}", 1, "a default parameter");
        assertRefused("(a, ...rest) => a", 1, "a rest parameter");
        assertRefused("({a, b}) => a", 1, "a destructuring parameter");
        assertRefused("([a]) => a", 1, "a destructuring parameter");
        assertRefused("function f(a,\n a) {}", 2, "a duplicate parameter name (a)");
        assertRefused("['x'](a) {}", 1, "a method with a computed or quoted name");
        assertRefused("function f(if) {}", 1, "a syntax error: if cannot be a parameter");
    }

    @Test
    void conciseBodyIsOneReturnAtTheExpressionsLine() throws NotInSubset {
        Function f = Parser.parseFunction("(v) =>\n    v !== null", "p.js", 30, 4);
        Return r = (Return) f.body().body().getFirst();
        assertEquals(31, r.line());
        assertEquals(31, f.body().line());
        assertEquals(30, f.line());
        assertEquals("p.js", f.source());
    }

    // ---------------------------------------------------------------- lines

    @Test
    void linesAreTheFilesLines() throws NotInSubset {
        String text = """
                pte_entry(pte, addr, next, walk) {
                    /* a comment
                       over two lines */
                    const mss = smaps_mss; // a comment
                    if (pte_present(pte) &&
                        pte_young(pte)) {
                        mss.referenced
                            += PAGE_SIZE;
                    }
                    return 0;
                }""";
        Function f = Parser.parseFunction(text, "smaps.js", 100, 4);
        assertEquals(100, f.line());
        List<Stmt> body = f.body().body();
        assertEquals(103, body.get(0).line());
        If ifStmt = (If) body.get(1);
        assertEquals(104, ifStmt.line());
        Logical test = (Logical) ifStmt.test();
        assertEquals(105, ((Call) test.right()).line());
        Stmt inner = ((Block) ifStmt.then()).body().getFirst();
        assertEquals(106, inner.line());
        assertEquals(107, ((Assign) ((ExprStmt) inner).expr()).value().line());
        assertEquals(109, body.get(2).line());
    }

    @Test
    void everyLineTerminatorCounts() throws NotInSubset {
        Function f = Parser.parseFunction("f() {\r\n a;\r b;\u2028 c;\u2029 d; /*\r\n*/ e;\n}", "t.js", 1, 0);
        List<Integer> lines = f.body().body().stream().map(Stmt::line).toList();
        assertEquals(List.of(2, 3, 4, 5, 6), lines);
    }

    @Test
    void aCommentWithANewlineEndsAReturn() throws NotInSubset {
        assertEquals("{(return) a;}", body("return /*\n*/ a"));
        assertEquals("{(return a)}", body("return /* */ a"));
    }

    // ---------------------------------------------------------------- refused constructs

    @Test
    void eachRefusedConstructIsNamedWithItsLine() {
        String[][] cases = {
            {"s = 'x'", "a string literal"},
            {"s = \"x\"", "a string literal"},
            {"s = `x${a}`", "a template literal"},
            {"s = /ab+c/g", "a regular expression"},
            {"s = {a: 1}", "an object literal"},
            {"s = [1, 2]", "an array literal"},
            {"s = () => 1", "a nested function"},
            {"s = x => 1", "a nested function"},
            {"s = (a, b) => a", "a nested function"},
            {"s = function () {}", "a nested function"},
            {"function g() {}", "a nested function"},
            {"s = async () => 1", "a nested function"},
            {"s = new Error()", "a new expression"},
            {"s = this.x", "this"},
            {"class A {}", "a class"},
            {"s = class {}", "a class"},
            {"switch (a) { case 1: break; }", "a switch statement"},
            {"try { a() } finally {}", "a try statement"},
            {"throw e", "a throw statement"},
            {"outer: for (;;) {}", "a label"},
            {"for (const v of vs) {}", "a for...of loop"},
            {"for (k in o) {}", "a for...in loop"},
            {"for (let k in o) {}", "a for...in loop"},
            {"f(...args)", "a spread argument (...)"},
            {"s = a?.b", "optional chaining (?.)"},
            {"s = super.x", "super"},
            {"yield 1", "a yield expression"},
            {"import('x')", "an import"},
            {"with (o) {}", "a with statement"},
            {"debugger", "a debugger statement"},
            {"delete o.x", "the delete operator"},
            {"await p", "an await expression"},
            {"s = k in o", "the in operator"},
            {"s = o instanceof E", "the instanceof operator"},
            {"let [a, b] = c", "a destructuring declaration"},
            {"for (;;) { break outer; }", "a labelled break"},
            {"while (a) continue outer", "a labelled continue"},
            {"s = f`x`", "a tagged template"},
            {"s = o.#p", "a private name (#p)"},
            {"s = 017", "a legacy octal literal (017)"},
            {"s = a\\u0062", "a Unicode escape in a name"},
        };
        for (String[] c : cases) {
            assertRefused("function f(a) {\n  let x = 0;\n  " + c[0] + ";\n  return x;\n}", 3, c[1]);
        }
    }

    @Test
    void theFirstRefusedConstructInSourceOrderIsReported() {
        assertRefused("function f() {\n let a = 1;\n if (b) s = {x: 'y'};\n throw e;\n}", 3, "an object literal");
        assertRefused("function f() {\n g(1,\n  'a', [1]);\n}", 3, "a string literal");
        assertRefused("function f() {\n a.b\n  ?.c;\n new X();\n}", 3, "optional chaining (?.)");
        assertRefused("function f() {\n x = y / 2;\n z = /re/;\n}", 3, "a regular expression");
    }

    // ---------------------------------------------------------------- literals

    private static double number(String literal) throws NotInSubset {
        return ((NumberLit) ((Return) parse("() => " + literal).body().body().getFirst()).value()).value();
    }

    private static BigInteger bigInt(String literal) throws NotInSubset {
        return ((BigIntLit) ((Return) parse("() => " + literal).body().body().getFirst()).value()).value();
    }

    @Test
    void numericLiterals() throws NotInSubset {
        assertEquals(1000, number("1_000"));
        assertEquals(0.5, number(".5"));
        assertEquals(5, number("5."));
        assertEquals(1500, number("1.5e3"));
        assertEquals(0.015, number("1.5E-2"));
        assertEquals(0, number("0"));
        assertEquals(31, number("0x1F"));
        assertEquals(15, number("0o17"));
        assertEquals(5, number("0b101"));
        assertEquals(0xffff_ffffL, number("0xffff_ffff"));
        assertEquals(Math.pow(2, 64), number("0xffffffffffffffff"));
        // a Number literal rounds to the nearest double, as JavaScript's does
        assertEquals(9007199254740992.0, number("9007199254740993"));
        assertEquals(9007199254740996.0, number("0x20000000000003"));
        assertEquals("(. 1 toString)", expr("1..toString"));
    }

    @Test
    void bigIntLiterals() throws NotInSubset {
        assertEquals(BigInteger.valueOf(12), bigInt("12n"));
        assertEquals(BigInteger.ZERO, bigInt("0n"));
        assertEquals(BigInteger.valueOf(31), bigInt("0x1fn"));
        assertEquals(BigInteger.valueOf(8), bigInt("0o10n"));
        assertEquals(BigInteger.valueOf(6), bigInt("0b110n"));
        assertEquals(BigInteger.valueOf(1_000_000), bigInt("1_000_000n"));
        assertEquals(new BigInteger("18446744073709551615"), bigInt("0xffff_ffff_ffff_ffffn"));
        assertEquals(BigInteger.ONE.shiftLeft(100), bigInt("1267650600228229401496703205376n"));
    }

    @Test
    void malformedNumbers() {
        assertExprRefused("x = 08", "a legacy octal literal (08)");
        assertExprRefused("x = 1__0", "a syntax error: invalid numeric separator in 1__0");
        assertExprRefused("x = 1_", "a syntax error: invalid numeric separator in 1_");
        assertExprRefused("x = 0_1", "a syntax error: invalid numeric separator in 0_1");
        assertExprRefused("x = 0x", "a syntax error: invalid number 0x");
        assertExprRefused("x = 0b12", "a syntax error: invalid number 0b12");
        assertExprRefused("x = 1.5n", "a syntax error: invalid BigInt literal 1.5n");
        assertExprRefused("x = 1e3n", "a syntax error: invalid BigInt literal 1e3n");
        assertExprRefused("x = 01n", "a legacy octal literal (01)");
        assertExprRefused("x = 3in", "a syntax error: a name right after the number 3");
    }

    @Test
    void literalsAndNames() throws NotInSubset {
        assertEquals("(, true false null undefined NaN)", expr("true, false, null, undefined, NaN"));
        Ident u = (Ident) ((ExprStmt) parse("f() { undefined }").body().body().getFirst()).expr();
        assertEquals("undefined", u.name());
    }
}
