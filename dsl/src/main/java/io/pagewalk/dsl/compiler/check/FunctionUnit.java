package io.pagewalk.dsl.compiler.check;

import io.pagewalk.dsl.compiler.ast.Node;
import java.util.ArrayList;
import java.util.List;

/** One function the compiler turns into a method: a hook, or a script function a hook calls. */
public final class FunctionUnit {
    public final Node.Function ast;
    /** The hook it implements (pte_entry...), or null for a helper. */
    public final String hook;
    /** The method name in the generated class. */
    public final String method;
    /** A number for the parsed text: the same number is the same code (part of a compiled class's key). */
    public final long parsedId;
    final List<LocalVar> params = new ArrayList<>();
    final List<LocalVar> locals = new ArrayList<>();
    /** Join of the types of its return statements' values (null: none seen yet). */
    Type returnType;
    /** Whether it can end without returning a value (falls off the end, or a bare return). */
    boolean returnsUndefined;

    public FunctionUnit(Node.Function ast, long parsedId, String hook, String method) {
        this.ast = ast;
        this.parsedId = parsedId;
        this.hook = hook;
        this.method = method;
    }

    public List<LocalVar> params() {
        return params;
    }

    /** Every local after the parameters, in declaration order. */
    public List<LocalVar> locals() {
        return locals;
    }

    /** What a call of it yields: its return type, or undefined when it returns nothing. */
    public Type resultType() {
        return returnType == null ? Type.UNDEFINED : returnType;
    }

    public String source() {
        return ast.source();
    }
}
