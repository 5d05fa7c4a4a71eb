package io.pagewalk.dsl.compiler.ast;

import java.math.BigInteger;
import java.util.List;

/**
 * The syntax tree of the JavaScript subset the compiled path accepts: what hot hooks are made of.
 * Every node carries the 1-based line of the script it came from (errors and line tables use it).
 * The parser builds only these nodes; anything else is refused where it is met, naming the
 * construct ({@link io.pagewalk.dsl.compiler.NotInSubset}).
 */
public sealed interface Node {
    int line();

    // ---------------------------------------------------------------- expressions

    sealed interface Expr extends Node {}

    record NumberLit(double value, int line) implements Expr {}

    /** A BigInt literal ({@code 0x1n}); any size (the checker refuses what is out of 64 bits). */
    record BigIntLit(BigInteger value, int line) implements Expr {}

    record BoolLit(boolean value, int line) implements Expr {}

    record NullLit(int line) implements Expr {}

    /** A name: a local, a parameter, a global of the script, or a pagewalk API name ({@code undefined} too). */
    record Ident(String name, int line) implements Expr {}

    /** {@code object.name} */
    record Member(Expr object, String name, int line) implements Expr {}

    /** {@code object[index]} */
    record Index(Expr object, Expr index, int line) implements Expr {}

    /** {@code callee(args)}; callee is an Ident (a function) or a Member (a method, e.g. Math.floor, vec.push). */
    record Call(Expr callee, List<Expr> args, int line) implements Expr {}

    /** Prefix {@code - + ! ~ typeof void}. */
    record Unary(String op, Expr operand, int line) implements Expr {}

    /** {@code ++x x++ --x x--}; target is an Ident or a Member. */
    record Update(String op, boolean prefix, Expr target, int line) implements Expr {}

    /**
     * Arithmetic {@code + - * / % **}, bitwise {@code & | ^ << >> >>>}, relational {@code < <= > >=},
     * equality {@code == != === !==}.
     */
    record Binary(String op, Expr left, Expr right, int line) implements Expr {}

    /** {@code && || ??} (short-circuit). */
    record Logical(String op, Expr left, Expr right, int line) implements Expr {}

    record Conditional(Expr test, Expr then, Expr otherwise, int line) implements Expr {}

    /** {@code = += -= *= /= %= **= &= |= ^= <<= >>= >>>= &&= ||= ??=}; target is an Ident or a Member. */
    record Assign(String op, Expr target, Expr value, int line) implements Expr {}

    /** The comma operator: each in turn, the value of the last. */
    record Sequence(List<Expr> exprs, int line) implements Expr {}

    // ---------------------------------------------------------------- statements

    sealed interface Stmt extends Node {}

    /** {@code let|const|var} with one or more declarators. */
    record VarDecl(String kind, List<Declarator> declarators, int line) implements Stmt {}

    /** {@code name = init}; init may be null (undefined). */
    record Declarator(String name, Expr init, int line) {}

    record ExprStmt(Expr expr, int line) implements Stmt {}

    record If(Expr test, Stmt then, Stmt otherwise, int line) implements Stmt {}

    /** {@code for (init; test; update) body}; init is a VarDecl or an ExprStmt or null; test and update may be null. */
    record For(Stmt init, Expr test, Expr update, Stmt body, int line) implements Stmt {}

    record While(Expr test, Stmt body, int line) implements Stmt {}

    record DoWhile(Stmt body, Expr test, int line) implements Stmt {}

    /** value is null for a bare {@code return;}. */
    record Return(Expr value, int line) implements Stmt {}

    record Break(int line) implements Stmt {}

    record Continue(int line) implements Stmt {}

    record Block(List<Stmt> body, int line) implements Stmt {}

    record Empty(int line) implements Stmt {}

    // ---------------------------------------------------------------- functions

    /**
     * A function, method or arrow function. An arrow with a concise body has a body of one
     * Return. {@code source} is the script's file name; {@code line} the line of its first character.
     */
    record Function(String name, List<String> params, Block body, boolean arrow, String source, int line) implements Node {}
}
