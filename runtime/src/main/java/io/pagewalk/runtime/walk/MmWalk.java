package io.pagewalk.runtime.walk;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PageTable;

/**
 * {@code struct mm_walk}: the state a walk hands to every callback. Callbacks read {@link #vma()},
 * {@link #mm()} and {@link #privateData()}, and steer the walk with {@link #setAction}.
 */
public final class MmWalk {
    private final MmWalkOps ops;
    private MmStruct mm;
    private final PageTable pgd;
    private VmArea vma;
    private PageWalkAction action = PageWalkAction.ACTION_SUBTREE;
    private final boolean noVma;
    private final Object privateData;

    /** One reusable entry pointer per level, so the walk makes no object per entry. */
    final EntryPointer[] pointers = {
        new EntryPointer(), new EntryPointer(), new EntryPointer(), new EntryPointer(), new EntryPointer()
    };

    /** Where {@code install_pte} writes the PTE it wants installed ({@code pte_t new_pte}). */
    private EntryPointer installSlot;

    MmWalk(MmWalkOps ops, MmStruct mm, PageTable pgd, VmArea vma, boolean noVma, Object privateData) {
        this.ops = ops;
        this.mm = mm;
        this.pgd = pgd;
        this.vma = vma;
        this.noVma = noVma;
        this.privateData = privateData;
    }

    EntryPointer installSlot() {
        if (installSlot == null) {
            installSlot = new EntryPointer(new PageTable(io.pagewalk.runtime.pgtable.PagingGeometry.PTE, -1), 0);
        }
        return installSlot;
    }

    public MmWalkOps ops() {
        return ops;
    }

    public MmStruct mm() {
        return mm;
    }

    void setMm(MmStruct mm) {
        this.mm = mm;
    }

    /** The root the walk started from when it is not {@code mm->pgd} (no_vma walks only), else null. */
    public PageTable pgd() {
        return pgd;
    }

    /** The VMA being walked, or null outside VMAs and in no_vma walks. */
    public VmArea vma() {
        return vma;
    }

    void setVma(VmArea vma) {
        this.vma = vma;
    }

    public PageWalkAction action() {
        return action;
    }

    public void setAction(PageWalkAction action) {
        this.action = action;
    }

    public boolean noVma() {
        return noVma;
    }

    /** {@code walk->private}. */
    public Object privateData() {
        return privateData;
    }
}
