package io.pagewalk.dsl.compiler.parse;

import io.pagewalk.dsl.compiler.ast.Node;
import io.pagewalk.dsl.compiler.ast.Node.*;
import java.util.List;
import java.util.stream.Collectors;

/** Prints a tree as compact S-expressions, so that tests state a tree's shape in one string. */
final class Show {
    private Show() {}

    static String of(Node n) {
        return switch (n) {
            case null -> "_";
            case NumberLit x -> x.value() == Math.rint(x.value()) && Math.abs(x.value()) < 1e15
                    ? Long.toString((long) x.value()) : Double.toString(x.value());
            case BigIntLit x -> x.value() + "n";
            case BoolLit x -> Boolean.toString(x.value());
            case NullLit x -> "null";
            case Ident x -> x.name();
            case Member x -> "(. " + of(x.object()) + " " + x.name() + ")";
            case Index x -> "([] " + of(x.object()) + " " + of(x.index()) + ")";
            case Call x -> "(call " + of(x.callee()) + all(x.args()) + ")";
            case Unary x -> "(" + x.op() + " " + of(x.operand()) + ")";
            case Update x -> "(" + (x.prefix() ? x.op() + "x " : "x" + x.op() + " ") + of(x.target()) + ")";
            case Binary x -> "(" + x.op() + " " + of(x.left()) + " " + of(x.right()) + ")";
            case Logical x -> "(" + x.op() + " " + of(x.left()) + " " + of(x.right()) + ")";
            case Conditional x -> "(? " + of(x.test()) + " " + of(x.then()) + " " + of(x.otherwise()) + ")";
            case Assign x -> "(" + x.op() + " " + of(x.target()) + " " + of(x.value()) + ")";
            case Sequence x -> "(," + all(x.exprs()) + ")";
            case VarDecl x -> "(" + x.kind() + x.declarators().stream()
                    .map(d -> " " + d.name() + (d.init() == null ? "" : "=" + of(d.init())))
                    .collect(Collectors.joining()) + ")";
            case ExprStmt x -> of(x.expr()) + ";";
            case If x -> "(if " + of(x.test()) + " " + of(x.then()) + " " + of(x.otherwise()) + ")";
            case For x -> "(for " + of(x.init()) + " " + of(x.test()) + " " + of(x.update()) + " " + of(x.body()) + ")";
            case While x -> "(while " + of(x.test()) + " " + of(x.body()) + ")";
            case DoWhile x -> "(do " + of(x.body()) + " " + of(x.test()) + ")";
            case Return x -> "(return" + (x.value() == null ? "" : " " + of(x.value())) + ")";
            case Break x -> "break";
            case Continue x -> "continue";
            case Block x -> "{" + x.body().stream().map(Show::of).collect(Collectors.joining(" ")) + "}";
            case Empty x -> ";";
            case Function x -> "(function " + x.name() + " " + x.params() + (x.arrow() ? " => " : " ") + of(x.body()) + ")";
        };
    }

    private static String all(List<? extends Node> nodes) {
        return nodes.stream().map(n -> " " + of(n)).collect(Collectors.joining());
    }
}
