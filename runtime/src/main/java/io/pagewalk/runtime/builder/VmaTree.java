package io.pagewalk.runtime.builder;

import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import java.util.ArrayList;
import java.util.List;

/**
 * VMA-level changes of {@code mm/vma.c}: splitting at an address ({@code __split_vma}), merging with
 * compatible neighbours ({@code vma_merge_new_range}, {@code vma_modify}), changing the flags of a
 * sub-range, and unmapping a range with its page tables ({@code do_vmi_munmap}, {@code free_pgtables}).
 */
final class VmaTree {
    /** Flags a merge ignores: VM_SOFTDIRTY, and VM_MAYBE_GUARD, which is sticky (the merged VMA keeps it). */
    private static final long MERGE_IGNORED = VmFlags.VM_SOFTDIRTY | VmFlags.VM_MAYBE_GUARD;

    private final SyntheticProcess proc;
    private final MmStruct mm;

    VmaTree(SyntheticProcess proc) {
        this.proc = proc;
        this.mm = proc.mm();
    }

    /** The VMAs intersecting {@code [start, end)}, in address order. */
    List<VmArea> intersecting(long start, long end) {
        List<VmArea> out = new ArrayList<>();
        VmArea vma = mm.findVma(start);
        while (vma != null && Long.compareUnsigned(vma.start(), end) < 0) {
            out.add(vma);
            vma = mm.findVma(vma.end());
        }
        return out;
    }

    /** Whether a split of {@code vma} at {@code addr} is allowed (hugetlb VMAs split on huge-page boundaries). */
    static void checkSplit(VmArea vma, long addr) {
        if (vma.isHugetlb() && (addr & ~PagingGeometry.PMD_MASK) != 0) {
            throw new SyscallException(Errno.EINVAL, String.format(
                    "0x%x is not 2 MiB aligned inside hugetlb VMA %s", addr, vma));
        }
    }

    /**
     * Splits {@code vma} at {@code addr} ({@code vm_start < addr < vm_end}); {@code vma} keeps the
     * lower part and the new upper part is returned. A huge PMD across {@code addr} is split first.
     */
    VmArea split(VmArea vma, long addr) {
        checkSplit(vma, addr);
        Ptes.splitPmdAt(proc.machine(), vma, addr);
        long end = vma.end();
        long upperPgoff = vma.pgoff() + ((addr - vma.start()) >>> PagingGeometry.PAGE_SHIFT);
        mm.resizeVma(vma, vma.start(), addr, vma.pgoff());
        VmArea upper = mm.insertVma(addr, end, vma.flags(), upperPgoff, vma.file(), vma.name());
        upper.setPageShift(vma.pageShift());
        proc.copyAnonVma(vma, upper);
        return upper;
    }

    /** Gives {@code [start, end)} of {@code vma} the flags {@code newFlags}, splitting and merging as needed. */
    VmArea modify(VmArea vma, long start, long end, long newFlags) {
        if (newFlags == vma.flags()) {
            return vma;
        }
        if (Long.compareUnsigned(start, vma.start()) > 0) {
            vma = split(vma, start);
        }
        if (Long.compareUnsigned(end, vma.end()) < 0) {
            split(vma, end);
        }
        vma.setFlags(newFlags);
        return mergeAround(vma);
    }

    /** Merges {@code vma} with its previous and next neighbours where the kernel would. */
    VmArea mergeAround(VmArea vma) {
        VmArea prev = vma.start() == 0 ? null : mm.vmaLookup(vma.start() - 1);
        if (prev != null && mergeable(prev, vma)) {
            vma = merge(prev, vma);
        }
        VmArea next = mm.vmaLookup(vma.end());
        if (next != null && mergeable(vma, next)) {
            vma = merge(vma, next);
        }
        return vma;
    }

    /** {@code is_mergeable_vma} + {@code is_mergeable_anon_vma} + pgoff continuity, for adjacent a, b. */
    private boolean mergeable(VmArea a, VmArea b) {
        if (a.end() != b.start() || ((a.flags() ^ b.flags()) & ~MERGE_IGNORED) != 0
                || (a.flags() & VmFlags.VM_SPECIAL) != 0 || a.file() != b.file() || !a.name().equals(b.name())) {
            return false;
        }
        if (b.pgoff() != a.pgoff() + a.pages()) {
            return false;
        }
        Object av = proc.anonVma(a);
        Object bv = proc.anonVma(b);
        return av == null || bv == null || av == bv;
    }

    private VmArea merge(VmArea a, VmArea b) {
        long end = b.end();
        long sticky = b.flags() & VmFlags.VM_MAYBE_GUARD;
        if (proc.anonVma(a) == null) {
            proc.copyAnonVma(b, a);
        }
        proc.forgetAnonVma(b);
        mm.removeVma(b);
        mm.resizeVma(a, a.start(), end, a.pgoff());
        a.setFlags(a.flags() | sticky);
        return a;
    }

    /**
     * {@code do_vmi_munmap()}: removes every mapping in {@code [start, end)}, splitting VMAs that
     * cross the edges, zapping their entries (guard markers too) and freeing page tables that no
     * longer cover any VMA.
     */
    void unmap(long start, long end) {
        List<VmArea> hit = intersecting(start, end);
        if (hit.isEmpty()) {
            return;
        }
        checkSplit(hit.getFirst(), start);
        checkSplit(hit.getLast(), end);
        for (VmArea vma : hit) {
            if (Long.compareUnsigned(vma.start(), start) < 0) {
                vma = split(vma, start);
            }
            if (Long.compareUnsigned(vma.end(), end) > 0) {
                split(vma, end);
            }
            Zap.range(proc.machine(), vma, vma.start(), vma.end(), false);
            proc.forgetAnonVma(vma);
            mm.removeVma(vma);
            proc.machine().releaseIfUnmapped(vma.file());
        }
        freeTables(start, end);
    }

    /** {@code free_pgtables()}: drops the tables under {@code [start, end)} whose whole span maps no VMA. */
    void freeTables(long start, long end) {
        freeIn(mm.pgd(), PagingGeometry.PGD, start, end);
    }

    private void freeIn(PageTable table, int level, long start, long end) {
        PagingGeometry g = mm.geometry();
        long size = g.size(level);
        for (long a = start & g.mask(level); Long.compareUnsigned(a, end) < 0 && a >= 0; a += size) {
            int i = g.index(level, a);
            PageTable child = table.table(i);
            if (child == null) {
                continue;
            }
            int lower = level + 1;
            if (lower == PagingGeometry.P4D && g.isFolded(PagingGeometry.P4D)) {
                lower = PagingGeometry.PUD;
            }
            if (mm.findVmaIntersection(a, a + size) == null) {
                table.set(i, 0);
            } else if (lower < PagingGeometry.PTE) {
                freeIn(child, lower, Math.max(start, a), Math.min(end, a + size));
            }
            if (a + size == 0) {
                break;
            }
        }
    }
}
