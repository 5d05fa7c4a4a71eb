package io.pagewalk.dsl.compiler.rt;

import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.walk.MmWalk;
import io.pagewalk.runtime.walk.PageWalkAction;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The base of every compiled set of hooks: one method per hook with the walker's arguments
 * (a generated class overrides those the script defines), the helpers generated code calls, and
 * the translation of an error into the script's file and line.
 */
public abstract class CompiledOps extends Env {
    /** Hook calls so far (for --stats). */
    public long calls;
    /** Whether the watchdog asked the run to stop. */
    private BooleanSupplier stopRequested = () -> false;
    /** Generated method name to the script file it came from (for error lines). */
    private Map<String, String> sources = Map.of();

    protected CompiledOps() {}

    public final void attach(io.pagewalk.runtime.mm.MmStruct model, Writes writes, BooleanSupplier stopRequested,
            Map<String, String> sources) {
        this.model = model;
        this.writes = writes;
        this.stopRequested = stopRequested;
        this.sources = sources;
    }

    // ---------------------------------------------------------------- hooks (overridden when defined)

    public int pgd_entry(EntryPointer e, long addr, long next, MmWalk w) {
        throw absent("pgd_entry");
    }

    public int p4d_entry(EntryPointer e, long addr, long next, MmWalk w) {
        throw absent("p4d_entry");
    }

    public int pud_entry(EntryPointer e, long addr, long next, MmWalk w) {
        throw absent("pud_entry");
    }

    public int pmd_entry(EntryPointer e, long addr, long next, MmWalk w) {
        throw absent("pmd_entry");
    }

    public int pte_entry(EntryPointer e, long addr, long next, MmWalk w) {
        throw absent("pte_entry");
    }

    public int pte_hole(long addr, long next, int depth, MmWalk w) {
        throw absent("pte_hole");
    }

    public int hugetlb_entry(EntryPointer e, long hmask, long addr, long next, MmWalk w) {
        throw absent("hugetlb_entry");
    }

    public int test_walk(long start, long end, MmWalk w) {
        throw absent("test_walk");
    }

    public int pre_vma(long start, long end, MmWalk w) {
        throw absent("pre_vma");
    }

    public void post_vma(MmWalk w) {
        throw absent("post_vma");
    }

    /**
     * install_pte as the walker calls it: the hook gets a box for the entry (0n until it writes
     * ptep.value), and the entry goes in when it returns 0, as the GraalJS path does.
     */
    public final int install_pte(long addr, long next, EntryPointer ptep, MmWalk w) {
        PtepBox box = new PtepBox();
        int r = installPte(JsOps.addrToNumber(addr), JsOps.addrToNumber(next), box, w);
        if (r == 0) {
            ptep.set(box.value);
        }
        return r;
    }

    /** The compiled install_pte (overridden when defined). */
    public int installPte(double addr, double next, PtepBox ptep, MmWalk w) {
        throw absent("install_pte");
    }

    private static IllegalStateException absent(String hook) {
        return new IllegalStateException(hook + " is not compiled");
    }

    // ---------------------------------------------------------------- called by generated code

    @Override
    public final void poll() {
        pollBudget = POLL_EVERY;
        if (stopRequested.getAsBoolean()) {
            throw new ScriptStopped("stopped by the watchdog");
        }
    }

    /** JavaScript truthiness of a Number: not 0, -0 or NaN. */
    public static boolean truthy(double d) {
        return d != 0.0 && d == d;
    }

    /** A hook's Number result as the kernel's int, or the GraalJS path's error. */
    public static int hookResult(double r, String hook) {
        int i = (int) r;
        if (i == r) {
            return i; // -0 too: it is 0 (-0 === 0)
        }
        throw JsError.error(hook + " returned the number " + describe(r)
                + "; hooks return an int (0 goes on, anything else stops the walk)");
    }

    private static String describe(double d) {
        return io.pagewalk.dsl.api.Conv.jsNumber(d);
    }

    /** walk.action = v, checked as WalkProxy checks it. */
    public static void setAction(MmWalk w, double v) {
        int a = (int) v;
        if (a != v || a < 0 || a > 2) {
            throw JsError.error("walk.action must be ACTION_SUBTREE, ACTION_CONTINUE or ACTION_AGAIN, got the number "
                    + describe(v));
        }
        w.setAction(PageWalkAction.of(a));
    }

    public static double action(MmWalk w) {
        return w.action().value();
    }

    /** Reading a property of null, as GraalJS words it. */
    public static JsError readOfNull(String property) {
        return JsError.typeError("Cannot read property '" + property + "' of null");
    }

    /** BigInt.asUintN(64, x << n). */
    public static long wrapShl(long x, long n) {
        return Long.compareUnsigned(n, 64) >= 0 ? 0 : x << n;
    }

    /** Deep recursion in compiled code, as GraalJS reports it (at the innermost compiled frame). */
    public final RuntimeException translate(StackOverflowError e) {
        JsError js = JsError.rangeError("Maximum call stack size exceeded");
        js.setStackTrace(e.getStackTrace());
        return translate(js);
    }

    /**
     * An error in compiled code as one line: the script file and line of the innermost compiled
     * frame, then the message as GraalJS would print it.
     */
    public final RuntimeException translate(RuntimeException e) {
        if (e instanceof ScriptStopped || e instanceof CompiledHookException) {
            return e;
        }
        String kind = e instanceof JsError js ? js.kind() : null;
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().equals(getClass().getName())) {
                String source = sources.get(f.getMethodName());
                if (source != null && f.getLineNumber() > 0) {
                    return new CompiledHookException(kind, message, source + ":" + f.getLineNumber(), e);
                }
            }
        }
        return new CompiledHookException(kind, message, null, e);
    }
}
