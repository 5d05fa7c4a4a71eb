package io.pagewalk.dsl.adapter;

import io.pagewalk.dsl.api.WalkProxy;
import java.nio.ByteBuffer;
import org.graalvm.polyglot.Value;

/**
 * What the hooks of one walk need to cross into the script: the prelude's trampolines, the entry
 * buffer of this walk (a direct buffer the script reads as a BigUint64Array), the walk object,
 * and where to report batches and call counts.
 */
public final class HookContext {
    public final Value callEntry;
    public final Value callHugetlb;
    public final Value callHole;
    public final Value callRange;
    public final Value callPostVma;
    public final Value callInstall;
    public final Value callPteBatch;
    public final Value mkPtep;
    public final ByteBuffer buffer;
    public final Value view;
    public final WalkProxy walk;
    public final boolean batch;
    public final Listener listener;

    /** The session's side: the PTE run being handed over (set_pte_at keeps it current), counts. */
    public interface Listener {
        void batchStarted(ByteBuffer buffer, io.pagewalk.runtime.pgtable.PageTable table, int first, long addr, int nr);

        void batchEnded(ByteBuffer buffer);

        void hookCalls(long n);
    }

    public HookContext(Value callEntry, Value callHugetlb, Value callHole, Value callRange, Value callPostVma,
            Value callInstall, Value callPteBatch, Value mkPtep, ByteBuffer buffer, Value view, WalkProxy walk,
            boolean batch, Listener listener) {
        this.callEntry = callEntry;
        this.callHugetlb = callHugetlb;
        this.callHole = callHole;
        this.callRange = callRange;
        this.callPostVma = callPostVma;
        this.callInstall = callInstall;
        this.callPteBatch = callPteBatch;
        this.mkPtep = mkPtep;
        this.buffer = buffer;
        this.view = view;
        this.walk = walk;
        this.batch = batch;
        this.listener = listener;
    }
}
