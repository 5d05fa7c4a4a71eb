package io.pagewalk.dsl.compiler.check;

import io.pagewalk.dsl.compiler.NotInSubset;
import io.pagewalk.dsl.compiler.ast.Node;
import io.pagewalk.dsl.compiler.ast.Node.Expr;
import io.pagewalk.dsl.compiler.ast.Node.Stmt;
import io.pagewalk.dsl.compiler.check.Checked.Builtin;
import io.pagewalk.dsl.compiler.check.Checked.Constant;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves names and infers one static type per variable, parameter, field and expression, or
 * refuses the first construct the compiled path cannot run with JavaScript's exact results.
 * Types flow between functions (a helper's parameters take the types of its call sites), so the
 * checker runs to a fixed point, then once more strictly: nothing may stay unknown.
 */
public final class Checker {
    /** The hooks' parameters as the walker passes them. */
    public static final Map<String, Type[]> HOOK_PARAMS = Map.ofEntries(
            Map.entry("pgd_entry", new Type[] {Type.BIGINT, Type.NUMBER, Type.NUMBER, Type.WALK}),
            Map.entry("p4d_entry", new Type[] {Type.BIGINT, Type.NUMBER, Type.NUMBER, Type.WALK}),
            Map.entry("pud_entry", new Type[] {Type.BIGINT, Type.NUMBER, Type.NUMBER, Type.WALK}),
            Map.entry("pmd_entry", new Type[] {Type.BIGINT, Type.NUMBER, Type.NUMBER, Type.WALK}),
            Map.entry("pte_entry", new Type[] {Type.BIGINT, Type.NUMBER, Type.NUMBER, Type.WALK}),
            Map.entry("pte_hole", new Type[] {Type.NUMBER, Type.NUMBER, Type.NUMBER, Type.WALK}),
            Map.entry("hugetlb_entry", new Type[] {Type.BIGINT, Type.BIGINT, Type.NUMBER, Type.NUMBER, Type.WALK}),
            Map.entry("test_walk", new Type[] {Type.NUMBER, Type.NUMBER, Type.WALK}),
            Map.entry("pre_vma", new Type[] {Type.NUMBER, Type.NUMBER, Type.WALK}),
            Map.entry("post_vma", new Type[] {Type.WALK}),
            Map.entry("install_pte", new Type[] {Type.NUMBER, Type.NUMBER, Type.PTEP, Type.WALK}));

    private static final Set<String> MATH = Set.of("floor", "ceil", "trunc", "round", "abs", "sign", "min", "max",
            "pow", "sqrt");

    private final Environment env;
    private final Map<String, Object> constants;
    private final Map<String, List<Method>> intrinsics = new HashMap<>();
    private final List<FunctionUnit> units = new ArrayList<>();
    private final Map<String, GlobalVar> globals = new LinkedHashMap<>();
    private final Map<String, FunctionUnit> helpers = new HashMap<>();
    private final Map<String, Checked.Field> fields = new LinkedHashMap<>();
    private final Set<String> writtenFields = new HashSet<>();
    private final int[] fieldCounts = new int[3];
    private Type privateType;
    private boolean privateTypeKnown;

    private Checked out;
    private boolean changed;
    private boolean strict;

    /**
     * @param constants the API's constant names with a Double (Number) or Long (BigInt) value
     * @param intrinsics the class whose static methods are the API helpers, by name
     */
    public Checker(Environment env, Map<String, Object> constants, Class<?> intrinsics) {
        this.env = env;
        this.constants = constants;
        for (Method m : intrinsics.getMethods()) {
            if (java.lang.reflect.Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() == intrinsics) {
                this.intrinsics.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(m);
            }
        }
        // Overloads in a fixed order (the JVM lists methods in any order): the first match wins.
        this.intrinsics.values().forEach(l -> l.sort(java.util.Comparator.comparing(Method::toString)));
    }

    /** Checks the hooks (and, through them, every helper they call). */
    public Checked check(List<FunctionUnit> hooks) throws NotInSubset {
        units.addAll(hooks);
        for (FunctionUnit u : hooks) {
            Type[] given = HOOK_PARAMS.get(u.hook);
            if (given == null) {
                throw new NotInSubset(u.source(), u.ast.line(), u.hook + " (not a hook the compiled path has)");
            }
            for (int i = 0; i < u.ast.params().size(); i++) {
                LocalVar p = new LocalVar(u.ast.params().get(i), false, true);
                p.type = i < given.length ? given[i] : Type.UNDEFINED;
                u.params.add(p);
            }
        }
        for (int round = 0; ; round++) {
            out = new Checked(units, globals, privateType, fields);
            out.writtenFields.addAll(writtenFields);
            changed = false;
            strict = round > 0 && !changedLast;
            for (int i = 0; i < units.size(); i++) {
                checkFunction(units.get(i));
            }
            if (strict) {
                break;
            }
            changedLast = changed;
            if (round > 50) {
                throw new NotInSubset(units.get(0).source(), units.get(0).ast.line(), "types that do not settle");
            }
        }
        for (FunctionUnit u : units) {
            if (u.hook != null && u.returnType != null && u.returnType.kind() != Type.Kind.NUMBER
                    && u.returnType.kind() != Type.Kind.NULL && u.returnType.kind() != Type.Kind.UNDEFINED) {
                throw new NotInSubset(u.source(), u.ast.line(), u.hook + " returning " + u.returnType + " (hooks return an int)");
            }
        }
        return out;
    }

    private boolean changedLast = true;

    // ---------------------------------------------------------------- functions and scopes

    private FunctionUnit unit;
    private final Deque<Map<String, LocalVar>> scopes = new ArrayDeque<>();
    private final Deque<Set<String>> pending = new ArrayDeque<>();
    private Map<Object, LocalVar> localsByNode;
    private final Map<FunctionUnit, Map<Object, LocalVar>> localsOf = new IdentityHashMap<>();
    private int loops;

    private void checkFunction(FunctionUnit u) throws NotInSubset {
        unit = u;
        localsByNode = localsOf.computeIfAbsent(u, k -> new IdentityHashMap<>());
        scopes.clear();
        pending.clear();
        loops = 0;
        Map<String, LocalVar> top = new HashMap<>();
        for (LocalVar p : u.params) {
            top.put(p.name, p);
        }
        scopes.push(top);
        Set<String> vars = new HashSet<>();
        collectVars(u.ast.body(), vars);
        pending.push(vars);
        boolean completes = block(u.ast.body().body(), true);
        if (completes) {
            u.returnsUndefined = true;
        }
        scopes.pop();
        pending.pop();
    }

    private void collectVars(Stmt s, Set<String> out) {
        switch (s) {
            case Node.VarDecl d when d.kind().equals("var") -> d.declarators().forEach(x -> out.add(x.name()));
            case Node.Block b -> b.body().forEach(x -> collectVars(x, out));
            case Node.If i -> {
                collectVars(i.then(), out);
                if (i.otherwise() != null) {
                    collectVars(i.otherwise(), out);
                }
            }
            case Node.For f -> {
                if (f.init() != null) {
                    collectVars(f.init(), out);
                }
                collectVars(f.body(), out);
            }
            case Node.While w -> collectVars(w.body(), out);
            case Node.DoWhile w -> collectVars(w.body(), out);
            default -> { }
        }
    }

    /** Checks statements in a new scope; whether control can reach the end. */
    private boolean block(List<Stmt> body, boolean functionScope) throws NotInSubset {
        if (!functionScope) {
            scopes.push(new HashMap<>());
            Set<String> lexical = new HashSet<>();
            for (Stmt s : body) {
                if (s instanceof Node.VarDecl d && !d.kind().equals("var")) {
                    d.declarators().forEach(x -> lexical.add(x.name()));
                }
            }
            pending.push(lexical);
        } else {
            for (Stmt s : body) {
                if (s instanceof Node.VarDecl d && !d.kind().equals("var")) {
                    d.declarators().forEach(x -> pending.peek().add(x.name()));
                }
            }
        }
        boolean completes = true;
        for (Stmt s : body) {
            if (!completes) {
                break; // unreachable code is not compiled (the JVM refuses dead code with no frame)
            }
            completes = stmt(s);
        }
        if (!functionScope) {
            scopes.pop();
            pending.pop();
        }
        return completes;
    }

    private LocalVar declare(Node.Declarator d, String kind) throws NotInSubset {
        LocalVar v = localsByNode.get(d);
        Map<String, LocalVar> scope = kind.equals("var") ? scopes.peekLast() : scopes.peek();
        Set<String> waiting = kind.equals("var") ? pending.peekLast() : pending.peek();
        LocalVar existing = scope.get(d.name());
        if (existing != null && existing != v) {
            if (!kind.equals("var") || existing.isConst || existing.param) {
                throw fail(d.line(), "a second declaration of " + d.name());
            }
            out.declared.put(d, existing);
            return existing;
        }
        if (v == null) {
            v = new LocalVar(d.name(), kind.equals("const"), false);
            localsByNode.put(d, v);
            unit.locals.add(v);
        }
        scope.put(d.name(), v);
        if (waiting != null) {
            waiting.remove(d.name());
        }
        out.declared.put(d, v);
        return v;
    }

    // ---------------------------------------------------------------- statements

    /** Whether control can go on after the statement. */
    private boolean stmt(Stmt s) throws NotInSubset {
        switch (s) {
            case Node.VarDecl d -> {
                for (Node.Declarator x : d.declarators()) {
                    Type t = x.init() == null ? Type.UNDEFINED : expr(x.init());
                    if (x.init() == null && d.kind().equals("var")) {
                        // var x; keeps the value a var already has: nothing is stored.
                        LocalVar v = declare(x, d.kind());
                        store(v, Type.UNDEFINED, x.line());
                        continue;
                    }
                    LocalVar v = declare(x, d.kind());
                    store(v, t, x.line());
                }
                return true;
            }
            case Node.ExprStmt e -> {
                if (e.expr() instanceof Node.Call c) {
                    call(c, false); // the result, if any, is dropped
                } else {
                    expr(e.expr());
                }
                return true;
            }
            case Node.If i -> {
                condition(i.test());
                boolean a = stmt(i.then());
                boolean b = i.otherwise() == null || stmt(i.otherwise());
                return a || b;
            }
            case Node.For f -> {
                scopes.push(new HashMap<>());
                pending.push(new HashSet<>());
                if (f.init() != null) {
                    stmt(f.init());
                }
                if (f.test() != null) {
                    condition(f.test());
                }
                loops++;
                stmt(f.body());
                loops--;
                if (f.update() != null) {
                    expr(f.update());
                }
                scopes.pop();
                pending.pop();
                return true;
            }
            case Node.While w -> {
                condition(w.test());
                loops++;
                stmt(w.body());
                loops--;
                return true;
            }
            case Node.DoWhile w -> {
                loops++;
                stmt(w.body());
                loops--;
                condition(w.test());
                return true;
            }
            case Node.Return r -> {
                Type t = r.value() == null ? Type.UNDEFINED : expr(r.value());
                if (t != null && t.kind() == Type.Kind.UNDEFINED) {
                    unit.returnsUndefined = true;
                } else if (t != null) {
                    Type j = Type.join(unit.returnType, t);
                    if (j == null) {
                        throw fail(r.line(), "a function returning both " + unit.returnType + " and " + t);
                    }
                    if (!j.equals(unit.returnType)) {
                        unit.returnType = j;
                        changed = true;
                    }
                }
                return false;
            }
            case Node.Break b -> {
                if (loops == 0) {
                    throw fail(b.line(), "a break outside a loop");
                }
                return false;
            }
            case Node.Continue c -> {
                if (loops == 0) {
                    throw fail(c.line(), "a continue outside a loop");
                }
                return false;
            }
            case Node.Block b -> {
                return block(b.body(), false);
            }
            case Node.Empty e -> {
                return true;
            }
        }
    }

    private void store(LocalVar v, Type t, int line) throws NotInSubset {
        if (t == null) {
            return;
        }
        Type j = Type.join(v.type, t);
        if (j == null) {
            throw fail(line, v.name + " holding both " + v.type + " and " + t);
        }
        if (!j.equals(v.type)) {
            v.type = j;
            changed = true;
        }
    }

    // ---------------------------------------------------------------- expressions

    /**
     * A test (if, loops, ?:, the operand of !): any type has a truthiness, and && || may mix
     * types here (as values they may not: a && b is then a or b, one type).
     */
    private void condition(Expr e) throws NotInSubset {
        if (e instanceof Node.Logical l && !l.op().equals("??")) {
            condition(l.left());
            condition(l.right());
            out.types.put(e, Type.BOOLEAN);
            return;
        }
        if (e instanceof Node.Unary u && u.op().equals("!")) {
            condition(u.operand());
            out.types.put(e, Type.BOOLEAN);
            return;
        }
        Type t = e instanceof Node.Call c ? call(c, true) : expr(e);
        if (t != null && e instanceof Node.Call) {
            out.types.put(e, t);
        }
        if (t != null && t.kind() == Type.Kind.UNDEFINED && !(e instanceof Node.Ident)) {
            throw fail(e.line(), "a test of a call that returns nothing");
        }
    }

    private Type expr(Expr e) throws NotInSubset {
        Type t = exprType(e);
        if (t == null && strict) {
            throw fail(e.line(), "a value whose type is not known (a helper that is never called with arguments?)");
        }
        if (t != null) {
            out.types.put(e, t);
        }
        return t;
    }

    private Type exprType(Expr e) throws NotInSubset {
        return switch (e) {
            case Node.NumberLit n -> Type.NUMBER;
            case Node.BigIntLit b -> {
                if (b.value().signum() < 0 || b.value().bitLength() > 64) {
                    throw fail(b.line(), "a BigInt literal beyond 64 bits");
                }
                yield Type.BIGINT;
            }
            case Node.BoolLit b -> Type.BOOLEAN;
            case Node.NullLit n -> Type.NULL;
            case Node.Ident id -> ident(id);
            case Node.Member m -> member(m);
            case Node.Index i -> throw fail(i.line(), "an index expression (a[i])");
            case Node.Call c -> call(c, true);
            case Node.Unary u -> unary(u);
            case Node.Update u -> update(u);
            case Node.Binary b -> binary(b);
            case Node.Logical l -> logical(l);
            case Node.Conditional c -> {
                condition(c.test());
                Type a = expr(c.then());
                Type b = expr(c.otherwise());
                yield joinOrFail(a, b, c.line(), "a conditional (?:) with");
            }
            case Node.Assign a -> assign(a);
            case Node.Sequence s -> {
                Type last = null;
                for (Expr x : s.exprs()) {
                    last = expr(x);
                }
                yield last;
            }
        };
    }

    private Type joinOrFail(Type a, Type b, int line, String what) throws NotInSubset {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        Type j = Type.join(a, b);
        if (j == null) {
            throw fail(line, what + " both " + a + " and " + b);
        }
        return j;
    }

    /** What a name is: a local, a global, a constant of the API; functions only as callees. */
    private Type ident(Node.Ident id) throws NotInSubset {
        Object target = resolveName(id.name(), id.line());
        out.names.put(id, target);
        return switch (target) {
            case LocalVar v -> v.type;
            case GlobalVar g -> g.type;
            case Constant c -> c.value() instanceof Double ? Type.NUMBER
                    : c.value() instanceof Long ? Type.BIGINT : Type.UNDEFINED;
            case FunctionUnit f -> throw fail(id.line(), "the function " + id.name() + " used as a value");
            default -> throw fail(id.line(), id.name() + " used as a value");
        };
    }

    private Object resolveName(String name, int line) throws NotInSubset {
        for (Map<String, LocalVar> s : scopes) {
            LocalVar v = s.get(name);
            if (v != null) {
                return v;
            }
        }
        for (Set<String> p : pending) {
            if (p.contains(name)) {
                throw fail(line, name + " used before its declaration");
            }
        }
        switch (name) {
            case "undefined":
                return new Constant(Type.UNDEFINED);
            case "NaN":
                return new Constant(Double.NaN);
            case "Infinity":
                return new Constant(Double.POSITIVE_INFINITY);
            default:
                break;
        }
        Object c = constants.get(name);
        if (c != null) {
            return new Constant(c);
        }
        if (intrinsic(name) != null || name.equals("Math") || name.equals("Number") || name.equals("BigInt")) {
            return name; // a function of the API or a built-in: only callable
        }
        GlobalVar g = globals.get(name);
        if (g != null) {
            return g;
        }
        FunctionUnit helper = helpers.get(name);
        if (helper != null) {
            return helper;
        }
        Object r = env.resolve(name, unit.source(), line);
        if (r == null) {
            throw fail(line, name + ", which is not defined");
        }
        if (r instanceof GlobalVar gv) {
            globals.put(name, gv);
            changed = true;
        } else if (r instanceof FunctionUnit fu) {
            helpers.put(name, fu);
            units.add(fu);
            changed = true;
        }
        return r;
    }

    private List<Method> intrinsic(String name) {
        return intrinsics.get(name);
    }

    private Type member(Node.Member m) throws NotInSubset {
        Type obj = expr(m.object());
        if (obj == null) {
            return null;
        }
        return memberType(obj, m.name(), m.line(), false);
    }

    /** The type of obj.name (or whether it may be assigned, when write). */
    private Type memberType(Type obj, String name, int line, boolean write) throws NotInSubset {
        Type t = switch (obj.kind()) {
            case WALK -> switch (name) {
                case "action" -> Type.NUMBER;
                case "vma" -> Type.VMA.orNull();
                case "mm" -> Type.MM.orNull();
                case "private" -> {
                    if (!privateTypeKnown) {
                        privateType = env.privateType(unit.source(), line);
                        privateTypeKnown = true;
                    }
                    yield privateType;
                }
                default -> null;
            };
            case VMA -> switch (name) {
                case "vm_start", "vm_end", "vm_pgoff" -> Type.NUMBER;
                case "vm_flags" -> Type.BIGINT;
                case "anonymous", "hugetlb" -> Type.BOOLEAN;
                case "vm_file" -> Type.MAPPING.orNull();
                default -> null;
            };
            case FOLIO -> switch (name) {
                case "pfn", "nr_pages", "order" -> Type.NUMBER;
                default -> null;
            };
            case MAPPING -> switch (name) {
                case "inode" -> Type.NUMBER;
                case "shmem" -> Type.BOOLEAN;
                default -> null;
            };
            case STATE -> field(name, line).type();
            case ARRAY -> name.equals("length") ? Type.NUMBER : null;
            case PTEP -> name.equals("value") ? Type.BIGINT : null;
            case NULL -> throw fail(line, "reading ." + name + " of null");
            default -> null;
        };
        if (t == null) {
            throw fail(line, "the property ." + name + " of " + obj);
        }
        if (write && !(obj.kind() == Type.Kind.STATE || obj.kind() == Type.Kind.PTEP
                || (obj.kind() == Type.Kind.WALK && name.equals("action")))) {
            throw fail(line, "an assignment to ." + name + " of " + obj + " (read-only)");
        }
        return t;
    }

    private Checked.Field field(String name, int line) throws NotInSubset {
        Checked.Field f = fields.get(name);
        if (f == null) {
            Type t = env.fieldType(name, unit.source(), line);
            int k = switch (t.kind()) {
                case NUMBER -> 0;
                case BIGINT -> 1;
                case BOOLEAN -> 2;
                default -> throw fail(line, "the field ." + name + " holding " + t + " (fields are Numbers, BigInts or booleans)");
            };
            f = new Checked.Field(name, t, fieldCounts[k]++);
            fields.put(name, f);
            out.fields.put(name, f);
            changed = true;
        }
        return f;
    }

    // ---------------------------------------------------------------- calls

    private Type call(Node.Call c, boolean valueUsed) throws NotInSubset {
        List<Type> args = new ArrayList<>();
        if (c.callee() instanceof Node.Member m && m.object() instanceof Node.Ident id
                && (id.name().equals("Math") || id.name().equals("BigInt")) && !isLocal(id.name())) {
            boolean uintN = id.name().equals("BigInt") && m.name().equals("asUintN");
            for (int i = 0; i < c.args().size(); i++) {
                args.add(uintN && i == 1 ? wrapped(c.args().get(i)) : expr(c.args().get(i)));
            }
            return builtinMember(c, id.name(), m.name(), args);
        }
        if (c.callee() instanceof Node.Member m) {
            Type obj = expr(m.object());
            for (Expr a : c.args()) {
                args.add(expr(a));
            }
            if (obj != null && obj.kind() == Type.Kind.ARRAY && m.name().equals("push")) {
                if (c.args().size() != 1) {
                    throw fail(c.line(), "push with " + c.args().size() + " arguments");
                }
                Type a = args.get(0);
                if (a != null && a.kind() != Type.Kind.NUMBER && a.kind() != Type.Kind.BIGINT && a.kind() != Type.Kind.BOOLEAN) {
                    throw fail(c.line(), "pushing " + a + " (Numbers, BigInts and booleans only)");
                }
                out.calls.put(c, new Builtin("push"));
                return Type.NUMBER;
            }
            if (obj == null) {
                return null;
            }
            throw fail(c.line(), "a method call ." + m.name() + "() on " + obj);
        }
        if (!(c.callee() instanceof Node.Ident id)) {
            throw fail(c.line(), "a call of a computed function");
        }
        for (Expr a : c.args()) {
            args.add(expr(a));
        }
        Object target = resolveName(id.name(), id.line());
        if (target instanceof LocalVar || target instanceof GlobalVar || target instanceof Constant) {
            throw fail(c.line(), "a call of " + id.name() + ", which is not a function");
        }
        if (target instanceof FunctionUnit f) {
            return helperCall(c, f, args, valueUsed);
        }
        String name = (String) target;
        if (name.equals("Number") || name.equals("BigInt")) {
            if (args.size() != 1) {
                throw fail(c.line(), name + "() with " + args.size() + " arguments");
            }
            Type a = args.get(0);
            out.calls.put(c, new Builtin(name));
            if (a == null) {
                return name.equals("Number") ? Type.NUMBER : Type.BIGINT;
            }
            if (name.equals("Number") && (a.kind() == Type.Kind.NUMBER || a.kind() == Type.Kind.BIGINT
                    || a.kind() == Type.Kind.BOOLEAN)) {
                return Type.NUMBER;
            }
            if (name.equals("BigInt") && (a.kind() == Type.Kind.NUMBER || a.kind() == Type.Kind.BIGINT)) {
                return Type.BIGINT;
            }
            throw fail(c.line(), name + "() of " + a);
        }
        return intrinsicCall(c, name, args);
    }

    private boolean isLocal(String name) {
        for (Map<String, LocalVar> s : scopes) {
            if (s.containsKey(name)) {
                return true;
            }
        }
        return false;
    }

    private Type builtinMember(Node.Call c, String object, String name, List<Type> args) throws NotInSubset {
        if (object.equals("BigInt")) {
            if (!name.equals("asUintN") || args.size() != 2 || !(c.args().get(0) instanceof Node.NumberLit n)
                    || n.value() != 64) {
                throw fail(c.line(), "BigInt." + name + "() (only BigInt.asUintN(64, x))");
            }
            if (args.get(1) != null && args.get(1).kind() != Type.Kind.BIGINT) {
                throw fail(c.line(), "BigInt.asUintN(64, x) of " + args.get(1));
            }
            out.calls.put(c, new Builtin("asUintN64"));
            return Type.BIGINT;
        }
        if (!MATH.contains(name)) {
            throw fail(c.line(), "Math." + name + "()");
        }
        int arity = name.equals("min") || name.equals("max") || name.equals("pow") ? 2 : 1;
        if (args.size() != arity) {
            throw fail(c.line(), "Math." + name + "() with " + args.size() + " arguments");
        }
        for (Type a : args) {
            if (a != null && a.kind() != Type.Kind.NUMBER) {
                throw fail(c.line(), "Math." + name + "() of " + a);
            }
        }
        out.calls.put(c, new Builtin("Math." + name));
        return Type.NUMBER;
    }

    private Type helperCall(Node.Call c, FunctionUnit f, List<Type> args, boolean valueUsed) throws NotInSubset {
        if (f.ast.params().size() != args.size()) {
            throw fail(c.line(), "a call of " + f.ast.name() + " with " + args.size() + " arguments for "
                    + f.ast.params().size() + " parameters");
        }
        if (f.params.isEmpty() && !f.ast.params().isEmpty()) {
            for (String p : f.ast.params()) {
                f.params.add(new LocalVar(p, false, true));
            }
        }
        for (int i = 0; i < args.size(); i++) {
            Type a = args.get(i);
            if (a == null) {
                continue;
            }
            if (a.kind() == Type.Kind.UNDEFINED) {
                throw fail(c.line(), "undefined passed to " + f.ast.name());
            }
            LocalVar p = f.params.get(i);
            Type j = Type.join(p.type, a);
            if (j == null) {
                throw fail(c.line(), "the parameter " + p.name + " of " + f.ast.name() + " taking both " + p.type + " and " + a);
            }
            if (!j.equals(p.type)) {
                p.type = j;
                changed = true;
            }
        }
        out.calls.put(c, f);
        if (f.returnType != null && f.returnsUndefined && valueUsed) {
            if (strict) {
                throw fail(c.line(), "the value of " + f.ast.name() + "(), which returns " + f.returnType
                        + " on some paths and nothing on others");
            }
            return null;
        }
        return f.returnType == null ? (f.returnsUndefined ? Type.UNDEFINED : null) : f.returnType;
    }

    private Type intrinsicCall(Node.Call c, String name, List<Type> args) throws NotInSubset {
        List<Method> candidates = intrinsic(name);
        if (args.contains(null)) {
            out.calls.put(c, candidates.get(0));
            return null;
        }
        Method best = null;
        for (Method m : candidates) {
            Class<?>[] p = m.getParameterTypes();
            int skip = p.length > 0 && p[0] == io.pagewalk.dsl.compiler.rt.Env.class ? 1 : 0;
            if (p.length - skip != args.size()) {
                continue;
            }
            boolean ok = true;
            for (int i = 0; i < args.size() && ok; i++) {
                ok = accepts(p[i + skip], args.get(i));
            }
            if (ok) {
                best = m;
                break;
            }
        }
        if (best == null) {
            StringBuilder sb = new StringBuilder();
            for (Type a : args) {
                sb.append(sb.length() == 0 ? "" : ", ").append(a);
            }
            throw fail(c.line(), name + "(" + sb + ") (not a form the compiled path has)");
        }
        out.calls.put(c, best);
        return javaResult(best.getReturnType());
    }

    static boolean accepts(Class<?> p, Type a) {
        if (a.kind() == Type.Kind.NULL) {
            return !p.isPrimitive();
        }
        if (p == double.class) {
            return a.kind() == Type.Kind.NUMBER;
        }
        if (p == long.class) {
            return a.kind() == Type.Kind.BIGINT;
        }
        if (p == boolean.class) {
            return a.kind() == Type.Kind.BOOLEAN;
        }
        return a.isReference() && p == a.javaClass();
    }

    static Type javaResult(Class<?> r) {
        if (r == double.class || r == int.class) {
            return Type.NUMBER;
        }
        if (r == long.class) {
            return Type.BIGINT;
        }
        if (r == boolean.class) {
            return Type.BOOLEAN;
        }
        if (r == void.class) {
            return Type.UNDEFINED;
        }
        for (Type.Kind k : Type.Kind.values()) {
            if (k.javaClass == r && k != Type.Kind.NULL) {
                return Type.of(k).orNull();
            }
        }
        throw new IllegalStateException("intrinsic result " + r);
    }

    // ---------------------------------------------------------------- operators

    private Type unary(Node.Unary u) throws NotInSubset {
        if ((u.op().equals("~") || u.op().equals("-")) && constant(u)) {
            return Type.BIGINT;
        }
        if (u.op().equals("!")) {
            condition(u.operand());
            return Type.BOOLEAN;
        }
        Type t = expr(u.operand());
        if (t == null) {
            return null;
        }
        return switch (u.op()) {
            case "-", "+" -> {
                if (t.kind() != Type.Kind.NUMBER) {
                    throw fail(u.line(), "unary " + u.op() + " of " + t);
                }
                yield Type.NUMBER;
            }
            case "~" -> {
                if (t.kind() == Type.Kind.BIGINT) {
                    throw fail(u.line(), "~ of a BigInt outside x & ~y (its value is negative)");
                }
                if (t.kind() != Type.Kind.NUMBER) {
                    throw fail(u.line(), "~ of " + t);
                }
                yield Type.NUMBER;
            }
            default -> throw fail(u.line(), "the operator " + u.op());
        };
    }

    private Type update(Node.Update u) throws NotInSubset {
        if (u.target() instanceof Node.Member m) {
            // ++ and -- only on state fields
            Type obj = expr(m.object());
            if (obj != null && obj.kind() != Type.Kind.STATE) {
                throw fail(u.line(), u.op() + " of ." + ((Node.Member) u.target()).name() + " of " + obj);
            }
        }
        Type t = lvalue(u.target(), null, u.line());
        if (t != null && t.kind() != Type.Kind.NUMBER && t.kind() != Type.Kind.BIGINT) {
            throw fail(u.line(), u.op() + " of " + t);
        }
        return t;
    }

    /** Checks an assignment target; stores {@code value} (if given) into it; the target's type. */
    private Type lvalue(Expr target, Type value, int line) throws NotInSubset {
        if (target instanceof Node.Ident id) {
            Object r = resolveName(id.name(), id.line());
            out.names.put(id, r);
            if (r instanceof LocalVar v) {
                if (v.isConst) {
                    throw fail(line, "an assignment to the constant " + v.name);
                }
                if (value != null) {
                    store(v, value, line);
                }
                return v.type;
            }
            if (r instanceof GlobalVar g) {
                if (!g.assignable) {
                    throw fail(line, "an assignment to the constant " + g.name);
                }
                if (!g.assigned) {
                    g.assigned = true;
                    changed = true;
                }
                if (value != null) {
                    Type j = Type.join(g.type, value);
                    if (j == null) {
                        throw fail(line, "the global " + g.name + " holding both " + g.type + " and " + value);
                    }
                    if (!j.equals(g.type)) {
                        g.type = j;
                        changed = true;
                    }
                }
                return g.type;
            }
            throw fail(line, "an assignment to " + id.name());
        }
        if (target instanceof Node.Member m) {
            Type obj = expr(m.object());
            if (obj == null) {
                return null;
            }
            Type t = memberType(obj, m.name(), line, true);
            if (obj.kind() == Type.Kind.STATE && writtenFields.add(m.name())) {
                changed = true;
            }
            if (value != null && !value.equals(t) && Type.join(t, value) != t) {
                throw fail(line, "storing " + value + " in ." + m.name() + ", which holds " + t);
            }
            return t;
        }
        throw fail(line, "an assignment to this kind of target");
    }

    private Type assign(Node.Assign a) throws NotInSubset {
        if (a.op().equals("=")) {
            Type v = expr(a.value());
            if (v != null && v.kind() == Type.Kind.UNDEFINED) {
                throw fail(a.line(), "storing undefined");
            }
            Type t = lvalue(a.target(), v, a.line());
            return v == null ? t : v;
        }
        if (a.op().equals("&&=") || a.op().equals("||=") || a.op().equals("??=")) {
            throw fail(a.line(), "the operator " + a.op());
        }
        String op = a.op().substring(0, a.op().length() - 1);
        Type t = lvalue(a.target(), null, a.line());
        Type v = op.equals("&") ? wrapped(a.value()) : expr(a.value());
        if (t == null || v == null) {
            return t;
        }
        Type r = arithmetic(op, t, v, a.line());
        if (!r.equals(t)) {
            throw fail(a.line(), a.op() + " turning " + t + " into " + r);
        }
        return t;
    }

    private Type binary(Node.Binary b) throws NotInSubset {
        if (constant(b)) {
            return Type.BIGINT;
        }
        Type l;
        Type r;
        if (b.op().equals("&") && inRange(folded(b.right()))) {
            l = wrapped(b.left());
            r = expr(b.right());
        } else if (b.op().equals("&") && inRange(folded(b.left()))) {
            l = expr(b.left());
            r = wrapped(b.right());
        } else if (b.op().equals("&") && wrappable(b.right())) {
            // x & y of BigInts depends only on y modulo 2^64 when x is in 0..2^64-1 (every BigInt
            // compiled code holds is): y may use ~, - and overflowing arithmetic, computed wrapping.
            l = expr(b.left());
            r = wrapped(b.right());
        } else if (b.op().equals("&") && wrappable(b.left())) {
            l = wrapped(b.left());
            r = expr(b.right());
        } else {
            l = expr(b.left());
            r = expr(b.right());
        }
        if (l == null || r == null) {
            return switch (b.op()) {
                case "==", "!=", "===", "!==", "<", "<=", ">", ">=" -> Type.BOOLEAN;
                default -> null;
            };
        }
        return switch (b.op()) {
            case "===", "!==" -> {
                if (l.kind() == Type.Kind.UNDEFINED || r.kind() == Type.Kind.UNDEFINED) {
                    if (!(b.left() instanceof Node.Ident) && l.kind() == Type.Kind.UNDEFINED
                            || !(b.right() instanceof Node.Ident) && r.kind() == Type.Kind.UNDEFINED) {
                        throw fail(b.line(), "a comparison with the result of a call that returns nothing");
                    }
                }
                yield Type.BOOLEAN;
            }
            case "==", "!=" -> {
                boolean sameKind = l.kind() == r.kind();
                boolean nullish = (l.kind() == Type.Kind.NULL || l.kind() == Type.Kind.UNDEFINED || l.isReference())
                        && (r.kind() == Type.Kind.NULL || r.kind() == Type.Kind.UNDEFINED || r.isReference());
                if (!sameKind && !nullish) {
                    throw fail(b.line(), b.op() + " between " + l + " and " + r + " (use === with one type)");
                }
                yield Type.BOOLEAN;
            }
            case "<", "<=", ">", ">=" -> {
                if (l.kind() != r.kind() || (l.kind() != Type.Kind.NUMBER && l.kind() != Type.Kind.BIGINT)) {
                    throw fail(b.line(), b.op() + " between " + l + " and " + r);
                }
                yield Type.BOOLEAN;
            }
            default -> arithmetic(b.op(), l, r, b.line());
        };
    }

    /**
     * A BigInt expression of literals and API constants, worked out exactly here (as JavaScript
     * would, with unbounded BigInts) and compiled as its value when that is in 0..2^64-1.
     */
    private boolean constant(Expr e) throws NotInSubset {
        BigInteger v = folded(e);
        if (v == null || e instanceof Node.BigIntLit) {
            return false;
        }
        if (v.signum() < 0 || v.bitLength() > 64) {
            throw fail(e.line(), "a BigInt constant outside 0..2**64-1 (" + v + ")");
        }
        out.constants.put(e, v.longValue());
        out.types.put(e, Type.BIGINT);
        return true;
    }

    private static boolean inRange(BigInteger v) {
        return v != null && v.signum() >= 0 && v.bitLength() <= 64;
    }

    /** The exact value of a constant BigInt expression, or null. */
    private BigInteger folded(Expr e) {
        try {
            return switch (e) {
                case Node.BigIntLit b -> b.value();
                case Node.Ident id when !isLocal(id.name()) && constants.get(id.name()) instanceof Long l ->
                        new BigInteger(Long.toUnsignedString(l));
                case Node.Unary u when u.op().equals("~") || u.op().equals("-") -> {
                    BigInteger x = folded(u.operand());
                    yield x == null ? null : u.op().equals("~") ? x.not() : x.negate();
                }
                case Node.Binary b -> {
                    BigInteger x = folded(b.left());
                    BigInteger y = x == null ? null : folded(b.right());
                    if (y == null) {
                        yield null;
                    }
                    yield switch (b.op()) {
                        case "+" -> x.add(y);
                        case "-" -> x.subtract(y);
                        case "*" -> x.multiply(y);
                        case "&" -> x.and(y);
                        case "|" -> x.or(y);
                        case "^" -> x.xor(y);
                        case "<<" -> y.bitLength() <= 16 && y.signum() >= 0 ? x.shiftLeft(y.intValue()) : null;
                        case ">>" -> y.bitLength() <= 16 && y.signum() >= 0 ? x.shiftRight(y.intValue()) : null;
                        default -> null;
                    };
                }
                default -> null;
            };
        } catch (ArithmeticException ex) {
            return null;
        }
    }

    private static boolean wrappable(Expr e) {
        return e instanceof Node.Unary u && (u.op().equals("~") || u.op().equals("-"))
                || e instanceof Node.Binary b && switch (b.op()) {
                    case "+", "-", "*", "<<", "&", "|", "^" -> true;
                    default -> false;
                };
    }

    /**
     * A BigInt expression whose value matters only modulo 2^64 (an operand of & beside a
     * non-negative value, the x of BigInt.asUintN(64, x)): ~ - + * << & | ^ compute wrapping.
     * On Numbers it is an ordinary expression.
     */
    private Type wrapped(Expr e) throws NotInSubset {
        BigInteger v = folded(e);
        if (v != null && !(e instanceof Node.BigIntLit)) {
            // Modulo 2^64, as the wrapping context asks.
            out.constants.put(e, v.longValue());
            out.types.put(e, Type.BIGINT);
            return Type.BIGINT;
        }
        if (e instanceof Node.Unary u && (u.op().equals("~") || u.op().equals("-"))) {
            Type t = wrapped(u.operand());
            if (t == null || t.kind() != Type.Kind.BIGINT) {
                return t == null ? null : expr(e);
            }
            out.wrapped.add(e);
            out.types.put(e, Type.BIGINT);
            return Type.BIGINT;
        }
        if (e instanceof Node.Binary b && wrappable(b)) {
            Type l = wrapped(b.left());
            Type r = b.op().equals("<<") ? expr(b.right()) : wrapped(b.right());
            if (l == null || r == null) {
                return null;
            }
            if (l.kind() == Type.Kind.BIGINT && r.kind() == Type.Kind.BIGINT) {
                out.wrapped.add(e);
                out.types.put(e, Type.BIGINT);
                return Type.BIGINT;
            }
            Type t = arithmetic(b.op(), l, r, b.line());
            out.types.put(e, t);
            return t;
        }
        return expr(e);
    }

    /** The arithmetic and bitwise operators (also of compound assignments). */
    private Type arithmetic(String op, Type l, Type r, int line) throws NotInSubset {
        if (l.kind() == Type.Kind.NUMBER && r.kind() == Type.Kind.NUMBER) {
            return switch (op) {
                case "+", "-", "*", "/", "%", "**", "&", "|", "^", "<<", ">>", ">>>" -> Type.NUMBER;
                default -> throw fail(line, "the operator " + op);
            };
        }
        if (l.kind() == Type.Kind.BIGINT && r.kind() == Type.Kind.BIGINT) {
            return switch (op) {
                case "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>" -> Type.BIGINT;
                case ">>>" -> throw fail(line, ">>> of a BigInt (a TypeError in JavaScript)");
                default -> throw fail(line, "the operator " + op + " on BigInts");
            };
        }
        if ((l.kind() == Type.Kind.BIGINT) != (r.kind() == Type.Kind.BIGINT)
                && (l.kind() == Type.Kind.NUMBER || r.kind() == Type.Kind.NUMBER)) {
            throw fail(line, op + " mixing a BigInt and a Number (a TypeError in JavaScript)");
        }
        throw fail(line, op + " of " + l + " and " + r);
    }

    private Type logical(Node.Logical l) throws NotInSubset {
        Type a = expr(l.left());
        Type b = expr(l.right());
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        if (l.op().equals("??")) {
            if (!a.isReference()) {
                throw fail(l.line(), "?? of " + a);
            }
            return joinOrFail(a, b, l.line(), "?? with");
        }
        if (a.kind() == Type.Kind.UNDEFINED || b.kind() == Type.Kind.UNDEFINED) {
            throw fail(l.line(), l.op() + " of a call that returns nothing");
        }
        // As a value, a && b is a or b: one type. As a test, any types do.
        return joinOrFail(a, b, l.line(), l.op() + " as a value (outside a test) with");
    }

    private NotInSubset fail(int line, String construct) {
        return new NotInSubset(unit.source(), line, construct);
    }
}
