package io.pagewalk.dsl.adapter;

import static org.objectweb.asm.Opcodes.*;

import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.walk.MmWalk;
import io.pagewalk.runtime.walk.MmWalkOps;
import java.util.HashMap;
import java.util.Map;
import org.graalvm.polyglot.Value;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Type;

/**
 * Generates, with ASM, the Java classes that bind script hooks to the walker's callback
 * interfaces: one small class per hook (implementing that hook's interface with the hook's name
 * and calling convention baked in) and one {@link HookAdapter} per set of hooks a script defines,
 * which sets exactly those callbacks, so that the walker sees absent hooks as absent.
 */
public final class AdapterGenerator {
    private AdapterGenerator() {}

    private static final String GEN = "io/pagewalk/dsl/adapter/gen/";
    private static final String CONTEXT = Type.getInternalName(HookContext.class);
    private static final String VALUE = Type.getInternalName(Value.class);
    private static final String CALLS = Type.getInternalName(HookCalls.class);
    private static final String BUILDER = Type.getInternalName(MmWalkOps.Builder.class);
    private static final String EP = Type.getDescriptor(EntryPointer.class);
    private static final String WALK = Type.getDescriptor(MmWalk.class);

    /** A hook's binding: interface, its method's descriptor, the HookCalls method, the Builder setter. */
    private record Shape(Class<?> iface, String desc, String target, String setter) {}

    private static final String ENTRY = "(" + EP + "JJ" + WALK + ")I";
    private static final Shape[] SHAPES = {
        new Shape(MmWalkOps.EntryCallback.class, ENTRY, "entry", "pgdEntry"),
        new Shape(MmWalkOps.EntryCallback.class, ENTRY, "entry", "p4dEntry"),
        new Shape(MmWalkOps.EntryCallback.class, ENTRY, "entry", "pudEntry"),
        new Shape(MmWalkOps.EntryCallback.class, ENTRY, "entry", "pmdEntry"),
        new Shape(MmWalkOps.EntryCallback.class, ENTRY, "entry", "pteEntry"),
        new Shape(MmWalkOps.PteHoleCallback.class, "(JJI" + WALK + ")I", "hole", "pteHole"),
        new Shape(MmWalkOps.HugetlbEntryCallback.class, "(" + EP + "JJJ" + WALK + ")I", "hugetlb", "hugetlbEntry"),
        new Shape(MmWalkOps.RangeCallback.class, "(JJ" + WALK + ")I", "range", "testWalk"),
        new Shape(MmWalkOps.RangeCallback.class, "(JJ" + WALK + ")I", "range", "preVma"),
        new Shape(MmWalkOps.PostVmaCallback.class, "(" + WALK + ")V", "postVma", "postVma"),
        new Shape(MmWalkOps.InstallPteCallback.class, "(JJ" + EP + WALK + ")I", "installPte", "installPte"),
    };
    private static final int PTE_ENTRY = 4;
    private static final Shape PTE_BATCH =
            new Shape(MmWalkOps.PteBatchCallback.class, "(" + EP + "JI" + WALK + ")I", "pteBatch", "pteBatch");

    private static final Loader LOADER = new Loader(HookAdapter.class.getClassLoader());
    private static final Map<Integer, HookAdapter> ADAPTERS = new HashMap<>();

    private static final class Loader extends ClassLoader {
        Loader(ClassLoader parent) {
            super(parent);
        }

        Class<?> define(String internalName, byte[] bytes) {
            return defineClass(internalName.replace('/', '.'), bytes, 0, bytes.length);
        }
    }

    static {
        if (SHAPES.length != HookBinder.HOOKS.length) {
            throw new AssertionError("hook table out of step");
        }
    }

    /** The adapter for the hooks present in {@code fns} (generated once per set). */
    public static synchronized HookAdapter adapterFor(Value[] fns, boolean batch) {
        int mask = 0;
        for (int i = 0; i < fns.length; i++) {
            if (fns[i] != null) {
                mask |= 1 << i;
            }
        }
        boolean batched = batch && fns[PTE_ENTRY] != null;
        int key = mask | (batched ? 1 << 16 : 0);
        HookAdapter a = ADAPTERS.get(key);
        if (a == null) {
            a = generateAdapter(mask, batched);
            ADAPTERS.put(key, a);
        }
        return a;
    }

    /** How many adapter classes exist (one per distinct set of hooks seen). */
    public static synchronized int adapterCount() {
        return ADAPTERS.size();
    }

    private static final Map<String, String> HOOK_CLASSES = new HashMap<>();

    private static String hookClass(String hook, Shape s) {
        return HOOK_CLASSES.computeIfAbsent(hook + (s == PTE_BATCH ? "$batch" : ""), k -> {
            String name = GEN + "Hook$" + k.replace('$', '_');
            LOADER.define(name, generateHook(name, hook, s));
            return name;
        });
    }

    /**
     * {@code final class Hook$pmd_entry implements EntryCallback { HookContext c; Value fn;
     * int call(e, addr, next, walk) { return HookCalls.entry(c, fn, "pmd_entry", e, addr, next, walk); } }}
     */
    private static byte[] generateHook(String name, String hook, Shape s) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS | ClassWriter.COMPUTE_FRAMES);
        cw.visit(V21, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, name, null, "java/lang/Object",
                new String[] {Type.getInternalName(s.iface)});
        cw.visitField(ACC_PRIVATE | ACC_FINAL, "c", "L" + CONTEXT + ";", null, null).visitEnd();
        cw.visitField(ACC_PRIVATE | ACC_FINAL, "fn", "L" + VALUE + ";", null, null).visitEnd();

        MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "(L" + CONTEXT + ";L" + VALUE + ";)V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitVarInsn(ALOAD, 0);
        init.visitVarInsn(ALOAD, 1);
        init.visitFieldInsn(PUTFIELD, name, "c", "L" + CONTEXT + ";");
        init.visitVarInsn(ALOAD, 0);
        init.visitVarInsn(ALOAD, 2);
        init.visitFieldInsn(PUTFIELD, name, "fn", "L" + VALUE + ";");
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();

        MethodVisitor m = cw.visitMethod(ACC_PUBLIC, "call", s.desc, null, null);
        m.visitCode();
        m.visitVarInsn(ALOAD, 0);
        m.visitFieldInsn(GETFIELD, name, "c", "L" + CONTEXT + ";");
        m.visitVarInsn(ALOAD, 0);
        m.visitFieldInsn(GETFIELD, name, "fn", "L" + VALUE + ";");
        m.visitLdcInsn(hook);
        int slot = 1;
        for (Type t : Type.getArgumentTypes(s.desc)) {
            m.visitVarInsn(t.getOpcode(ILOAD), slot);
            slot += t.getSize();
        }
        String target = "(L" + CONTEXT + ";L" + VALUE + ";Ljava/lang/String;" + s.desc.substring(1);
        m.visitMethodInsn(INVOKESTATIC, CALLS, s.target, target, false);
        m.visitInsn(Type.getReturnType(s.desc).getOpcode(IRETURN));
        m.visitMaxs(0, 0);
        m.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /**
     * {@code final class HookSet$<mask> extends HookAdapter { Builder bind(c, fns) { return
     * MmWalkOps.builder().pmdEntry(new Hook$pmd_entry(c, fns[3])).pteBatch(...)...; } }}
     */
    private static HookAdapter generateAdapter(int mask, boolean batched) {
        String name = GEN + "HookSet$" + Integer.toHexString(mask) + (batched ? "$batched" : "");
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS | ClassWriter.COMPUTE_FRAMES);
        String superName = Type.getInternalName(HookAdapter.class);
        cw.visit(V21, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, name, null, superName, null);
        MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitMethodInsn(INVOKESPECIAL, superName, "<init>", "()V", false);
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();

        MethodVisitor m = cw.visitMethod(ACC_PUBLIC, "bind", "(L" + CONTEXT + ";[L" + VALUE + ";)L" + BUILDER + ";", null, null);
        m.visitCode();
        m.visitMethodInsn(INVOKESTATIC, Type.getInternalName(MmWalkOps.class), "builder", "()L" + BUILDER + ";", false);
        for (int i = 0; i < SHAPES.length; i++) {
            if ((mask & (1 << i)) == 0) {
                continue;
            }
            setHook(m, hookClass(HookBinder.HOOKS[i], SHAPES[i]), SHAPES[i], i);
            if (i == PTE_ENTRY && batched) {
                setHook(m, hookClass(HookBinder.HOOKS[i], PTE_BATCH), PTE_BATCH, i);
            }
        }
        m.visitInsn(ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        cw.visitEnd();
        try {
            Class<?> cls = LOADER.define(name, cw.toByteArray());
            return (HookAdapter) cls.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("adapter generation failed for " + name, e);
        }
    }

    /** builder on the stack -> builder.setter(new HookClass(c, fns[i])) on the stack. */
    private static void setHook(MethodVisitor m, String hookClass, Shape s, int index) {
        m.visitTypeInsn(NEW, hookClass);
        m.visitInsn(DUP);
        m.visitVarInsn(ALOAD, 1);
        m.visitVarInsn(ALOAD, 2);
        m.visitLdcInsn(index);
        m.visitInsn(AALOAD);
        m.visitMethodInsn(INVOKESPECIAL, hookClass, "<init>", "(L" + CONTEXT + ";L" + VALUE + ";)V", false);
        m.visitMethodInsn(INVOKEVIRTUAL, BUILDER, s.setter, "(" + Type.getDescriptor(s.iface) + ")L" + BUILDER + ";", false);
    }
}
