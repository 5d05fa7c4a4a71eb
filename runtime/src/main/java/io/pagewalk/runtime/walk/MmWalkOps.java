package io.pagewalk.runtime.walk;

import io.pagewalk.runtime.pgtable.EntryPointer;

/**
 * {@code struct mm_walk_ops}: the callbacks of a walk. A null callback is an absent one, and
 * absence matters as in the kernel: the walker descends only to levels that have a callback below.
 * Build with {@link #builder()}; instances are immutable.
 *
 * <p>Return values follow the kernel: 0 goes on, anything else stops the walk and is returned to
 * the caller unchanged (except {@code test_walk}, where positive means "skip this VMA").
 */
public final class MmWalkOps {

    /** {@code pgd_entry}, {@code p4d_entry}, {@code pud_entry}, {@code pmd_entry}, {@code pte_entry}. */
    @FunctionalInterface
    public interface EntryCallback {
        int call(EntryPointer entry, long addr, long next, MmWalk walk);
    }

    /** {@code pte_hole(addr, next, depth, walk)}. */
    @FunctionalInterface
    public interface PteHoleCallback {
        int call(long addr, long next, int depth, MmWalk walk);
    }

    /** {@code hugetlb_entry(pte, hmask, addr, next, walk)}. */
    @FunctionalInterface
    public interface HugetlbEntryCallback {
        int call(EntryPointer pte, long hmask, long addr, long next, MmWalk walk);
    }

    /** {@code test_walk(start, end, walk)} and {@code pre_vma(start, end, walk)}. */
    @FunctionalInterface
    public interface RangeCallback {
        int call(long start, long end, MmWalk walk);
    }

    /** {@code post_vma(walk)}. */
    @FunctionalInterface
    public interface PostVmaCallback {
        void call(MmWalk walk);
    }

    /**
     * {@code install_pte(addr, next, ptep, walk)}: write the new PTE through {@code ptep}. Called for
     * none PTEs only; existing ones go to {@code pte_entry}, or are left alone when there is none
     * (where the kernel would call a NULL pointer).
     */
    @FunctionalInterface
    public interface InstallPteCallback {
        int call(long addr, long next, EntryPointer ptep, MmWalk walk);
    }

    /**
     * A pagewalk extension, not in the kernel: receives a run of {@code nr} consecutive PTEs of one
     * table at once, starting at {@code first} and address {@code addr}, and must behave exactly as
     * {@code nr} calls of {@code pte_entry(pte + k, addr + k * PAGE_SIZE, addr + (k + 1) *
     * PAGE_SIZE, walk)} that stop at the first non-zero result, which it returns. Script hosts use
     * it to cross into the script once per table instead of once per PTE.
     */
    @FunctionalInterface
    public interface PteBatchCallback {
        int call(EntryPointer first, long addr, int nr, MmWalk walk);
    }

    final EntryCallback pgdEntry;
    final EntryCallback p4dEntry;
    final EntryCallback pudEntry;
    final EntryCallback pmdEntry;
    final EntryCallback pteEntry;
    final PteBatchCallback pteBatch;
    final PteHoleCallback pteHole;
    final HugetlbEntryCallback hugetlbEntry;
    final RangeCallback testWalk;
    final RangeCallback preVma;
    final PostVmaCallback postVma;
    final InstallPteCallback installPte;
    final PageWalkLock walkLock;

    private MmWalkOps(Builder b) {
        this.pgdEntry = b.pgdEntry;
        this.p4dEntry = b.p4dEntry;
        this.pudEntry = b.pudEntry;
        this.pmdEntry = b.pmdEntry;
        this.pteEntry = b.pteEntry;
        this.pteBatch = b.pteBatch;
        this.pteHole = b.pteHole;
        this.hugetlbEntry = b.hugetlbEntry;
        this.testWalk = b.testWalk;
        this.preVma = b.preVma;
        this.postVma = b.postVma;
        this.installPte = b.installPte;
        this.walkLock = b.walkLock;
    }

    public static Builder builder() {
        return new Builder();
    }

    public EntryCallback pgdEntry() {
        return pgdEntry;
    }

    public EntryCallback p4dEntry() {
        return p4dEntry;
    }

    public EntryCallback pudEntry() {
        return pudEntry;
    }

    public EntryCallback pmdEntry() {
        return pmdEntry;
    }

    public EntryCallback pteEntry() {
        return pteEntry;
    }

    public PteBatchCallback pteBatch() {
        return pteBatch;
    }

    public PteHoleCallback pteHole() {
        return pteHole;
    }

    public HugetlbEntryCallback hugetlbEntry() {
        return hugetlbEntry;
    }

    public RangeCallback testWalk() {
        return testWalk;
    }

    public RangeCallback preVma() {
        return preVma;
    }

    public PostVmaCallback postVma() {
        return postVma;
    }

    public InstallPteCallback installPte() {
        return installPte;
    }

    public PageWalkLock walkLock() {
        return walkLock;
    }

    /** A PTE-level handler is set ({@code ops->pte_entry}, or the batched form of it). */
    public boolean hasPteHandler() {
        return pteEntry != null || pteBatch != null;
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.pgdEntry = pgdEntry;
        b.p4dEntry = p4dEntry;
        b.pudEntry = pudEntry;
        b.pmdEntry = pmdEntry;
        b.pteEntry = pteEntry;
        b.pteBatch = pteBatch;
        b.pteHole = pteHole;
        b.hugetlbEntry = hugetlbEntry;
        b.testWalk = testWalk;
        b.preVma = preVma;
        b.postVma = postVma;
        b.installPte = installPte;
        b.walkLock = walkLock;
        return b;
    }

    /** Collects the callbacks; any left unset stays absent. */
    public static final class Builder {
        private EntryCallback pgdEntry;
        private EntryCallback p4dEntry;
        private EntryCallback pudEntry;
        private EntryCallback pmdEntry;
        private EntryCallback pteEntry;
        private PteBatchCallback pteBatch;
        private PteHoleCallback pteHole;
        private HugetlbEntryCallback hugetlbEntry;
        private RangeCallback testWalk;
        private RangeCallback preVma;
        private PostVmaCallback postVma;
        private InstallPteCallback installPte;
        private PageWalkLock walkLock = PageWalkLock.PGWALK_RDLOCK;

        public Builder pgdEntry(EntryCallback cb) {
            this.pgdEntry = cb;
            return this;
        }

        public Builder p4dEntry(EntryCallback cb) {
            this.p4dEntry = cb;
            return this;
        }

        public Builder pudEntry(EntryCallback cb) {
            this.pudEntry = cb;
            return this;
        }

        public Builder pmdEntry(EntryCallback cb) {
            this.pmdEntry = cb;
            return this;
        }

        public Builder pteEntry(EntryCallback cb) {
            this.pteEntry = cb;
            return this;
        }

        public Builder pteBatch(PteBatchCallback cb) {
            this.pteBatch = cb;
            return this;
        }

        public Builder pteHole(PteHoleCallback cb) {
            this.pteHole = cb;
            return this;
        }

        public Builder hugetlbEntry(HugetlbEntryCallback cb) {
            this.hugetlbEntry = cb;
            return this;
        }

        public Builder testWalk(RangeCallback cb) {
            this.testWalk = cb;
            return this;
        }

        public Builder preVma(RangeCallback cb) {
            this.preVma = cb;
            return this;
        }

        public Builder postVma(PostVmaCallback cb) {
            this.postVma = cb;
            return this;
        }

        public Builder installPte(InstallPteCallback cb) {
            this.installPte = cb;
            return this;
        }

        public Builder walkLock(PageWalkLock lock) {
            this.walkLock = lock;
            return this;
        }

        public MmWalkOps build() {
            return new MmWalkOps(this);
        }
    }
}
