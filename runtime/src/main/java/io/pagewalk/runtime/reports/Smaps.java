package io.pagewalk.runtime.reports;

import static io.pagewalk.runtime.pgtable.PagingGeometry.PAGE_SIZE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD_SIZE;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.Memory;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.MmapLock;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.thp.ThpPolicy;
import io.pagewalk.runtime.walk.MmWalk;
import io.pagewalk.runtime.walk.MmWalkOps;
import io.pagewalk.runtime.walk.PageWalk;
import io.pagewalk.runtime.walk.PageWalkAction;
import java.util.List;

/**
 * {@code /proc/PID/smaps} and {@code smaps_rollup} computed from the model with plain Java hooks,
 * the way {@code fs/proc/task_mmu.c} computes them ({@code smaps_pte_entry}, {@code
 * smaps_pmd_entry}, {@code smaps_account}, {@code smaps_page_accumulate}, {@code
 * smaps_hugetlb_range}). It is the reference the JavaScript smaps plugins are checked against and
 * the plain-Java baseline of the benchmarks.
 *
 * <p>What the model cannot know is not invented: the swap count behind SwapPss is not exported
 * (SwapPss counts every swap entry as unshared), the PTE young bit is what the source gave, and
 * a THPeligible the policy cannot decide prints as {@code ?}.
 */
public final class Smaps {
    private Smaps() {}

    /** Pss and friends are summed in this fixed point and truncated only when printed. */
    static final int PSS_SHIFT = 12;

    /** {@code struct mem_size_stats}. Byte counts; the {@code pss*} fields are fixed point. */
    public static final class MemSizeStats {
        public long resident, sharedClean, sharedDirty, privateClean, privateDirty, referenced;
        public long anonymous, lazyfree, anonymousThp, shmemThp, fileThp, swap, ksm;
        public long sharedHugetlb, privateHugetlb;
        public long pss, pssAnon, pssFile, pssShmem, pssDirty, pssLocked, swapPss;
    }

    /** The ops smaps walks with: PMD leaves in pmd_entry, PTEs in pte_entry, hugetlb pages. */
    public static final MmWalkOps OPS = MmWalkOps.builder()
            .pmdEntry(Smaps::pmdEntry)
            .pteEntry((pte, addr, next, walk) -> {
                pteEntry(pte.get(), addr, walk);
                return 0;
            })
            .hugetlbEntry((pte, hmask, addr, next, walk) -> {
                hugetlbEntry(pte.get(), walk);
                return 0;
            })
            .build();

    /** The stats of one VMA ({@code smap_gather_stats()}); the caller holds the mmap lock. */
    public static MemSizeStats gather(VmArea vma) {
        MemSizeStats mss = new MemSizeStats();
        int err = PageWalk.walkPageVma(vma, OPS, mss);
        if (err != 0) {
            throw new IllegalStateException("smaps walk of " + vma + " failed: " + err);
        }
        return mss;
    }

    private static int pmdEntry(io.pagewalk.runtime.pgtable.EntryPointer pmdp, long addr, long next, MmWalk walk) {
        long pmd = pmdp.get();
        if (!Pgtable.pmd_trans_huge(pmd) && !Swapops.is_pmd_migration_entry(pmd)) {
            return 0; // a page table: its PTEs come to pteEntry
        }
        walk.setAction(PageWalkAction.ACTION_CONTINUE);
        MemSizeStats mss = (MemSizeStats) walk.privateData();
        VmArea vma = walk.vma();
        boolean present = Pgtable.pmd_present(pmd);
        long pfn;
        if (present) {
            pfn = Memory.vm_normal_page_pmd(vma, addr, pmd);
        } else {
            pfn = Swapops.swp_offset_pfn(Swapops.pmd_to_swp_entry(pmd));
        }
        MemMap mem = vma.mm().memMap();
        if (pfn < 0 || !mem.pfnValid(pfn)) {
            return 0; // the huge zero page, or a PFN the model has no page for
        }
        if (mem.test(pfn, PageFlags.ANON)) {
            mss.anonymousThp += PMD_SIZE;
        } else if (mem.test(pfn, PageFlags.SWAPBACKED)) {
            mss.shmemThp += PMD_SIZE;
        } else {
            mss.fileThp += PMD_SIZE;
        }
        account(mss, mem, mem.folioHead(pfn), true, Pgtable.pmd_young(pmd), Pgtable.pmd_dirty(pmd),
                vma.test(VmFlags.VM_LOCKED), present);
        return 0;
    }

    private static void pteEntry(long pte, long addr, MmWalk walk) {
        MemSizeStats mss = (MemSizeStats) walk.privateData();
        VmArea vma = walk.vma();
        long pfn = -1;
        boolean present = false;
        boolean young = false;
        boolean dirty = false;
        if (Pgtable.pte_present(pte)) {
            pfn = Memory.vm_normal_page(vma, addr, pte);
            young = Pgtable.pte_young(pte);
            dirty = Pgtable.pte_dirty(pte);
            present = true;
        } else if (Pgtable.is_swap_pte(pte)) {
            long entry = Swapops.pte_to_swp_entry(pte);
            if (!Swapops.non_swap_entry(entry)) {
                // swp_swapcount() is not exported: every swap entry counts as unshared.
                mss.swap += PAGE_SIZE;
                mss.swapPss += PAGE_SIZE << PSS_SHIFT;
            } else if (Swapops.is_pfn_swap_entry(entry)) {
                present = Swapops.is_device_private_entry(entry);
                pfn = Swapops.swp_offset_pfn(entry);
            }
        }
        MemMap mem = vma.mm().memMap();
        if (pfn < 0 || !mem.pfnValid(pfn)) {
            return;
        }
        account(mss, mem, pfn, false, young, dirty, vma.test(VmFlags.VM_LOCKED), present);
    }

    private static void hugetlbEntry(long pte, MmWalk walk) {
        MemSizeStats mss = (MemSizeStats) walk.privateData();
        VmArea vma = walk.vma();
        MemMap mem = vma.mm().memMap();
        long pfn = -1;
        boolean present = false;
        if (Pgtable.pte_present(pte)) {
            pfn = Pgtable.pte_pfn(pte);
            present = true;
        } else if (Pgtable.is_swap_pte(pte)) {
            long entry = Swapops.pte_to_swp_entry(pte);
            if (Swapops.is_pfn_swap_entry(entry)) {
                pfn = Swapops.swp_offset_pfn(entry);
            }
        }
        if (pfn < 0) {
            return;
        }
        if (!present || mem.folioMaybeMappedShared(mem.folioHead(pfn))) {
            mss.sharedHugetlb += vma.pageSize();
        } else {
            mss.privateHugetlb += vma.pageSize();
        }
    }

    /**
     * {@code smaps_account()}. The kernel's {@code folio_ref_count() == 1} shortcut is left out:
     * the model's refcount is not what userspace sees, and for a present page mapped once the
     * per-page loop gives the same numbers.
     */
    static void account(MemSizeStats mss, MemMap mem, long pfn, boolean compound, boolean young, boolean dirty,
                        boolean locked, boolean present) {
        long head = mem.folioHead(pfn);
        long nr = compound ? mem.folioNrPages(head) : 1;
        long size = nr * PAGE_SIZE;
        long flags = mem.flags(head);
        boolean anon = (flags & PageFlags.ANON) != 0;
        boolean folioDirty = (flags & PageFlags.DIRTY) != 0;
        if (anon) {
            mss.anonymous += size;
            if ((flags & PageFlags.SWAPBACKED) == 0 && !dirty && !folioDirty) {
                mss.lazyfree += size;
            }
        }
        if ((flags & PageFlags.KSM) != 0) {
            mss.ksm += size;
        }
        mss.resident += size;
        if (young || (flags & PageFlags.REFERENCED) != 0) {
            mss.referenced += size;
        }
        if (!present) {
            // Non-present entries (migration) are "maybe shared, but not sure how often".
            accumulate(mss, flags, size, size << PSS_SHIFT, dirty || folioDirty, locked, false);
            return;
        }
        for (long i = 0; i < nr; i++) {
            int mapcount = mem.mapcount(pfn + i);
            long pss = PAGE_SIZE << PSS_SHIFT;
            if (mapcount >= 2) {
                pss /= mapcount;
            }
            accumulate(mss, flags, PAGE_SIZE, pss, dirty || folioDirty, locked, mapcount < 2);
        }
    }

    /** {@code smaps_page_accumulate()}. */
    private static void accumulate(MemSizeStats mss, long folioFlags, long size, long pss, boolean dirty,
                                   boolean locked, boolean exclusive) {
        mss.pss += pss;
        if ((folioFlags & PageFlags.ANON) != 0) {
            mss.pssAnon += pss;
        } else if ((folioFlags & PageFlags.SWAPBACKED) != 0) {
            mss.pssShmem += pss;
        } else {
            mss.pssFile += pss;
        }
        if (locked) {
            mss.pssLocked += pss;
        }
        if (dirty) {
            mss.pssDirty += pss;
            if (exclusive) {
                mss.privateDirty += size;
            } else {
                mss.sharedDirty += size;
            }
        } else if (exclusive) {
            mss.privateClean += size;
        } else {
            mss.sharedClean += size;
        }
    }

    /** The whole of /proc/PID/smaps for the model, byte for byte in the kernel's format. */
    public static String smaps(MmStruct mm) {
        try (MmapLock.Held lock = mm.mmapLock().read()) {
            return smapsLocked(mm);
        }
    }

    private static String smapsLocked(MmStruct mm) {
        StringBuilder out = new StringBuilder();
        List<VmArea> vmas = new java.util.ArrayList<>(mm.vmas());
        if (mm.gateVma() != null) {
            vmas.add(mm.gateVma()); // show_smap() lists the gate VMA after the tree
        }
        for (VmArea vma : vmas) {
            MemSizeStats mss = gather(vma);
            mapsLine(out, vma.start(), vma.end(), vma.flags(), vma.file() == null ? 0 : vma.pgoff() << 12,
                    vma.file(), vma.name());
            kb(out, "Size:           ", vma.end() - vma.start());
            kb(out, "KernelPageSize: ", vma.pageSize());
            kb(out, "MMUPageSize:    ", vma.pageSize());
            fields(out, mss, false);
            out.append("THPeligible:    ").append(pad(thpEligible(mm, vma), 8)).append('\n');
            out.append("VmFlags: ").append(VmFlags.toSmapsString(vma.flags())).append('\n');
        }
        return out.toString();
    }

    /** /proc/PID/smaps_rollup for the model. */
    public static String smapsRollup(MmStruct mm) {
        List<VmArea> vmas = mm.vmas();
        MemSizeStats total = new MemSizeStats();
        try (MmapLock.Held lock = mm.mmapLock().read()) {
            for (VmArea vma : vmas) {
                int err = PageWalk.walkPageVma(vma, OPS, total);
                if (err != 0) {
                    throw new IllegalStateException("smaps_rollup walk of " + vma + " failed: " + err);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        long start = vmas.isEmpty() ? 0 : vmas.getFirst().start();
        long end = vmas.isEmpty() ? 0 : vmas.getLast().end();
        mapsLine(out, start, end, 0, 0, null, "[rollup]");
        fields(out, total, true);
        return out.toString();
    }

    private static String thpEligible(MmStruct mm, VmArea vma) {
        if (mm.thpSettings() == null) {
            return "?";
        }
        int e = ThpPolicy.smapsEligible(vma, mm.thpSettings(), mm.thpDisabled());
        return e == ThpPolicy.UNKNOWN ? "?" : Integer.toString(e);
    }

    /** {@code __show_smap()}. */
    private static void fields(StringBuilder out, MemSizeStats m, boolean rollup) {
        kb(out, "Rss:            ", m.resident);
        kb(out, "Pss:            ", m.pss >>> PSS_SHIFT);
        kb(out, "Pss_Dirty:      ", m.pssDirty >>> PSS_SHIFT);
        if (rollup) {
            kb(out, "Pss_Anon:       ", m.pssAnon >>> PSS_SHIFT);
            kb(out, "Pss_File:       ", m.pssFile >>> PSS_SHIFT);
            kb(out, "Pss_Shmem:      ", m.pssShmem >>> PSS_SHIFT);
        }
        kb(out, "Shared_Clean:   ", m.sharedClean);
        kb(out, "Shared_Dirty:   ", m.sharedDirty);
        kb(out, "Private_Clean:  ", m.privateClean);
        kb(out, "Private_Dirty:  ", m.privateDirty);
        kb(out, "Referenced:     ", m.referenced);
        kb(out, "Anonymous:      ", m.anonymous);
        kb(out, "KSM:            ", m.ksm);
        kb(out, "LazyFree:       ", m.lazyfree);
        kb(out, "AnonHugePages:  ", m.anonymousThp);
        kb(out, "ShmemPmdMapped: ", m.shmemThp);
        kb(out, "FilePmdMapped:  ", m.fileThp);
        kb(out, "Shared_Hugetlb: ", m.sharedHugetlb);
        out.append("Private_Hugetlb: ").append(pad(Long.toString(m.privateHugetlb >>> 10), 7)).append(" kB\n");
        kb(out, "Swap:           ", m.swap);
        kb(out, "SwapPss:        ", m.swapPss >>> PSS_SHIFT);
        kb(out, "Locked:         ", m.pssLocked >>> PSS_SHIFT);
    }

    private static void kb(StringBuilder out, String label, long bytes) {
        out.append(label).append(pad(Long.toString(bytes >>> 10), 8)).append(" kB\n");
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    /**
     * {@code show_map_vma()}: the maps line. The name column starts after padding the prefix to
     * 72 characters and one space; a VMA without a name ends in the prefix's own space.
     */
    static void mapsLine(StringBuilder out, long start, long end, long flags, long offset, AddressSpace file,
                         String name) {
        int lineStart = out.length();
        out.append(hex(start, 8)).append('-').append(hex(end, 8)).append(' ')
                .append(VmFlags.permissions(flags)).append(' ').append(hex(offset, 8)).append(' ');
        long dev = file == null ? 0 : file.device();
        out.append(hex(AddressSpace.major(dev), 2)).append(':').append(hex(AddressSpace.minor(dev), 2))
                .append(' ').append(file == null ? 0 : file.inode()).append(' ');
        if (name != null && !name.isEmpty()) {
            int used = out.length() - lineStart;
            if (used < 72) {
                out.append(" ".repeat(72 - used));
            }
            out.append(' ').append(name);
        }
        out.append('\n');
    }

    private static String hex(long v, int width) {
        String s = Long.toHexString(v);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
