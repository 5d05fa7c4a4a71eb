package io.pagewalk.dsl.compiler;

import io.pagewalk.runtime.mm.MmStruct;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

/** What the compiler needs of a script session: its context, the prelude's support functions, the model. */
public interface ScriptAccess {
    Context context();

    /**
     * The prelude's support object: {@code kind(x)}, {@code handle(x)}, {@code field(o, k)},
     * {@code load(o, names, buf)}, {@code store(o, names, kinds, written, buf)},
     * {@code bigint(hi, lo)}, {@code append(a, buf, kinds, n)}.
     */
    Value compilerSupport();

    /** The machine PFN helpers look pages up in, or null when the run has none yet. */
    MmStruct model();

    /** Whether compiled hooks may change the model, and where written entries are reported. */
    io.pagewalk.dsl.compiler.rt.Env.Writes writes();

    /** Whether the watchdog has asked the run to stop. */
    boolean stopRequested();

    /** A model object (VmArea, MmStruct, FolioWalk.Folio, AddressSpace) as the script object the API gives for it. */
    Value toScript(Object host);

    /** Counts calls of compiled hooks with the others (for --stats). */
    void addHookCalls(long n);

    /** The host object behind an API script object (a vma, mm, folio, mapping), or null. */
    Object hostOf(Value apiObject);
}
