package io.pagewalk.runtime.mm;

import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.thp.ThpSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A process address space ({@code struct mm_struct}): its page-table root, its VMAs (sorted, never
 * overlapping), its mmap lock, and the {@link MemMap} of the machine its pages live in.
 */
public final class MmStruct {
    private final PagingGeometry geometry;
    private final MemMap memMap;
    private final PageTable pgd;
    private final TreeMap<Long, VmArea> vmas = new TreeMap<>(Long::compareUnsigned);
    private final MmapLock mmapLock = new MmapLock();
    private MmOrigin origin = MmOrigin.SYNTHETIC;
    private final Set<String> unknownFacts = new LinkedHashSet<>();
    private java.nio.file.Path loadedFrom;
    private VmArea gateVma;
    private ThpSettings thpSettings;
    private boolean thpDisabled;

    public MmStruct(PagingGeometry geometry, MemMap memMap) {
        this.geometry = geometry;
        this.memMap = memMap;
        this.pgd = new PageTable(PagingGeometry.PGD, allocTablePfnOrThrow(memMap));
    }

    private static long allocTablePfnOrThrow(MemMap memMap) {
        long pfn = memMap.allocTablePfn();
        if (pfn < 0) {
            throw new IllegalStateException("cannot allocate the PGD page");
        }
        return pfn;
    }

    public PagingGeometry geometry() {
        return geometry;
    }

    public MemMap memMap() {
        return memMap;
    }

    /** {@code mm->pgd}. */
    public PageTable pgd() {
        return pgd;
    }

    public MmapLock mmapLock() {
        return mmapLock;
    }

    public MmOrigin origin() {
        return origin;
    }

    public void setOrigin(MmOrigin origin) {
        this.origin = origin;
    }

    /** The snapshot file this model was loaded from, or null when it was not loaded from one. */
    public java.nio.file.Path loadedFrom() {
        return loadedFrom;
    }

    public void setLoadedFrom(java.nio.file.Path file) {
        this.loadedFrom = file;
    }

    /**
     * Facts the source could not see (for example {@code "kpageflags"} without root, or
     * {@code "pmd-mapped"} without PAGEMAP_SCAN), by name: results built on them are unknown, not
     * zero. Mutable; importers add to it, snapshots keep it.
     */
    public Set<String> unknownFacts() {
        return unknownFacts;
    }

    /** The THP settings of the machine the model describes, or null when they are unknown. */
    public ThpSettings thpSettings() {
        return thpSettings;
    }

    public void setThpSettings(ThpSettings settings) {
        this.thpSettings = settings;
    }

    /** {@code MMF_DISABLE_THP}: prctl(PR_SET_THP_DISABLE) ({@code THP_enabled: 0} in /proc/PID/status). */
    public boolean thpDisabled() {
        return thpDisabled;
    }

    public void setThpDisabled(boolean disabled) {
        this.thpDisabled = disabled;
    }

    /** {@code TASK_SIZE} of this mm. */
    public long taskSize() {
        return geometry.taskSize();
    }

    /**
     * Adds a VMA. It must not overlap an existing one (callers that replace ranges unmap first).
     * File VMAs are linked into their file's {@code i_mmap}.
     */
    public VmArea insertVma(long start, long end, long flags, long pgoff, AddressSpace file, String name) {
        if (Long.compareUnsigned(start, end) >= 0 || (start & ~PagingGeometry.PAGE_MASK) != 0
                || (end & ~PagingGeometry.PAGE_MASK) != 0) {
            throw new IllegalArgumentException(String.format("bad VMA range %x-%x", start, end));
        }
        VmArea overlap = findVmaIntersection(start, end);
        if (overlap != null) {
            throw new IllegalArgumentException(String.format("VMA %x-%x overlaps %s", start, end, overlap));
        }
        VmArea vma = new VmArea(this, start, end, flags, pgoff, file, name == null ? "" : name);
        vmas.put(start, vma);
        if (file != null) {
            memMap.registerAddressSpace(file);
            file.link(vma);
        }
        return vma;
    }

    /**
     * Sets the gate VMA ({@code get_gate_vma()}: x86-64's {@code [vsyscall]} page above
     * {@code TASK_SIZE}). maps and smaps list it last, but it is not in the VMA tree, so page
     * walks over the mm never meet it.
     */
    public VmArea setGateVma(long start, long end, long flags, String name) {
        gateVma = new VmArea(this, start, end, flags, 0, null, name);
        return gateVma;
    }

    /** The gate VMA, or null (none imported, or a synthetic mm). */
    public VmArea gateVma() {
        return gateVma;
    }

    /** Removes a VMA from the tree (its page tables are the caller's business). */
    public void removeVma(VmArea vma) {
        vmas.remove(vma.start());
        if (vma.file() != null) {
            vma.file().unlink(vma);
        }
    }

    /** Changes a VMA's bounds (split or shrink), keeping the tree keyed by start. */
    public void resizeVma(VmArea vma, long start, long end, long pgoff) {
        vmas.remove(vma.start());
        vma.setBounds(start, end, pgoff);
        vmas.put(start, vma);
    }

    /** {@code find_vma()}: the first VMA with {@code vm_end > addr}, or null. */
    public VmArea findVma(long addr) {
        Map.Entry<Long, VmArea> e = vmas.floorEntry(addr);
        if (e != null && Long.compareUnsigned(e.getValue().end(), addr) > 0) {
            return e.getValue();
        }
        Map.Entry<Long, VmArea> next = vmas.higherEntry(addr);
        return next == null ? null : next.getValue();
    }

    /** {@code vma_lookup()}: the VMA containing {@code addr}, or null. */
    public VmArea vmaLookup(long addr) {
        VmArea vma = findVma(addr);
        return vma != null && vma.contains(addr) ? vma : null;
    }

    /** {@code find_vma_intersection()}: the first VMA intersecting {@code [start, end)}. */
    public VmArea findVmaIntersection(long start, long end) {
        VmArea vma = findVma(start);
        return vma != null && Long.compareUnsigned(vma.start(), end) < 0 ? vma : null;
    }

    /** All VMAs in address order (a snapshot of the tree). */
    public List<VmArea> vmas() {
        return Collections.unmodifiableList(new ArrayList<>(vmas.values()));
    }

    public int mapCount() {
        return vmas.size();
    }

    /** Allocates a page-table page at {@code level}, or null when allocation fails (-ENOMEM paths). */
    public PageTable allocTable(int level) {
        long pfn = memMap.allocTablePfn();
        return pfn < 0 ? null : new PageTable(level, pfn);
    }
}
