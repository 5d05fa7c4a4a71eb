package io.pagewalk.dsl.adapter;

import io.pagewalk.dsl.api.Conv;
import io.pagewalk.dsl.compiler.HookCompiler;
import io.pagewalk.runtime.walk.MmWalkOps;
import io.pagewalk.runtime.walk.PageWalkLock;
import org.graalvm.polyglot.Value;

/**
 * Binds a script's ops object to {@link MmWalkOps}: the one place where hooks are bound. Only the
 * hooks the object defines are set (absence steers the walker exactly as in the kernel); with
 * batching, {@code pte_entry} is bound as {@code pteBatch} too, so the walker crosses into the
 * script once per PTE table.
 */
public final class HookBinder {
    private HookBinder() {}

    /** The hooks a script may define, in {@code struct mm_walk_ops} order. */
    public static final String[] HOOKS = {
        "pgd_entry", "p4d_entry", "pud_entry", "pmd_entry", "pte_entry", "pte_hole", "hugetlb_entry",
        "test_walk", "pre_vma", "post_vma", "install_pte",
    };

    /** The callbacks of one walk, and what to run when it ends (compiled hooks write their state back). */
    public record Bound(MmWalkOps ops, Runnable finish) {}

    /**
     * Binds the hooks of {@code ops} for one walk with {@code priv} as walk.private: compiled when
     * the compiler takes them, through the GraalJS adapters otherwise.
     */
    public static Bound bind(HookContext c, HookCompiler compiler, Value ops, Value priv, String what) {
        Value[] fns = new Value[HOOKS.length];
        for (int i = 0; i < HOOKS.length; i++) {
            fns[i] = hook(ops, HOOKS[i], what);
        }
        HookCompiler.Compiled compiled = compiler == null ? null : compiler.compile(HOOKS, fns, priv, what);
        MmWalkOps.Builder b;
        Runnable finish;
        if (compiled != null) {
            b = compiled.builder();
            finish = compiled.finish();
        } else {
            b = AdapterGenerator.adapterFor(fns, c.batch).bind(c, fns);
            finish = () -> { };
        }
        if (ops.hasMember("walk_lock")) {
            Value lock = ops.getMember("walk_lock");
            if (lock != null && !lock.isNull()) {
                int l = lock.isNumber() && lock.fitsInInt() ? lock.asInt() : -1;
                if (l < 0 || l >= PageWalkLock.values().length) {
                    throw new IllegalArgumentException(what + ": ops.walk_lock must be one of PGWALK_RDLOCK, "
                            + "PGWALK_WRLOCK, PGWALK_WRLOCK_VERIFY, PGWALK_VMA_RDLOCK_VERIFY, got " + Conv.describe(lock));
                }
                b.walkLock(PageWalkLock.values()[l]);
            }
        }
        return new Bound(b.build(), finish);
    }

    /** The hook function, or null when absent (missing, undefined or null, like a NULL pointer). */
    private static Value hook(Value ops, String name, String what) {
        if (!ops.hasMember(name)) {
            return null;
        }
        Value f = ops.getMember(name);
        if (f == null || f.isNull()) {
            return null;
        }
        if (!f.canExecute()) {
            throw new IllegalArgumentException(what + ": ops." + name + " must be a function, got " + Conv.describe(f));
        }
        return f;
    }
}
