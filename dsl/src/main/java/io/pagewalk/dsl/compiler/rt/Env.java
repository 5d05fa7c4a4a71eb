package io.pagewalk.dsl.compiler.rt;

import io.pagewalk.runtime.mm.MmStruct;

/**
 * What compiled hooks see of the run besides their arguments: the machine that PFN helpers look
 * pages up in (the target, or the script's last mm_create() address space), and the stop request
 * of the watchdog. Generated classes extend it ({@code gen} package).
 */
public abstract class Env {
    /** The model of page_folio(), page_flags(), page_mapcount()...; null when the run has none. */
    protected MmStruct model;
    /** Whether the run may change the model (--allow-write), and who must hear of a written entry. */
    protected Writes writes = Writes.READ_ONLY;

    /** The run's side of the writing helpers (set_pte_at, set_pmd_at, folio_clear_referenced). */
    public interface Writes {
        Writes READ_ONLY = new Writes() {
            @Override
            public boolean allowed() {
                return false;
            }

            @Override
            public void entryWritten(MmStruct mm, long addr, int level, long value) {}
        };

        boolean allowed();

        /** After an entry is set: a batch of PTEs handed to GraalJS hooks must see the new value. */
        void entryWritten(MmStruct mm, long addr, int level, long value);
    }

    /** The GraalJS path's refusal of a write without --allow-write. */
    public final void requireWrite(String what) {
        if (!writes.allowed()) {
            throw JsError.error(what + ": the model is read-only (run with --allow-write)");
        }
    }

    public final void entryWritten(MmStruct mm, long addr, int level, long value) {
        writes.entryWritten(mm, addr, level, value);
    }
    /** Back-edges and hook calls left until the next look at the clock and the stop flag. */
    protected int pollBudget = POLL_EVERY;
    protected static final int POLL_EVERY = 1 << 14;

    protected Env() {}

    /** The model for {@code what}, or the same error the host API gives without one. */
    public final MmStruct model(String what) {
        if (model == null) {
            throw JsError.error(what + ": no address space (run with --pid or --snapshot, or make one with mm_create())");
        }
        return model;
    }

    /** Called by generated code every {@link #POLL_EVERY} back-edges: throws when the run must stop. */
    public abstract void poll();
}
