package io.pagewalk.dsl.compiler;

import io.pagewalk.dsl.compiler.ast.Node;
import io.pagewalk.dsl.compiler.check.Checked;
import io.pagewalk.dsl.compiler.check.Checker;
import io.pagewalk.dsl.compiler.check.Environment;
import io.pagewalk.dsl.compiler.check.FunctionUnit;
import io.pagewalk.dsl.compiler.check.GlobalVar;
import io.pagewalk.dsl.compiler.check.Type;
import io.pagewalk.dsl.compiler.gen.Codegen;
import io.pagewalk.dsl.compiler.parse.Parser;
import io.pagewalk.dsl.compiler.parse.TopLevel;
import io.pagewalk.dsl.compiler.rt.CompiledOps;
import io.pagewalk.dsl.compiler.rt.Intrinsics;
import io.pagewalk.dsl.compiler.rt.StateArray;
import io.pagewalk.dsl.compiler.rt.StateObject;
import io.pagewalk.dsl.api.Constants;
import io.pagewalk.runtime.walk.MmWalkOps;
import java.lang.reflect.Field;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;

/**
 * The compiled fast path of one script session: when a walk starts, the script's hooks (and the
 * functions they call) are parsed, checked against the values the script's globals hold now, and
 * compiled to a JVM class (cached by what the check found); the walk then runs without crossing
 * into GraalJS. The globals and state objects the hooks use are loaded into the compiled object
 * when the walk starts and written back when it ends, so the script sees what it would have seen.
 * Hooks outside the subset run on GraalJS; {@link #explanations()} says which and why.
 */
public final class HookCompiler {
    private static final String PRELUDE = "pagewalk-prelude.js";
    private static final Source GLOBAL_THIS = Source.create("js", "globalThis");
    private static final Map<String, Object> CONSTANTS = constants();
    /** Parsed functions by source position and text (the same function is parsed once). */
    private static final Map<String, Object> PARSED = lru(512);
    /** Compiled classes by everything the check depends on. */
    private static final Map<String, Codegen.Result> CLASSES = lru(128);
    /** The public fields of each generated class (its globals and private$), looked up once. */
    private static final ClassValue<Map<String, Field>> FIELDS = new ClassValue<>() {
        @Override
        protected Map<String, Field> computeValue(Class<?> type) {
            Map<String, Field> m = new HashMap<>();
            for (Field f : type.getFields()) {
                m.put(f.getName(), f);
            }
            return m;
        }
    };
    /** A number per parsed tree: the same text parsed once is the same code (part of a class's key). */
    private static final java.util.concurrent.atomic.AtomicLong PARSED_SEQ = new java.util.concurrent.atomic.AtomicLong();

    /** A parsed function and its number (the same text parsed once is the same code). */
    private record Parsed(Node.Function ast, long id) {}

    private final ScriptAccess access;
    private final CompileMode mode;
    private final Map<String, String> explanations = new LinkedHashMap<>();
    private final Map<String, Value> setters = new HashMap<>();
    private final Map<String, Boolean> assignable = new HashMap<>();
    /** The last compilation of each set of hooks, reused while the script's values keep their types. */
    private final Map<String, Reuse> reuse = new HashMap<>();

    /**
     * What a walk with the same hooks can reuse without checking again: the class, and the
     * globals' types. Constants (const globals) keep their values; let/var globals, the state
     * objects' fields and walk.private are looked at again, and must have the same types.
     */
    private record Reuse(Checked checked, Codegen.Result result, Map<String, Value> constants, List<GlobalVar> variables,
            Value fieldNames, String fieldKinds, Value kinds, Value written) {}

    /** A compiled walk: the callbacks to walk with, and what to do when the walk ends. */
    public record Compiled(MmWalkOps.Builder builder, Runnable finish) {}

    public HookCompiler(ScriptAccess access, CompileMode mode) {
        this.access = access;
        this.mode = mode;
    }

    public CompileMode mode() {
        return mode;
    }

    private long checks;
    private long reused;
    private long onGraalJs;

    /** Walks bound so far: compiled after a check, compiled reusing an earlier check, on GraalJS. */
    public long[] walkCounts() {
        return new long[] {checks, reused, onGraalJs};
    }

    /** One line per hook seen: compiled, or on GraalJS and the first construct that kept it out. */
    public List<String> explanations() {
        return new ArrayList<>(explanations.values());
    }

    /**
     * Compiles the hooks of one walk ({@code fns[i]} is the function of {@code hooks[i]} or null),
     * or returns null when they run on GraalJS. With {@link CompileMode#ALWAYS} a hook outside the
     * subset is an error naming the construct.
     */
    public Compiled compile(String[] hooks, Value[] fns, Value priv, String what) {
        List<FunctionUnit> units = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        Binding binding = new Binding(priv);
        StringBuilder reuseKey = new StringBuilder();
        SourceSection first = null;
        for (int i = 0; i < hooks.length; i++) {
            if (fns[i] != null) {
                SourceSection s = fns[i].getSourceLocation();
                first = first == null ? s : first;
                keys.add(hooks[i] + " (" + where(s) + ")");
                reuseKey.append(hooks[i]).append('@').append(s == null ? "?" : s.getSource().getName() + ":" + s.getCharIndex())
                        .append(';');
            }
        }
        if (keys.isEmpty()) {
            return null;
        }
        if (mode == CompileMode.NEVER) {
            for (String k : keys) {
                explanations.putIfAbsent(k, k + ": GraalJS (--compile=never)");
            }
            onGraalJs++;
            return null;
        }
        if (!access.compilerSupport().getMember("builtinsIntact").execute().asBoolean()) {
            // Compiled code has its own Math.floor, Number, BigInt...: not the script's replacements.
            return refused(keys, new NotInSubset(first == null ? what : first.getSource().getName(),
                    first == null ? 0 : first.getStartLine(), "Math, Number or BigInt replaced by the script"), what);
        }
        Reuse last = reuse.get(reuseKey.toString());
        if (last != null) {
            Compiled again = binding.reuse(last);
            if (again != null) {
                reused++;
                return again;
            }
        }
        try {
            for (int i = 0; i < hooks.length; i++) {
                if (fns[i] != null) {
                    Parsed p = parse(fns[i], hooks[i], what, 0);
                    units.add(new FunctionUnit(p.ast(), p.id(), hooks[i], "h$" + hooks[i]));
                }
            }
            Checked checked = new Checker(binding, CONSTANTS, Intrinsics.class).check(units);
            probeAssignable(checked);
            for (Checked.Field f : checked.fields.values()) {
                // Every state object the walk reaches must have the field (some were found after it was typed).
                if (!binding.fieldType(f.name(), units.get(0).source(), units.get(0).ast.line()).equals(f.type())) {
                    throw new NotInSubset(units.get(0).source(), units.get(0).ast.line(), "the field ." + f.name() + " of differing types");
                }
            }
            Codegen.Result result = CLASSES.computeIfAbsent(signature(checked), k -> Codegen.generate(checked));
            Reuse r = binding.reusable(checked, result);
            reuse.put(reuseKey.toString(), r);
            Compiled c = binding.instantiate(r);
            if (c == null) {
                throw new IllegalStateException("a state object changed while its walk was being bound");
            }
            for (String k : keys) {
                explanations.putIfAbsent(k, k + ": compiled");
            }
            checks++;
            return c;
        } catch (NotInSubset e) {
            return refused(keys, e, what);
        }
    }

    /** The hooks stay on GraalJS (or, with --compile=always, the run stops): says why. */
    private Compiled refused(List<String> keys, NotInSubset e, String what) {
        onGraalJs++;
        for (String k : keys) {
            explanations.putIfAbsent(k, k + ": GraalJS, " + e.getMessage());
        }
        if (mode == CompileMode.ALWAYS) {
            throw new IllegalArgumentException(what + ": --compile=always, but the hooks are not in the compiled subset: "
                    + e.getMessage());
        }
        return null;
    }

    private static String where(SourceSection s) {
        return s == null ? "no source" : s.getSource().getName() + ":" + s.getStartLine();
    }

    /** The syntax tree of a function value (its source text, parsed once). */
    private Parsed parse(Value fn, String name, String calledFrom, int line) throws NotInSubset {
        SourceSection s = fn.getSourceLocation();
        if (s == null || !s.isAvailable()) {
            throw new NotInSubset(calledFrom, line, name + " (a built-in or bound function: no source to compile)");
        }
        Source src = s.getSource();
        if (src.getName().equals(PRELUDE)) {
            throw new NotInSubset(calledFrom, line, "a call of " + name + " (a pagewalk function the compiled path does not have)");
        }
        String text = s.getCharacters().toString();
        String key = src.getName() + ":" + s.getCharIndex() + ":" + text;
        Object cached = PARSED.get(key);
        if (cached == null) {
            try {
                String enclosing = TopLevel.enclosingScope(src.getCharacters().toString(), s.getCharIndex());
                if (enclosing != null) {
                    throw new NotInSubset(src.getName(), s.getStartLine(), name + " defined inside " + enclosing
                            + " (compiled functions are top-level: their free names are globals)");
                }
                Node.Function f = Parser.parseFunction(text, src.getName(), s.getStartLine(), s.getStartColumn());
                cached = new Parsed(f, PARSED_SEQ.incrementAndGet());
            } catch (NotInSubset e) {
                cached = e;
            }
            PARSED.put(key, cached);
        }
        if (cached instanceof NotInSubset e) {
            throw e;
        }
        return (Parsed) cached;
    }

    /** What a compiled class depends on besides the functions' text: the types found. */
    private static String signature(Checked c) {
        StringBuilder sb = new StringBuilder();
        for (FunctionUnit u : c.units) {
            sb.append(u.hook).append('|').append(u.method).append('|').append(u.source()).append(':').append(u.ast.line())
                    .append(':').append(u.parsedId).append(';');
        }
        c.globals.values().forEach(g -> sb.append(g.name).append('=').append(g.type()).append(g.assigned() ? "!" : "").append(';'));
        c.fields.values().forEach(f -> sb.append('.').append(f.name()).append('=').append(f.type()).append(';'));
        sb.append("private=").append(c.privateType);
        return sb.toString();
    }

    // ---------------------------------------------------------------- one walk's view of the script

    /** Answers the checker from the script's current values, then loads them into the compiled object. */
    private final class Binding implements Environment {
        private final Value priv;
        private final Map<String, Value> values = new HashMap<>();
        /** The state objects and arrays reachable from the globals and walk.private, by identity. */
        private final List<Value> states = new ArrayList<>();
        private final List<Value> arrays = new ArrayList<>();

        Binding(Value priv) {
            this.priv = priv;
        }

        @Override
        public Object resolve(String name, String source, int line) throws NotInSubset {
            Value bindings = access.context().getBindings("js");
            Value v;
            try {
                if (!bindings.hasMember(name)) {
                    return null;
                }
                v = bindings.getMember(name);
            } catch (PolyglotException e) {
                throw new NotInSubset(source, line, name + " before its declaration ran");
            }
            String kind = kind(v);
            if (kind.equals("function")) {
                Parsed p = parse(v, name, source, line);
                return new FunctionUnit(p.ast(), p.id(), null, "f$" + name);
            }
            Type t = typeOf(v, kind, "the global " + name, source, line);
            values.put(name, v);
            // Whether it is a const is asked of the script once per name and session, for all the
            // names of a check at once (probeAssignable); until then it counts as assignable.
            return new GlobalVar(name, t, assignable.getOrDefault(name, true));
        }

        @Override
        public Type fieldType(String name, String source, int line) throws NotInSubset {
            if (states.isEmpty()) {
                throw new NotInSubset(source, line, "the field ." + name + " of no known object");
            }
            Type t = null;
            for (Value o : states) {
                String k = access.compilerSupport().getMember("field").execute(o, name).asString();
                Type ft = switch (k) {
                    case "number" -> Type.NUMBER;
                    case "bigint" -> {
                        checkU64(o.getMember(name), "the field ." + name, source, line);
                        yield Type.BIGINT;
                    }
                    case "boolean" -> Type.BOOLEAN;
                    case "missing" -> throw new NotInSubset(source, line, "the field ." + name + ", missing from a state object");
                    default -> throw new NotInSubset(source, line, "the field ." + name + " holding " + describe(k));
                };
                if (t != null && !t.equals(ft)) {
                    throw new NotInSubset(source, line, "the field ." + name + " holding " + t + " in one object and " + ft + " in another");
                }
                t = ft;
            }
            return t;
        }

        @Override
        public Type privateType(String source, int line) throws NotInSubset {
            if (priv == null) {
                return Type.NULL;
            }
            if (priv.isNull()) {
                // null, or undefined when the walk call left it out
                return kind(priv).equals("undefined") ? Type.UNDEFINED : Type.NULL;
            }
            return typeOf(priv, kind(priv), "walk.private", source, line);
        }

        private String kind(Value v) {
            return access.compilerSupport().getMember("kind").execute(v).asString();
        }

        private Type typeOf(Value v, String kind, String what, String source, int line) throws NotInSubset {
            return switch (kind) {
                case "number" -> Type.NUMBER;
                case "bigint" -> {
                    checkU64(v, what, source, line);
                    yield Type.BIGINT;
                }
                case "boolean" -> Type.BOOLEAN;
                case "undefined" -> Type.UNDEFINED;
                case "null" -> Type.NULL;
                case "api" -> {
                    Object host = access.hostOf(v);
                    Type t = null;
                    for (Type.Kind k : Type.Kind.values()) {
                        if (k.isReference() && k != Type.Kind.NULL && k.javaClassIsInstance(host)) {
                            t = Type.of(k);
                        }
                    }
                    if (t == null) {
                        throw new NotInSubset(source, line, what + " holding a pagewalk object the compiled path does not have");
                    }
                    yield t;
                }
                case "state" -> {
                    if (v.equals(access.context().eval(GLOBAL_THIS))) {
                        // Its properties are the script's var globals: a second, stale copy of them.
                        throw new NotInSubset(source, line, what + " holding the global object");
                    }
                    addUnique(states, v);
                    yield Type.STATE;
                }
                case "array" -> {
                    if (access.compilerSupport().getMember("field").execute(v, "length").asString().equals("readonly")) {
                        // push throws at once in JavaScript; compiled pushes would fail only at the end.
                        throw new NotInSubset(source, line, what + " holding an array of read-only length");
                    }
                    addUnique(arrays, v);
                    yield Type.ARRAY;
                }
                default -> throw new NotInSubset(source, line, what + " holding " + describe(kind));
            };
        }

        private static String describe(String kind) {
            return switch (kind) {
                case "string" -> "a string";
                case "frozen" -> "a frozen or sealed object";
                case "accessor" -> "a getter or setter";
                case "readonly" -> "a read-only property";
                case "other" -> "an object that is not a plain object or array";
                default -> "a " + kind;
            };
        }

        private void checkU64(Value v, String what, String source, int line) throws NotInSubset {
            BigInteger b = v.asBigInteger();
            if (b.signum() < 0 || b.bitLength() > 64) {
                throw new NotInSubset(source, line, what + " holding a BigInt outside 0..2**64-1");
            }
        }

        private void addUnique(List<Value> list, Value v) {
            for (Value x : list) {
                if (x.equals(v)) {
                    return;
                }
            }
            list.add(v);
        }

        /** What a later walk with the same hooks may reuse. */
        Reuse reusable(Checked checked, Codegen.Result result) {
            Map<String, Value> constants = new HashMap<>();
            List<GlobalVar> variables = new ArrayList<>();
            for (GlobalVar g : checked.globals.values()) {
                if (assignable.get(g.name)) {
                    variables.add(g);
                } else {
                    constants.put(g.name, values.get(g.name));
                }
            }
            StringBuilder names = new StringBuilder("[");
            StringBuilder kinds = new StringBuilder();
            for (Checked.Field f : checked.fields.values()) {
                names.append(names.length() > 1 ? "," : "").append('"').append(f.name()).append('"');
                kinds.append(kindName(f.type())).append(',');
            }
            StringBuilder kindArray = new StringBuilder("[");
            StringBuilder written = new StringBuilder("[");
            int i = 0;
            for (Checked.Field f : checked.fields.values()) {
                kindArray.append(i > 0 ? "," : "").append('"').append(kindName(f.type())).append('"');
                if (checked.writtenFields.contains(f.name())) {
                    written.append(written.length() > 1 ? "," : "").append(i);
                }
                i++;
            }
            Value arrays = access.context().eval(Source.create("js", "[" + names.append(']') + "," + kindArray.append(']')
                    + "," + written.append(']') + "]"));
            return new Reuse(checked, result, constants, variables, arrays.getArrayElement(0), kinds.toString(),
                    arrays.getArrayElement(1), arrays.getArrayElement(2));
        }

        /**
         * The compiled object for this walk from an earlier compilation of the same hooks, or null
         * when a value changed its type (then the hooks are checked again).
         */
        Compiled reuse(Reuse r) {
            Value bindings = access.context().getBindings("js");
            try {
                for (Map.Entry<String, Value> e : r.constants().entrySet()) {
                    Type t = r.checked().globals.get(e.getKey()).type();
                    values.put(e.getKey(), e.getValue());
                    if (t.kind() == Type.Kind.STATE) {
                        addUnique(states, e.getValue());
                    } else if (t.kind() == Type.Kind.ARRAY) {
                        addUnique(arrays, e.getValue());
                    }
                }
                for (GlobalVar g : r.variables()) {
                    Value v = bindings.getMember(g.name);
                    Type now = typeOf(v, kind(v), g.name, "", 0);
                    if (!g.type().equals(Type.join(g.type(), now))) {
                        return null;
                    }
                    values.put(g.name, v);
                }
                Type p = r.checked().privateType;
                if (p != null) {
                    Type now = privateType("", 0);
                    if (!p.equals(Type.join(p, now))) {
                        return null;
                    }
                }
            } catch (NotInSubset | PolyglotException e) {
                return null;
            }
            return instantiate(r); // null when a state object's fields changed their kinds
        }

        /**
         * A new compiled object with this walk's values, and the write-back for its end; null when
         * a state object's fields no longer have the kinds the class was made for.
         */
        Compiled instantiate(Reuse r) {
            Checked checked = r.checked();
            Codegen.Result result = r.result();
            CompiledOps ops;
            try {
                ops = result.type().getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("compiled hooks could not be instantiated", e);
            }
            ops.attach(access.model(), access.writes(), access::stopRequested, result.sources());
            int[] counts = new int[3];
            checked.fields.values().forEach(f -> counts[kindIndex(f.type())]++);
            List<StateObject> stateObjects = new ArrayList<>();
            int nFields = checked.fields.size();
            ByteBuffer buf = nFields == 0 ? null : ByteBuffer.allocateDirect(nFields * 8).order(ByteOrder.nativeOrder());
            for (Value o : states) {
                StateObject so = new StateObject(counts[0], counts[1], counts[2]);
                if (buf != null
                        && !access.compilerSupport().getMember("load").execute(o, r.fieldNames(), buf).asString().equals(r.fieldKinds())) {
                    return null;
                }
                int i = 0;
                for (Checked.Field f : checked.fields.values()) {
                    switch (f.type().kind()) {
                        case NUMBER -> so.num[f.index()] = buf.getDouble(i * 8);
                        case BIGINT -> so.big[f.index()] = buf.getLong(i * 8);
                        default -> so.bool[f.index()] = buf.getDouble(i * 8) != 0;
                    }
                    i++;
                }
                stateObjects.add(so);
            }
            List<StateArray> stateArrays = new ArrayList<>();
            for (Value a : arrays) {
                stateArrays.add(new StateArray(ops, (int) a.getArraySize()));
            }
            try {
                Map<String, Field> fields = FIELDS.get(ops.getClass());
                for (GlobalVar g : checked.globals.values()) {
                    if (g.type().kind() != Type.Kind.UNDEFINED) {
                        set(ops, fields.get(g.field()), g.type(), values.get(g.name), stateObjects, stateArrays);
                    }
                }
                if (checked.privateType != null && checked.privateType.kind() != Type.Kind.UNDEFINED) {
                    set(ops, fields.get("private$"), checked.privateType, priv, stateObjects, stateArrays);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("compiled hooks could not be loaded", e);
            }
            MmWalkOps.Builder b = MmWalkOps.builder();
            for (FunctionUnit u : checked.units) {
                if (u.hook == null) {
                    continue;
                }
                switch (u.hook) {
                    case "pgd_entry" -> b.pgdEntry(ops::pgd_entry);
                    case "p4d_entry" -> b.p4dEntry(ops::p4d_entry);
                    case "pud_entry" -> b.pudEntry(ops::pud_entry);
                    case "pmd_entry" -> b.pmdEntry(ops::pmd_entry);
                    case "pte_entry" -> b.pteEntry(ops::pte_entry);
                    case "pte_hole" -> b.pteHole(ops::pte_hole);
                    case "hugetlb_entry" -> b.hugetlbEntry(ops::hugetlb_entry);
                    case "test_walk" -> b.testWalk(ops::test_walk);
                    case "pre_vma" -> b.preVma(ops::pre_vma);
                    case "post_vma" -> b.postVma(ops::post_vma);
                    case "install_pte" -> b.installPte(ops::install_pte);
                    default -> throw new IllegalStateException(u.hook);
                }
            }
            Runnable finish = () -> writeBack(r, ops, stateObjects, stateArrays, buf);
            return new Compiled(b, finish);
        }

        private void set(CompiledOps ops, Field f, Type t, Value v, List<StateObject> so, List<StateArray> sa)
                throws IllegalAccessException {
            if (v == null || v.isNull()) {
                return; // fields start null
            }
            switch (t.kind()) {
                case NUMBER -> f.setDouble(ops, v.asDouble());
                case BIGINT -> f.setLong(ops, v.asBigInteger().longValue());
                case BOOLEAN -> f.setBoolean(ops, v.asBoolean());
                case STATE -> f.set(ops, so.get(indexOf(states, v)));
                case ARRAY -> f.set(ops, sa.get(indexOf(arrays, v)));
                case NULL -> { }
                default -> f.set(ops, access.hostOf(v));
            }
        }

        private int indexOf(List<Value> list, Value v) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).equals(v)) {
                    return i;
                }
            }
            throw new IllegalStateException("unknown state object");
        }

        /** After the walk (also after an error): what compiled code changed goes back to the script. */
        private void writeBack(Reuse r, CompiledOps ops, List<StateObject> stateObjects, List<StateArray> stateArrays,
                ByteBuffer buf) {
            Checked checked = r.checked();
            Value support = access.compilerSupport();
            access.addHookCalls(ops.calls);
            if (!checked.writtenFields.isEmpty()) {
                for (int i = 0; i < states.size(); i++) {
                    StateObject so = stateObjects.get(i);
                    int k = 0;
                    for (Checked.Field f : checked.fields.values()) {
                        switch (f.type().kind()) {
                            case NUMBER -> buf.putDouble(k * 8, so.num[f.index()]);
                            case BIGINT -> buf.putLong(k * 8, so.big[f.index()]);
                            default -> buf.putDouble(k * 8, so.bool[f.index()] ? 1 : 0);
                        }
                        k++;
                    }
                    support.getMember("store").execute(states.get(i), r.fieldNames(), r.kinds(), r.written(), buf);
                }
            }
            for (int i = 0; i < arrays.size(); i++) {
                StateArray a = stateArrays.get(i);
                int n = a.added();
                if (n == 0) {
                    continue;
                }
                ByteBuffer[] pushed = a.buffers();
                support.getMember("append").execute(arrays.get(i), pushed[0], pushed[1], n);
            }
            try {
                for (GlobalVar g : checked.globals.values()) {
                    if (!g.assigned()) {
                        continue;
                    }
                    Object v = FIELDS.get(ops.getClass()).get(g.field()).get(ops);
                    setter(g.name).execute(toScript(g.type(), v, stateObjects, stateArrays));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("compiled hooks' globals could not be stored", e);
            }
        }

        private Object toScript(Type t, Object v, List<StateObject> so, List<StateArray> sa) {
            if (v == null) {
                return null;
            }
            return switch (t.kind()) {
                case NUMBER, BOOLEAN -> v;
                case BIGINT -> {
                    long l = (Long) v;
                    yield access.compilerSupport().getMember("bigint").execute((int) (l >>> 32), (int) l);
                }
                case STATE -> states.get(so.indexOf(v));
                case ARRAY -> arrays.get(sa.indexOf(v));
                default -> access.toScript(v);
            };
        }
    }

    /** The support object's name of a field type (see field and load in the prelude). */
    private static String kindName(Type t) {
        return switch (t.kind()) {
            case NUMBER -> "number";
            case BIGINT -> "bigint";
            default -> "boolean";
        };
    }

    private static int kindIndex(Type t) {
        return switch (t.kind()) {
            case NUMBER -> 0;
            case BIGINT -> 1;
            default -> 2;
        };
    }

    /** Whether the script may assign a global (a let or var; not a const, not the API's read-only names). */
    /**
     * Learns which globals of a check the script may assign (let/var, not const or the API's
     * read-only names), in one evaluation for all the new names; refuses the hooks if they assign
     * one that is not.
     */
    private void probeAssignable(Checked checked) throws NotInSubset {
        List<String> names = new ArrayList<>();
        for (GlobalVar g : checked.globals.values()) {
            if (!assignable.containsKey(g.name)) {
                names.add(g.name);
            }
        }
        if (!names.isEmpty()) {
            StringBuilder js = new StringBuilder("[");
            for (String n : names) {
                js.append("(function () { 'use strict'; try { ").append(n).append(" = ").append(n)
                        .append("; return true; } catch (e) { return false; } })(),");
            }
            Value r = access.context().eval(Source.create("js", js.append(']').toString()));
            for (int i = 0; i < names.size(); i++) {
                assignable.put(names.get(i), r.getArrayElement(i).asBoolean());
            }
        }
        for (GlobalVar g : checked.globals.values()) {
            if (g.assigned() && !assignable.get(g.name)) {
                FunctionUnit first = checked.units.get(0);
                throw new NotInSubset(first.source(), first.ast.line(), "an assignment to the constant " + g.name);
            }
        }
    }

    private Value setter(String name) {
        return setters.computeIfAbsent(name, n -> access.context().eval(Source.create("js", "(v) => { " + n + " = v; }")));
    }

    private static Map<String, Object> constants() {
        Map<String, Object> out = new HashMap<>();
        Constants.literals().forEach((k, v) -> {
            if (v.endsWith("n")) {
                out.put(k, new BigInteger(v.substring(0, v.length() - 1)).longValue());
            } else {
                out.put(k, Double.parseDouble(v));
            }
        });
        return Map.copyOf(out);
    }

    private static <K, V> Map<K, V> lru(int max) {
        return java.util.Collections.synchronizedMap(new LinkedHashMap<K, V>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> e) {
                return size() > max;
            }
        });
    }
}
