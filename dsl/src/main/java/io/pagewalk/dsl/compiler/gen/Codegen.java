package io.pagewalk.dsl.compiler.gen;

import static org.objectweb.asm.Opcodes.*;

import io.pagewalk.dsl.compiler.ast.Node;
import io.pagewalk.dsl.compiler.ast.Node.Expr;
import io.pagewalk.dsl.compiler.ast.Node.Stmt;
import io.pagewalk.dsl.compiler.check.Checked;
import io.pagewalk.dsl.compiler.check.Checker;
import io.pagewalk.dsl.compiler.check.FunctionUnit;
import io.pagewalk.dsl.compiler.check.GlobalVar;
import io.pagewalk.dsl.compiler.check.LocalVar;
import io.pagewalk.dsl.compiler.check.Type;
import io.pagewalk.dsl.compiler.rt.CompiledOps;
import io.pagewalk.dsl.compiler.rt.Env;
import io.pagewalk.dsl.compiler.rt.JsOps;
import io.pagewalk.dsl.compiler.rt.StateArray;
import io.pagewalk.dsl.compiler.rt.StateObject;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.walk.MmWalk;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Turns checked functions into one JVM class extending {@link CompiledOps}: a field per script
 * global, a method per function, and an override per hook that converts the walker's arguments
 * and turns errors into the script's file and line. All ASM lives here.
 */
public final class Codegen {
    private static final String OPS = internal(CompiledOps.class);
    private static final String JSOPS = internal(JsOps.class);
    private static final String STATE = internal(StateObject.class);
    private static final String ARRAY = internal(StateArray.class);
    private static final String WALK = internal(MmWalk.class);
    private static final String EP = internal(EntryPointer.class);
    private static final String PTEP = internal(io.pagewalk.dsl.compiler.rt.PtepBox.class);
    private static final AtomicLong SEQ = new AtomicLong();

    private final Checked checked;
    private final String className;
    private final Map<String, String> sources = new HashMap<>();
    private ClassWriter cw;

    /** The generated class and, per method name, the script file of its lines. */
    public record Result(Class<? extends CompiledOps> type, Map<String, String> sources) {}

    private Codegen(Checked checked) {
        this.checked = checked;
        this.className = "io/pagewalk/dsl/compiler/gen/Compiled$" + SEQ.incrementAndGet();
    }

    public static Result generate(Checked checked) {
        return new Codegen(checked).run();
    }

    static String internal(Class<?> c) {
        return c.getName().replace('.', '/');
    }

    @SuppressWarnings("unchecked")
    private Result run() {
        cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                // Compiled code never merges two different reference types except with null.
                return a.equals(b) ? a : "java/lang/Object";
            }
        };
        cw.visit(V21, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, className, null, OPS, null);
        cw.visitSource(checked.units.get(0).source(), null);
        for (GlobalVar g : checked.globals.values()) {
            if (g.type().kind() != Type.Kind.UNDEFINED) {
                cw.visitField(ACC_PUBLIC, g.field(), g.type().descriptor(), null, null).visitEnd();
            }
        }
        if (checked.privateType != null && checked.privateType.kind() != Type.Kind.UNDEFINED) {
            cw.visitField(ACC_PUBLIC, "private$", checked.privateType.descriptor(), null, null).visitEnd();
        }
        MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitMethodInsn(INVOKESPECIAL, OPS, "<init>", "()V", false);
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        for (FunctionUnit u : checked.units) {
            new FunctionGen(u).generate();
            sources.put(u.method, u.source());
            if (u.hook != null) {
                hookOverride(u);
            }
        }
        cw.visitEnd();
        byte[] bytes = cw.toByteArray();
        Class<?> c = new GenLoader(CompiledOps.class.getClassLoader()).define(className.replace('/', '.'), bytes);
        return new Result((Class<? extends CompiledOps>) c, Map.copyOf(sources));
    }

    /** One class per loader, so that a compiled class goes when nothing uses it. */
    private static final class GenLoader extends ClassLoader {
        GenLoader(ClassLoader parent) {
            super(parent);
        }

        Class<?> define(String name, byte[] bytes) {
            return defineClass(name, bytes, 0, bytes.length);
        }
    }

    // ---------------------------------------------------------------- hook overrides

    /** The walker's descriptor of each hook (see CompiledOps). */
    private static String hookDescriptor(String hook) {
        String w = "L" + WALK + ";";
        String e = "L" + EP + ";";
        return switch (hook) {
            case "pte_hole" -> "(JJI" + w + ")I";
            case "hugetlb_entry" -> "(" + e + "JJJ" + w + ")I";
            case "test_walk", "pre_vma" -> "(JJ" + w + ")I";
            case "post_vma" -> "(" + w + ")V";
            // CompiledOps.install_pte makes the box and installs its value; the hook is installPte
            case "install_pte" -> "(DDL" + PTEP + ";" + w + ")I";
            default -> "(" + e + "JJ" + w + ")I";
        };
    }

    /**
     * {@code int pte_entry(EntryPointer e, long addr, long next, MmWalk w) { calls++; try { return
     * f$0(e.get(), addr(addr), addr(next), w); } catch (RuntimeException x) { throw translate(x); } }}
     */
    private void hookOverride(FunctionUnit u) {
        String desc = hookDescriptor(u.hook);
        MethodVisitor m = cw.visitMethod(ACC_PUBLIC, u.hook.equals("install_pte") ? "installPte" : u.hook, desc, null, null);
        m.visitCode();
        m.visitVarInsn(ALOAD, 0);
        m.visitInsn(DUP);
        m.visitFieldInsn(GETFIELD, OPS, "calls", "J");
        m.visitInsn(LCONST_1);
        m.visitInsn(LADD);
        m.visitFieldInsn(PUTFIELD, OPS, "calls", "J");
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        Label overflow = new Label();
        m.visitTryCatchBlock(start, end, handler, "java/lang/RuntimeException");
        // Deep recursion in a compiled helper: GraalJS's RangeError, not a raw JVM error.
        m.visitTryCatchBlock(start, end, overflow, "java/lang/StackOverflowError");
        m.visitLabel(start);
        m.visitVarInsn(ALOAD, 0);
        org.objectweb.asm.Type[] given = org.objectweb.asm.Type.getArgumentTypes(desc);
        int[] slots = new int[given.length];
        int slot = 1;
        for (int i = 0; i < given.length; i++) {
            slots[i] = slot;
            slot += given[i].getSize();
        }
        for (int i = 0; i < u.params().size(); i++) {
            if (i >= given.length) {
                continue; // an extra parameter is undefined: no value
            }
            org.objectweb.asm.Type g = given[i];
            switch (g.getSort()) {
                case org.objectweb.asm.Type.OBJECT -> {
                    m.visitVarInsn(ALOAD, slots[i]);
                    if (g.getInternalName().equals(EP)) {
                        m.visitMethodInsn(INVOKEVIRTUAL, EP, "get", "()J", false);
                    }
                }
                case org.objectweb.asm.Type.LONG -> {
                    m.visitVarInsn(LLOAD, slots[i]);
                    // hmask stays a BigInt; addresses become Numbers
                    if (Checker.HOOK_PARAMS.get(u.hook)[i].kind() == Type.Kind.NUMBER) {
                        m.visitMethodInsn(INVOKESTATIC, JSOPS, "addrToNumber", "(J)D", false);
                    }
                }
                case org.objectweb.asm.Type.INT -> {
                    m.visitVarInsn(ILOAD, slots[i]);
                    m.visitInsn(I2D);
                }
                case org.objectweb.asm.Type.DOUBLE -> m.visitVarInsn(DLOAD, slots[i]);
                default -> throw new IllegalStateException(g.toString());
            }
        }
        m.visitMethodInsn(INVOKEVIRTUAL, className, u.method, methodDescriptor(u), false);
        m.visitLabel(end);
        m.visitInsn(u.hook.equals("post_vma") ? RETURN : IRETURN);
        m.visitLabel(handler);
        m.visitVarInsn(ASTORE, slot);
        m.visitVarInsn(ALOAD, 0);
        m.visitVarInsn(ALOAD, slot);
        m.visitMethodInsn(INVOKEVIRTUAL, OPS, "translate", "(Ljava/lang/RuntimeException;)Ljava/lang/RuntimeException;", false);
        m.visitInsn(ATHROW);
        m.visitLabel(overflow);
        m.visitVarInsn(ASTORE, slot);
        m.visitVarInsn(ALOAD, 0);
        m.visitVarInsn(ALOAD, slot);
        m.visitMethodInsn(INVOKEVIRTUAL, OPS, "translate", "(Ljava/lang/StackOverflowError;)Ljava/lang/RuntimeException;", false);
        m.visitInsn(ATHROW);
        m.visitMaxs(0, 0);
        m.visitEnd();
    }

    /** Hooks return the kernel's int (post_vma nothing); helpers their checked type. */
    static String returnDescriptor(FunctionUnit u) {
        if (u.hook != null) {
            return u.hook.equals("post_vma") ? "V" : "I";
        }
        return u.resultType().descriptor();
    }

    static String methodDescriptor(FunctionUnit u) {
        StringBuilder sb = new StringBuilder("(");
        for (LocalVar p : u.params()) {
            if (p.type() != null && p.type().kind() != Type.Kind.UNDEFINED) {
                sb.append(p.type().descriptor());
            }
        }
        return sb.append(')').append(returnDescriptor(u)).toString();
    }

    // ---------------------------------------------------------------- one function

    private final class FunctionGen {
        private final FunctionUnit u;
        private MethodVisitor m;
        private int nextSlot;
        private final Deque<Label[]> loops = new ArrayDeque<>();
        private int lastLine = -1;

        FunctionGen(FunctionUnit u) {
            this.u = u;
        }

        void generate() {
            m = cw.visitMethod(ACC_PRIVATE, u.method, methodDescriptor(u), null, null);
            m.visitCode();
            nextSlot = 1;
            for (LocalVar p : u.params()) {
                p.slot = nextSlot;
                nextSlot += size(p.type());
            }
            for (LocalVar v : u.locals()) {
                v.slot = nextSlot;
                nextSlot += size(v.type());
            }
            // Every local starts at zero: the verifier needs them set on every path.
            for (LocalVar v : u.locals()) {
                if (v.type() != null && v.type().kind() != Type.Kind.UNDEFINED) {
                    pushDefault(v.type());
                    store(v.type(), v.slot);
                }
            }
            line(u.ast.line());
            if (block(u.ast.body().body())) {
                returnDefault();
            }
            m.visitMaxs(0, 0);
            m.visitEnd();
        }

        private int size(Type t) {
            return t == null ? 0 : t.size();
        }

        private int temp(Type t) {
            int s = nextSlot;
            nextSlot += Math.max(1, t.size());
            return s;
        }

        private void line(int line) {
            if (line != lastLine) {
                Label l = new Label();
                m.visitLabel(l);
                m.visitLineNumber(line, l);
                lastLine = line;
            }
        }

        // ------------------------------------------------------------ statements

        /** Generates statements until one cannot complete; whether the end is reachable. */
        private boolean block(List<Stmt> body) {
            for (Stmt s : body) {
                if (!stmt(s)) {
                    return false;
                }
            }
            return true;
        }

        private boolean stmt(Stmt s) {
            line(s.line());
            switch (s) {
                case Node.VarDecl d -> {
                    for (Node.Declarator x : d.declarators()) {
                        LocalVar v = checked.declared(x);
                        if (x.init() == null) {
                            continue;
                        }
                        line(x.line());
                        if (v.type().kind() == Type.Kind.UNDEFINED) {
                            discard(x.init());
                        } else {
                            expr(x.init());
                            store(v.type(), v.slot);
                        }
                    }
                    return true;
                }
                case Node.ExprStmt e -> {
                    discard(e.expr());
                    return true;
                }
                case Node.If i -> {
                    Label otherwise = new Label();
                    Label end = new Label();
                    jump(i.test(), false, otherwise);
                    boolean a = stmt(i.then());
                    if (a) {
                        m.visitJumpInsn(GOTO, end);
                    }
                    m.visitLabel(otherwise);
                    boolean b = i.otherwise() == null || stmt(i.otherwise());
                    m.visitLabel(end);
                    return a || b;
                }
                case Node.For f -> {
                    if (f.init() != null) {
                        stmt(f.init());
                    }
                    Label top = new Label();
                    Label cont = new Label();
                    Label end = new Label();
                    m.visitLabel(top);
                    if (f.test() != null) {
                        jump(f.test(), false, end);
                    }
                    loops.push(new Label[] {end, cont});
                    stmt(f.body());
                    loops.pop();
                    m.visitLabel(cont);
                    if (f.update() != null) {
                        discard(f.update());
                    }
                    backEdge(top);
                    m.visitLabel(end);
                    return true;
                }
                case Node.While w -> {
                    Label top = new Label();
                    Label cont = new Label();
                    Label end = new Label();
                    m.visitLabel(top);
                    jump(w.test(), false, end);
                    loops.push(new Label[] {end, cont});
                    stmt(w.body());
                    loops.pop();
                    // continue goes through the back-edge too: no loop escapes the watchdog
                    m.visitLabel(cont);
                    backEdge(top);
                    m.visitLabel(end);
                    return true;
                }
                case Node.DoWhile w -> {
                    Label top = new Label();
                    Label cont = new Label();
                    Label end = new Label();
                    m.visitLabel(top);
                    loops.push(new Label[] {end, cont});
                    stmt(w.body());
                    loops.pop();
                    m.visitLabel(cont);
                    Label exit = new Label();
                    jump(w.test(), false, exit);
                    backEdge(top);
                    m.visitLabel(exit);
                    m.visitLabel(end);
                    return true;
                }
                case Node.Return r -> {
                    ret(r);
                    return false;
                }
                case Node.Break b -> {
                    m.visitJumpInsn(GOTO, loops.peek()[0]);
                    return false;
                }
                case Node.Continue c -> {
                    m.visitJumpInsn(GOTO, loops.peek()[1]);
                    return false;
                }
                case Node.Block b -> {
                    return block(b.body());
                }
                case Node.Empty e -> {
                    return true;
                }
            }
        }

        /** Every loop's back-edge counts down to a look at the watchdog (as Painless checks loops). */
        private void backEdge(Label top) {
            Label go = new Label();
            m.visitVarInsn(ALOAD, 0);
            m.visitInsn(DUP);
            m.visitFieldInsn(GETFIELD, internal(Env.class), "pollBudget", "I");
            m.visitInsn(ICONST_1);
            m.visitInsn(ISUB);
            m.visitInsn(DUP_X1);
            m.visitFieldInsn(PUTFIELD, internal(Env.class), "pollBudget", "I");
            m.visitJumpInsn(IFGT, go);
            m.visitVarInsn(ALOAD, 0);
            m.visitMethodInsn(INVOKEVIRTUAL, internal(Env.class), "poll", "()V", false);
            m.visitLabel(go);
            m.visitJumpInsn(GOTO, top);
        }

        private void ret(Node.Return r) {
            Type t = r.value() == null ? Type.UNDEFINED : checked.type(r.value());
            if (u.hook != null) {
                if (t.kind() == Type.Kind.NUMBER && !u.hook.equals("post_vma")) {
                    expr(r.value());
                    m.visitLdcInsn(u.hook);
                    m.visitMethodInsn(INVOKESTATIC, OPS, "hookResult", "(DLjava/lang/String;)I", false);
                    m.visitInsn(IRETURN);
                    return;
                }
                if (r.value() != null) {
                    discard(r.value());
                }
                returnDefault();
                return;
            }
            if (t.kind() == Type.Kind.UNDEFINED || u.resultType().kind() == Type.Kind.UNDEFINED) {
                if (r.value() != null) {
                    discard(r.value());
                }
                returnDefault();
                return;
            }
            expr(r.value());
            m.visitInsn(returnOpcode(u.resultType()));
        }

        /** undefined from a hook is 0; from a helper whose value is never used, a zero of its type. */
        private void returnDefault() {
            String d = returnDescriptor(u);
            switch (d) {
                case "V" -> m.visitInsn(RETURN);
                case "I" -> {
                    m.visitInsn(ICONST_0);
                    m.visitInsn(IRETURN);
                }
                default -> {
                    pushDefault(u.resultType());
                    m.visitInsn(returnOpcode(u.resultType()));
                }
            }
        }

        // ------------------------------------------------------------ expressions

        /** Evaluates for effect only. */
        private void discard(Expr e) {
            if (e instanceof Node.Assign a) {
                assign(a, false);
                return;
            }
            if (e instanceof Node.Update up) {
                update(up, false);
                return;
            }
            if (e instanceof Node.Sequence s) {
                s.exprs().forEach(this::discard);
                return;
            }
            if (e instanceof Node.Call c) {
                String d = callValue(c);
                pop(d);
                return;
            }
            Type t = checked.type(e);
            expr(e);
            pop(t.descriptor());
        }

        private void pop(String descriptor) {
            switch (descriptor) {
                case "V" -> { }
                case "D", "J" -> m.visitInsn(POP2);
                default -> m.visitInsn(POP);
            }
        }

        /** Pushes the value of e, in the JVM form of its checked type. */
        private void expr(Expr e) {
            Long folded = checked.constant(e);
            if (folded != null) {
                m.visitLdcInsn(folded);
                return;
            }
            switch (e) {
                case Node.NumberLit n -> m.visitLdcInsn(n.value());
                case Node.BigIntLit b -> m.visitLdcInsn(b.value().longValue());
                case Node.BoolLit b -> m.visitInsn(b.value() ? ICONST_1 : ICONST_0);
                case Node.NullLit n -> m.visitInsn(ACONST_NULL);
                case Node.Ident id -> ident(id);
                case Node.Member mb -> member(mb);
                case Node.Call c -> callValue(c);
                case Node.Unary un -> unary(un);
                case Node.Update up -> update(up, true);
                case Node.Binary b -> binary(b);
                case Node.Logical l -> logical(l);
                case Node.Conditional c -> {
                    Label otherwise = new Label();
                    Label end = new Label();
                    jump(c.test(), false, otherwise);
                    expr(c.then());
                    m.visitJumpInsn(GOTO, end);
                    m.visitLabel(otherwise);
                    expr(c.otherwise());
                    m.visitLabel(end);
                }
                case Node.Assign a -> assign(a, true);
                case Node.Sequence s -> {
                    for (int i = 0; i < s.exprs().size() - 1; i++) {
                        discard(s.exprs().get(i));
                    }
                    expr(s.exprs().get(s.exprs().size() - 1));
                }
                case Node.Index i -> throw new IllegalStateException("index expressions are refused by the checker");
            }
        }

        private void ident(Node.Ident id) {
            Object r = checked.name(id);
            switch (r) {
                case LocalVar v -> load(v.type(), v.slot);
                case GlobalVar g -> {
                    if (g.type().kind() != Type.Kind.UNDEFINED) {
                        m.visitVarInsn(ALOAD, 0);
                        m.visitFieldInsn(GETFIELD, className, g.field(), g.type().descriptor());
                    }
                }
                case Checked.Constant c -> {
                    if (c.value() instanceof Double d) {
                        m.visitLdcInsn(d);
                    } else if (c.value() instanceof Long l) {
                        m.visitLdcInsn(l);
                    }
                }
                default -> throw new IllegalStateException("unresolved " + id.name());
            }
        }

        private void member(Node.Member mb) {
            Type obj = checked.type(mb.object());
            expr(mb.object());
            nullCheck(obj, mb.name());
            switch (obj.kind()) {
                case WALK -> {
                    switch (mb.name()) {
                        case "action" -> m.visitMethodInsn(INVOKESTATIC, OPS, "action", "(L" + WALK + ";)D", false);
                        case "vma" -> m.visitMethodInsn(INVOKEVIRTUAL, WALK, "vma", "()" + Type.VMA.descriptor(), false);
                        case "mm" -> m.visitMethodInsn(INVOKEVIRTUAL, WALK, "mm", "()" + Type.MM.descriptor(), false);
                        case "private" -> {
                            m.visitInsn(POP);
                            if (checked.privateType.kind() != Type.Kind.UNDEFINED) {
                                m.visitVarInsn(ALOAD, 0);
                                m.visitFieldInsn(GETFIELD, className, "private$", checked.privateType.descriptor());
                            }
                        }
                        default -> throw new IllegalStateException(mb.name());
                    }
                }
                case VMA -> fieldIntrinsic("vmaField_" + mb.name());
                case FOLIO -> fieldIntrinsic("folioField_" + mb.name());
                case MAPPING -> fieldIntrinsic("mappingField_" + mb.name());
                case STATE -> {
                    Checked.Field f = checked.fields.get(mb.name());
                    stateArray(f);
                    m.visitLdcInsn(f.index());
                    m.visitInsn(arrayLoad(f.type()));
                }
                case ARRAY -> m.visitMethodInsn(INVOKEVIRTUAL, ARRAY, "length", "()D", false);
                case PTEP -> m.visitFieldInsn(GETFIELD, PTEP, "value", "J");
                default -> throw new IllegalStateException(obj + "." + mb.name());
            }
        }

        /** A nullable object on the stack: the TypeError JavaScript throws when it is null. */
        private void nullCheck(Type obj, String property) {
            if (!obj.nullable()) {
                return;
            }
            Label ok = new Label();
            m.visitInsn(DUP);
            m.visitJumpInsn(IFNONNULL, ok);
            m.visitLdcInsn(property);
            m.visitMethodInsn(INVOKESTATIC, OPS, "readOfNull", "(Ljava/lang/String;)L" + internal(io.pagewalk.dsl.compiler.rt.JsError.class) + ";", false);
            m.visitInsn(ATHROW);
            m.visitLabel(ok);
        }

        private void fieldIntrinsic(String name) {
            Method method = intrinsicNamed(name);
            invoke(method);
        }

        private void stateArray(Checked.Field f) {
            switch (f.type().kind()) {
                case NUMBER -> m.visitFieldInsn(GETFIELD, STATE, "num", "[D");
                case BIGINT -> m.visitFieldInsn(GETFIELD, STATE, "big", "[J");
                default -> m.visitFieldInsn(GETFIELD, STATE, "bool", "[Z");
            }
        }

        private int arrayLoad(Type t) {
            return switch (t.kind()) {
                case NUMBER -> DALOAD;
                case BIGINT -> LALOAD;
                default -> BALOAD;
            };
        }

        private int arrayStore(Type t) {
            return switch (t.kind()) {
                case NUMBER -> DASTORE;
                case BIGINT -> LASTORE;
                default -> BASTORE;
            };
        }

        // ------------------------------------------------------------ calls

        /** Pushes a call's value; returns the JVM descriptor of what was pushed ("V" for nothing). */
        private String callValue(Node.Call c) {
            Object target = checked.call(c);
            line(c.line());
            switch (target) {
                case FunctionUnit f -> {
                    m.visitVarInsn(ALOAD, 0);
                    for (int i = 0; i < c.args().size(); i++) {
                        Type p = f.params().get(i).type();
                        if (p.kind() == Type.Kind.UNDEFINED) {
                            discard(c.args().get(i));
                        } else {
                            expr(c.args().get(i));
                        }
                    }
                    m.visitMethodInsn(INVOKEVIRTUAL, className, f.method, methodDescriptor(f), false);
                    return returnDescriptor(f);
                }
                case Method method -> {
                    boolean env = method.getParameterCount() > 0 && method.getParameterTypes()[0] == Env.class;
                    if (env) {
                        m.visitVarInsn(ALOAD, 0);
                    }
                    for (Expr a : c.args()) {
                        expr(a);
                    }
                    return invoke(method);
                }
                case Checked.Builtin b -> {
                    return builtin(c, b.name());
                }
                default -> throw new IllegalStateException("unresolved call at line " + c.line());
            }
        }

        /** Calls a static intrinsic with its arguments on the stack; int results become Numbers. */
        private String invoke(Method method) {
            m.visitMethodInsn(INVOKESTATIC, internal(method.getDeclaringClass()), method.getName(),
                    org.objectweb.asm.Type.getMethodDescriptor(method), false);
            Class<?> r = method.getReturnType();
            if (r == int.class) {
                m.visitInsn(I2D);
                return "D";
            }
            return org.objectweb.asm.Type.getDescriptor(r);
        }

        private String builtin(Node.Call c, String name) {
            List<Expr> args = c.args();
            switch (name) {
                case "push" -> {
                    expr(((Node.Member) c.callee()).object());
                    nullCheck(checked.type(((Node.Member) c.callee()).object()), "push");
                    expr(args.get(0));
                    String d = checked.type(args.get(0)).descriptor();
                    m.visitMethodInsn(INVOKEVIRTUAL, ARRAY, "push", "(" + d + ")D", false);
                    return "D";
                }
                case "Number" -> {
                    expr(args.get(0));
                    switch (checked.type(args.get(0)).kind()) {
                        case BIGINT -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "bigToNumber", "(J)D", false);
                        case BOOLEAN -> m.visitInsn(I2D);
                        default -> { }
                    }
                    return "D";
                }
                case "BigInt" -> {
                    expr(args.get(0));
                    if (checked.type(args.get(0)).kind() == Type.Kind.NUMBER) {
                        m.visitMethodInsn(INVOKESTATIC, JSOPS, "numberToBig", "(D)J", false);
                    }
                    return "J";
                }
                case "asUintN64" -> {
                    expr(args.get(1)); // args[0] is the literal 64; args[1] was checked wrapping
                    return "J";
                }
                default -> {
                    String fn = name.substring("Math.".length());
                    for (Expr a : args) {
                        expr(a);
                    }
                    String desc = args.size() == 2 ? "(DD)D" : "(D)D";
                    switch (fn) {
                        // identical in Java and GraalJS (JsOpsTest checks it)
                        case "floor", "ceil", "abs", "sqrt", "min", "max" ->
                                m.visitMethodInsn(INVOKESTATIC, "java/lang/Math", fn, desc, false);
                        // GraalJS's Math.pow is not its ** (repeated squaring for whole exponents)
                        case "pow" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "mathPow", desc, false);
                        default -> m.visitMethodInsn(INVOKESTATIC, JSOPS, fn, desc, false);
                    }
                    return "D";
                }
            }
        }

        // ------------------------------------------------------------ operators

        private void unary(Node.Unary un) {
            if (checked.isWrapped(un)) {
                expr(un.operand());
                if (un.op().equals("-")) {
                    m.visitInsn(LNEG);
                } else {
                    m.visitLdcInsn(-1L);
                    m.visitInsn(LXOR);
                }
                return;
            }
            switch (un.op()) {
                case "!" -> bool(un);
                case "-" -> {
                    expr(un.operand());
                    m.visitInsn(DNEG);
                }
                case "+" -> expr(un.operand());
                case "~" -> {
                    expr(un.operand());
                    m.visitMethodInsn(INVOKESTATIC, JSOPS, "not", "(D)D", false);
                }
                default -> throw new IllegalStateException(un.op());
            }
        }

        /** A boolean value from a test. */
        private void bool(Expr e) {
            Label no = new Label();
            Label end = new Label();
            jump(e, false, no);
            m.visitInsn(ICONST_1);
            m.visitJumpInsn(GOTO, end);
            m.visitLabel(no);
            m.visitInsn(ICONST_0);
            m.visitLabel(end);
        }

        private void binary(Node.Binary b) {
            switch (b.op()) {
                case "===", "!==", "==", "!=", "<", "<=", ">", ">=" -> {
                    bool(b);
                    return;
                }
                default -> { }
            }
            if (checked.isWrapped(b)) {
                expr(b.left());
                expr(b.right());
                switch (b.op()) {
                    case "+" -> m.visitInsn(LADD);
                    case "-" -> m.visitInsn(LSUB);
                    case "*" -> m.visitInsn(LMUL);
                    case "<<" -> m.visitMethodInsn(INVOKESTATIC, OPS, "wrapShl", "(JJ)J", false);
                    case "&" -> m.visitInsn(LAND);
                    case "|" -> m.visitInsn(LOR);
                    default -> m.visitInsn(LXOR);
                }
                return;
            }
            expr(b.left());
            expr(b.right());
            arithmetic(b.op(), checked.type(b.left()));
        }

        /** The operator on the two values on the stack (both of type {@code t}). */
        private void arithmetic(String op, Type t) {
            if (t.kind() == Type.Kind.NUMBER) {
                switch (op) {
                    case "+" -> m.visitInsn(DADD);
                    case "-" -> m.visitInsn(DSUB);
                    case "*" -> m.visitInsn(DMUL);
                    case "/" -> m.visitInsn(DDIV);
                    case "%" -> m.visitInsn(DREM);
                    case "**" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "pow", "(DD)D", false);
                    case "&" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "and", "(DD)D", false);
                    case "|" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "or", "(DD)D", false);
                    case "^" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "xor", "(DD)D", false);
                    case "<<" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "shl", "(DD)D", false);
                    case ">>" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "sar", "(DD)D", false);
                    case ">>>" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "shr", "(DD)D", false);
                    default -> throw new IllegalStateException(op);
                }
                return;
            }
            switch (op) {
                case "&" -> m.visitInsn(LAND);
                case "|" -> m.visitInsn(LOR);
                case "^" -> m.visitInsn(LXOR);
                case "+" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "bigAdd", "(JJ)J", false);
                case "-" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "bigSub", "(JJ)J", false);
                case "*" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "bigMul", "(JJ)J", false);
                case "/" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "bigDiv", "(JJ)J", false);
                case "%" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "bigMod", "(JJ)J", false);
                case "<<" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "bigShl", "(JJ)J", false);
                case ">>" -> m.visitMethodInsn(INVOKESTATIC, JSOPS, "bigShr", "(JJ)J", false);
                default -> throw new IllegalStateException(op);
            }
        }

        /** a && b is a if a is falsy, else b (one type); a ?? b is a unless it is null. */
        private void logical(Node.Logical l) {
            Label end = new Label();
            Type lt = checked.type(l.left());
            expr(l.left());
            dup(lt);
            switch (l.op()) {
                case "&&" -> truthJump(lt, false, end);
                case "||" -> truthJump(lt, true, end);
                default -> m.visitJumpInsn(IFNONNULL, end);
            }
            pop(lt.descriptor());
            expr(l.right());
            m.visitLabel(end);
        }

        private void dup(Type t) {
            m.visitInsn(t.size() == 2 ? DUP2 : DUP);
        }

        // ------------------------------------------------------------ tests

        /** Jumps to {@code target} when the truthiness of e is {@code when}; falls through otherwise. */
        private void jump(Expr e, boolean when, Label target) {
            switch (e) {
                case Node.Logical l when !l.op().equals("??") -> {
                    boolean and = l.op().equals("&&");
                    if (and != when) {
                        // (a && b) false: a false or b false. (a || b) true: a true or b true.
                        jump(l.left(), when, target);
                        jump(l.right(), when, target);
                    } else {
                        Label skip = new Label();
                        jump(l.left(), !when, skip);
                        jump(l.right(), when, target);
                        m.visitLabel(skip);
                    }
                }
                case Node.Unary un when un.op().equals("!") -> jump(un.operand(), !when, target);
                case Node.BoolLit b -> {
                    if (b.value() == when) {
                        m.visitJumpInsn(GOTO, target);
                    }
                }
                case Node.Binary b when isComparison(b.op()) -> compare(b, when, target);
                default -> {
                    Type t = checked.type(e);
                    if (e instanceof Node.Call c) {
                        String d = callValue(c);
                        t = d.equals("V") ? Type.UNDEFINED : t;
                    } else {
                        expr(e);
                    }
                    truthJump(t, when, target);
                }
            }
        }

        private static boolean isComparison(String op) {
            return switch (op) {
                case "===", "!==", "==", "!=", "<", "<=", ">", ">=" -> true;
                default -> false;
            };
        }

        /** The value of type t on the stack: jumps when its truthiness is {@code when}. */
        private void truthJump(Type t, boolean when, Label target) {
            switch (t.kind()) {
                case BOOLEAN -> m.visitJumpInsn(when ? IFNE : IFEQ, target);
                case NUMBER -> {
                    m.visitMethodInsn(INVOKESTATIC, OPS, "truthy", "(D)Z", false);
                    m.visitJumpInsn(when ? IFNE : IFEQ, target);
                }
                case BIGINT -> {
                    m.visitInsn(LCONST_0);
                    m.visitInsn(LCMP);
                    m.visitJumpInsn(when ? IFNE : IFEQ, target);
                }
                case UNDEFINED -> {
                    if (!when) {
                        m.visitJumpInsn(GOTO, target);
                    }
                }
                default -> m.visitJumpInsn(when ? IFNONNULL : IFNULL, target);
            }
        }

        private void compare(Node.Binary b, boolean when, Label target) {
            Type l = checked.type(b.left());
            Type r = checked.type(b.right());
            String op = b.op();
            boolean negate = op.equals("!==") || op.equals("!=");
            boolean loose = op.equals("==") || op.equals("!=");
            if (op.startsWith("=") || op.startsWith("!")) {
                boolean eqWhen = negate ? !when : when; // jump when (l equals r) == eqWhen
                equality(b, l, r, loose, eqWhen, target);
                return;
            }
            expr(b.left());
            expr(b.right());
            if (l.kind() == Type.Kind.NUMBER) {
                // NaN makes every relation false: DCMPG gives 1 and DCMPL -1 for it.
                switch (op) {
                    case "<" -> {
                        m.visitInsn(DCMPG);
                        m.visitJumpInsn(when ? IFLT : IFGE, target);
                    }
                    case "<=" -> {
                        m.visitInsn(DCMPG);
                        m.visitJumpInsn(when ? IFLE : IFGT, target);
                    }
                    case ">" -> {
                        m.visitInsn(DCMPL);
                        m.visitJumpInsn(when ? IFGT : IFLE, target);
                    }
                    default -> {
                        m.visitInsn(DCMPL);
                        m.visitJumpInsn(when ? IFGE : IFLT, target);
                    }
                }
                return;
            }
            m.visitMethodInsn(INVOKESTATIC, "java/lang/Long", "compareUnsigned", "(JJ)I", false);
            switch (op) {
                case "<" -> m.visitJumpInsn(when ? IFLT : IFGE, target);
                case "<=" -> m.visitJumpInsn(when ? IFLE : IFGT, target);
                case ">" -> m.visitJumpInsn(when ? IFGT : IFLE, target);
                default -> m.visitJumpInsn(when ? IFGE : IFLT, target);
            }
        }

        /** Jumps when (l === r) [or l == r] is {@code when}. */
        private void equality(Node.Binary b, Type l, Type r, boolean loose, boolean when, Label target) {
            Type.Kind lk = l.kind();
            Type.Kind rk = r.kind();
            boolean lNullish = lk == Type.Kind.NULL || lk == Type.Kind.UNDEFINED;
            boolean rNullish = rk == Type.Kind.NULL || rk == Type.Kind.UNDEFINED;
            if (lNullish || rNullish) {
                // x === null, x == undefined, null === undefined ...
                Expr other = lNullish ? b.right() : b.left();
                Type ot = lNullish ? r : l;
                Type.Kind nk = lNullish ? lk : rk;
                discardOrNot(lNullish ? b.left() : b.right());
                boolean equalWhenNull;
                if (ot.isReference() && ot.kind() != Type.Kind.NULL) {
                    // A reference is null or an object, never undefined.
                    if (!loose && nk == Type.Kind.UNDEFINED) {
                        discard(other);
                        if (!when) {
                            m.visitJumpInsn(GOTO, target);
                        }
                        return;
                    }
                    expr(other);
                    m.visitJumpInsn(when ? IFNULL : IFNONNULL, target);
                    return;
                }
                discard(other);
                Type.Kind ok = ot.kind();
                boolean oNullish = ok == Type.Kind.NULL || ok == Type.Kind.UNDEFINED;
                equalWhenNull = oNullish && (loose || ok == nk);
                if (equalWhenNull == when) {
                    m.visitJumpInsn(GOTO, target);
                }
                return;
            }
            if (lk != rk && l.isReference() && r.isReference()) {
                // Objects of different kinds are never the same; both null are.
                expr(b.left());
                expr(b.right());
                m.visitJumpInsn(when ? IF_ACMPEQ : IF_ACMPNE, target);
                return;
            }
            if (lk != rk) {
                // Different types are never === (and == between them is refused by the checker).
                discard(b.left());
                discard(b.right());
                if (!when) {
                    m.visitJumpInsn(GOTO, target);
                }
                return;
            }
            expr(b.left());
            expr(b.right());
            switch (lk) {
                case NUMBER -> {
                    m.visitInsn(DCMPL); // NaN: -1, never equal
                    m.visitJumpInsn(when ? IFEQ : IFNE, target);
                }
                case BIGINT -> {
                    m.visitInsn(LCMP);
                    m.visitJumpInsn(when ? IFEQ : IFNE, target);
                }
                case BOOLEAN -> m.visitJumpInsn(when ? IF_ICMPEQ : IF_ICMPNE, target);
                default -> m.visitJumpInsn(when ? IF_ACMPEQ : IF_ACMPNE, target);
            }
        }

        /** A null or undefined operand: evaluated only for its effects (a literal has none). */
        private void discardOrNot(Expr e) {
            if (!(e instanceof Node.NullLit) && !(e instanceof Node.Ident)) {
                discard(e);
            }
        }

        // ------------------------------------------------------------ assignments

        private void assign(Node.Assign a, boolean needValue) {
            Expr target = a.target();
            String op = a.op().equals("=") ? null : a.op().substring(0, a.op().length() - 1);
            if (target instanceof Node.Ident id) {
                Object r = checked.name(id);
                Type t = r instanceof LocalVar v ? v.type() : ((GlobalVar) r).type();
                if (r instanceof GlobalVar) {
                    m.visitVarInsn(ALOAD, 0);
                }
                if (op != null) {
                    ident(id);
                    expr(a.value());
                    arithmetic(op, t);
                } else {
                    expr(a.value());
                }
                if (needValue) {
                    if (r instanceof GlobalVar) {
                        m.visitInsn(t.size() == 2 ? DUP2_X1 : DUP_X1);
                    } else {
                        dup(t);
                    }
                }
                if (r instanceof LocalVar v) {
                    store(t, v.slot);
                } else {
                    GlobalVar g = (GlobalVar) r;
                    m.visitFieldInsn(PUTFIELD, className, g.field(), g.type().descriptor());
                }
                return;
            }
            Node.Member mb = (Node.Member) target;
            Type obj = checked.type(mb.object());
            if (obj.kind() == Type.Kind.WALK) {
                // walk.action = v (op= too): checked as the GraalJS path checks it.
                expr(mb.object());
                if (op != null) {
                    m.visitInsn(DUP);
                    m.visitMethodInsn(INVOKESTATIC, OPS, "action", "(L" + WALK + ";)D", false);
                    expr(a.value());
                    arithmetic(op, Type.NUMBER);
                } else {
                    expr(a.value());
                }
                int tmp = -1;
                if (needValue) {
                    tmp = temp(Type.NUMBER);
                    m.visitInsn(DUP2);
                    m.visitVarInsn(DSTORE, tmp);
                }
                m.visitMethodInsn(INVOKESTATIC, OPS, "setAction", "(L" + WALK + ";D)V", false);
                if (needValue) {
                    m.visitVarInsn(DLOAD, tmp);
                }
                return;
            }
            if (obj.kind() == Type.Kind.PTEP) {
                // install_pte's ptep.value (op)= v
                expr(mb.object());
                if (op != null) {
                    m.visitInsn(DUP);
                    m.visitFieldInsn(GETFIELD, PTEP, "value", "J");
                    expr(a.value());
                    arithmetic(op, Type.BIGINT);
                } else {
                    expr(a.value());
                }
                if (needValue) {
                    m.visitInsn(DUP2_X1);
                }
                m.visitFieldInsn(PUTFIELD, PTEP, "value", "J");
                return;
            }
            // A state object's field: obj.num[i] (op)= value
            Checked.Field f = checked.fields.get(mb.name());
            expr(mb.object());
            nullCheck(obj, mb.name());
            stateArray(f);
            m.visitLdcInsn(f.index());
            if (op != null) {
                m.visitInsn(DUP2);
                m.visitInsn(arrayLoad(f.type()));
                expr(a.value());
                arithmetic(op, f.type());
            } else {
                expr(a.value());
            }
            if (needValue) {
                m.visitInsn(f.type().size() == 2 ? DUP2_X2 : DUP_X2);
            }
            m.visitInsn(arrayStore(f.type()));
        }

        private void update(Node.Update up, boolean needValue) {
            Expr target = up.target();
            Type t = checked.type(up);
            int opcode;
            if (t.kind() == Type.Kind.NUMBER) {
                opcode = up.op().equals("++") ? DADD : DSUB;
            } else {
                opcode = -1;
            }
            if (target instanceof Node.Ident id && checked.name(id) instanceof LocalVar v) {
                load(t, v.slot);
                if (needValue && !up.prefix()) {
                    dup(t);
                }
                step(t, up.op(), opcode);
                if (needValue && up.prefix()) {
                    dup(t);
                }
                store(t, v.slot);
                return;
            }
            if (target instanceof Node.Ident id) {
                GlobalVar g = (GlobalVar) checked.name(id);
                m.visitVarInsn(ALOAD, 0);
                m.visitInsn(DUP);
                m.visitFieldInsn(GETFIELD, className, g.field(), g.type().descriptor());
                if (needValue && !up.prefix()) {
                    m.visitInsn(t.size() == 2 ? DUP2_X1 : DUP_X1);
                }
                step(t, up.op(), opcode);
                if (needValue && up.prefix()) {
                    m.visitInsn(t.size() == 2 ? DUP2_X1 : DUP_X1);
                }
                m.visitFieldInsn(PUTFIELD, className, g.field(), g.type().descriptor());
                return;
            }
            Node.Member mb = (Node.Member) target;
            Checked.Field f = checked.fields.get(mb.name());
            expr(mb.object());
            nullCheck(checked.type(mb.object()), mb.name());
            stateArray(f);
            m.visitLdcInsn(f.index());
            m.visitInsn(DUP2);
            m.visitInsn(arrayLoad(t));
            if (needValue && !up.prefix()) {
                m.visitInsn(DUP2_X2);
            }
            step(t, up.op(), opcode);
            if (needValue && up.prefix()) {
                m.visitInsn(DUP2_X2);
            }
            m.visitInsn(arrayStore(t));
        }

        /** x + 1 or x - 1 on the value on the stack (BigInts checked against the 64-bit range). */
        private void step(Type t, String op, int opcode) {
            if (t.kind() == Type.Kind.NUMBER) {
                m.visitInsn(DCONST_1);
                m.visitInsn(opcode);
            } else {
                m.visitInsn(LCONST_1);
                m.visitMethodInsn(INVOKESTATIC, JSOPS, op.equals("++") ? "bigAdd" : "bigSub", "(JJ)J", false);
            }
        }

        // ------------------------------------------------------------ locals

        private void load(Type t, int slot) {
            if (t.kind() == Type.Kind.UNDEFINED) {
                return;
            }
            m.visitVarInsn(t.kind() == Type.Kind.NUMBER ? DLOAD : t.kind() == Type.Kind.BIGINT ? LLOAD
                    : t.kind() == Type.Kind.BOOLEAN ? ILOAD : ALOAD, slot);
        }

        private void store(Type t, int slot) {
            if (t.kind() == Type.Kind.UNDEFINED) {
                return;
            }
            m.visitVarInsn(t.kind() == Type.Kind.NUMBER ? DSTORE : t.kind() == Type.Kind.BIGINT ? LSTORE
                    : t.kind() == Type.Kind.BOOLEAN ? ISTORE : ASTORE, slot);
        }

        private void pushDefault(Type t) {
            switch (t.kind()) {
                case NUMBER -> m.visitInsn(DCONST_0);
                case BIGINT -> m.visitInsn(LCONST_0);
                case BOOLEAN -> m.visitInsn(ICONST_0);
                case UNDEFINED -> { }
                default -> m.visitInsn(ACONST_NULL);
            }
        }
    }

    private static int returnOpcode(Type t) {
        return switch (t.kind()) {
            case NUMBER -> DRETURN;
            case BIGINT -> LRETURN;
            case BOOLEAN -> IRETURN;
            case UNDEFINED -> RETURN;
            default -> ARETURN;
        };
    }

    private static Method intrinsicNamed(String name) {
        for (Method m : io.pagewalk.dsl.compiler.rt.Intrinsics.class.getMethods()) {
            if (m.getName().equals(name)) {
                return m;
            }
        }
        throw new IllegalStateException("no intrinsic " + name);
    }
}
