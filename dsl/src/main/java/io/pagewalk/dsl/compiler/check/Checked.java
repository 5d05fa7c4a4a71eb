package io.pagewalk.dsl.compiler.check;

import io.pagewalk.dsl.compiler.ast.Node;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the checker found, for the code generator: the type of every expression and what every
 * name, member and call refers to. Keyed by node identity.
 */
public final class Checked {
    public final List<FunctionUnit> units;
    public final Map<String, GlobalVar> globals;
    /** State object fields by name, each with its kind and slot in StateObject's arrays. */
    public final Map<String, Field> fields = new LinkedHashMap<>();
    /** The fields compiled code assigns (they go back to the script objects after the walk). */
    public final java.util.Set<String> writtenFields = new java.util.HashSet<>();
    public final Type privateType;
    /** Element type of the arrays hooks push to (NUMBER or BIGINT), or null if none is pushed. */
    public final Type arrayElement;

    final Map<Node.Expr, Type> types = new IdentityHashMap<>();
    final Map<Node.Ident, Object> names = new IdentityHashMap<>();
    final Map<Node.Call, Object> calls = new IdentityHashMap<>();
    final Map<Node.Declarator, LocalVar> declared = new IdentityHashMap<>();
    /** BigInt expressions of constants, worked out at compile time (their value modulo 2^64). */
    final Map<Node.Expr, Long> constants = new IdentityHashMap<>();

    /** The value of a constant BigInt expression, or null. */
    public Long constant(Node.Expr e) {
        return constants.get(e);
    }

    /** BigInt operations whose value matters only modulo 2^64: compiled with the JVM's wrapping arithmetic. */
    final java.util.Set<Node.Expr> wrapped = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    Checked(List<FunctionUnit> units, Map<String, GlobalVar> globals, Type privateType, Type arrayElement,
            Map<String, Field> fields) {
        this.units = units;
        this.globals = globals;
        this.privateType = privateType;
        this.arrayElement = arrayElement;
        this.fields.putAll(fields);
    }

    /** A state object field: its type and its index in the array of that type. */
    public record Field(String name, Type type, int index) {}

    /** A constant of the pagewalk API (or NaN, Infinity, undefined): a Double, a Long (BigInt) or UNDEFINED. */
    public record Constant(Object value) {}

    /** Calls of JavaScript built-ins the subset has: Math.floor, Number(x), BigInt(x), BigInt.asUintN(64, x), a.push(x). */
    public record Builtin(String name) {}

    public Type type(Node.Expr e) {
        return types.get(e);
    }

    /** A LocalVar, a GlobalVar, or a Constant. */
    public Object name(Node.Ident id) {
        return names.get(id);
    }

    /** A FunctionUnit, a Method of Intrinsics, or a Builtin. */
    public Object call(Node.Call c) {
        return calls.get(c);
    }

    public boolean isWrapped(Node.Expr e) {
        return wrapped.contains(e);
    }

    /** The local a declarator declares. */
    public LocalVar declared(Node.Declarator d) {
        return declared.get(d);
    }

}
