package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.pgtable.PagingGeometry.P4D;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PAGE_SHIFT;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PGD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PTE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PUD;
import static io.pagewalk.runtime.pgtable.Pgtable.*;

import io.pagewalk.runtime.mm.Memory;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.EntryPointer;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Swapops;

/**
 * {@code struct folio_walk} with {@code folio_walk_start()}/{@code folio_walk_end()}: looks up the
 * folio mapped at one address and returns it with the page-table lock of its entry still held.
 */
public final class FolioWalk {
    /** Walk migration entries too (6.12 to 7.0). */
    public static final int FW_MIGRATION = 1;
    /** Return the shared zero pages (small and huge) too. */
    public static final int FW_ZEROPAGE = 2;

    /** {@code enum folio_walk_level}. */
    public enum Level {
        FW_LEVEL_PTE,
        FW_LEVEL_PMD,
        FW_LEVEL_PUD
    }

    /** The exact page mapped at the address, or -1 for zero pages and migration entries. */
    public long page = -1;
    public Level level;
    /** {@code fw->ptep}/{@code pmdp}/{@code pudp}. */
    public EntryPointer entry;
    /** {@code fw->pte}/{@code pmd}/{@code pud}: the entry's value when it was read under the lock. */
    public long value;
    VmArea vma;
    /** The table whose lock is held, until {@link #folioWalkEnd}. */
    PageTable ptl;

    /** The lock {@code folio_walk_start()} left held, or null. */
    public PageTable ptl() {
        return ptl;
    }

    /** A folio: the head PFN of a folio in {@code mm}'s {@link io.pagewalk.runtime.mm.MemMap}. */
    public record Folio(MmStruct mm, long pfn) {
        public int order() {
            return mm.memMap().folioOrder(pfn);
        }

        public long flags() {
            return mm.memMap().flags(pfn);
        }

        public int mapcount() {
            return mm.memMap().folioMapcount(pfn);
        }
    }

    /**
     * {@code folio_walk_start(fw, vma, addr, flags)}: the folio, with {@link #page}, {@link #level},
     * {@link #entry} and {@link #value} filled in and the lock held, or null (no lock held).
     * Swap entries, markers, device entries and none entries are never returned; migration entries
     * only with {@link #FW_MIGRATION} (and never at PUD level); zero pages only with
     * {@link #FW_ZEROPAGE}.
     */
    public static Folio folioWalkStart(FolioWalk fw, VmArea vma, long addr, int flags) {
        MmStruct mm = vma.mm();
        PagingGeometry g = mm.geometry();
        mm.mmapLock().assertLocked();
        vmaPgtableWalkBegin(vma);

        if (Long.compareUnsigned(addr, vma.start()) < 0 || Long.compareUnsigned(addr, vma.end()) >= 0) {
            // The kernel WARNs once here.
            return notFound(vma);
        }
        EntryPointer pgdp = new EntryPointer(mm.pgd(), g.index(PGD, addr));
        // pgd_none_or_clear_bad(), p4d_none_or_clear_bad(): a bad entry is cleared, then not found.
        if (!g.isFolded(P4D) && noneOrClearBad(pgdp)) {
            return notFound(vma);
        }
        EntryPointer p4dp = g.isFolded(P4D) ? pgdp : new EntryPointer(pgdp.lowerTable(), g.index(P4D, addr));
        if (noneOrClearBad(p4dp)) {
            return notFound(vma);
        }
        EntryPointer pudp = new EntryPointer(p4dp.lowerTable(), g.index(PUD, addr));
        long pud = pudp.get();
        long pfn;
        long entrySize;
        boolean exposePage = true;
        if (pud_none(pud)) {
            return notFound(vma);
        }
        if (!pud_present(pud) || pud_leaf(pud)) {
            PageTable ptl = lock(pudp);
            pud = pudp.get();
            entrySize = PagingGeometry.PUD_SIZE;
            fw.level = Level.FW_LEVEL_PUD;
            fw.entry = pudp;
            fw.value = pud;
            if (pud_present(pud) && pud_leaf(pud)) {
                pfn = Memory.vm_normal_page_pud(vma, addr, pud);
                if (pfn >= 0) {
                    return found(fw, vma, mm, ptl, pfn, addr, entrySize, true);
                }
            }
            // No FW_MIGRATION support for PUD migration entries (none have users).
            ptl.ptlUnlock();
            return notFound(vma);
        }

        EntryPointer pmdp = new EntryPointer(pudp.lowerTable(), g.index(PMD, addr));
        long pmd = pmdp.get();
        if (pmd_none(pmd)) {
            return notFound(vma);
        }
        if (!pmd_present(pmd) || pmd_leaf(pmd)) {
            PageTable ptl = lock(pmdp);
            pmd = pmdp.get();
            entrySize = PagingGeometry.PMD_SIZE;
            fw.level = Level.FW_LEVEL_PMD;
            fw.entry = pmdp;
            fw.value = pmd;
            if (pmd_present(pmd)) {
                pfn = Memory.vm_normal_page_pmd(vma, addr, pmd);
                if (pfn >= 0) {
                    return found(fw, vma, mm, ptl, pfn, addr, entrySize, true);
                }
                if ((flags & FW_ZEROPAGE) != 0 && Memory.is_huge_zero_pmd(mm.memMap(), pmd)) {
                    return found(fw, vma, mm, ptl, pmd_pfn(pmd), addr, entrySize, false);
                }
            } else if ((flags & FW_MIGRATION) != 0 && Swapops.is_pmd_migration_entry(pmd)) {
                pfn = Swapops.swp_offset_pfn(Swapops.pmd_to_swp_entry(pmd));
                return found(fw, vma, mm, ptl, pfn, addr, entrySize, false);
            }
            ptl.ptlUnlock();
            return notFound(vma);
        }

        PageTable pteTable = pmdp.lowerTable();
        if (pteTable == null) {
            return notFound(vma);
        }
        EntryPointer ptep = new EntryPointer(pteTable, g.index(PTE, addr));
        PageTable ptl = lock(ptep);
        long pte = ptep.get();
        entrySize = PagingGeometry.PAGE_SIZE;
        fw.level = Level.FW_LEVEL_PTE;
        fw.entry = ptep;
        fw.value = pte;
        if (pte_present(pte)) {
            pfn = Memory.vm_normal_page(vma, addr, pte);
            if (pfn >= 0) {
                return found(fw, vma, mm, ptl, pfn, addr, entrySize, true);
            }
            if ((flags & FW_ZEROPAGE) != 0 && mm.memMap().is_zero_pfn(pte_pfn(pte))) {
                return found(fw, vma, mm, ptl, pte_pfn(pte), addr, entrySize, false);
            }
        } else if (!pte_none(pte)) {
            long swp = Swapops.pte_to_swp_entry(pte);
            if ((flags & FW_MIGRATION) != 0 && Swapops.is_migration_entry(swp)) {
                return found(fw, vma, mm, ptl, Swapops.swp_offset_pfn(swp), addr, entrySize, false);
            }
        }
        ptl.ptlUnlock();
        return notFound(vma);
    }

    /** {@code folio_walk_end(fw, vma)}: drops the lock {@link #folioWalkStart} returned with. */
    public static void folioWalkEnd(FolioWalk fw, VmArea vma) {
        fw.ptl.ptlUnlock();
        fw.ptl = null;
        vmaPgtableWalkEnd(vma);
    }

    private static boolean noneOrClearBad(EntryPointer p) {
        long v = p.get();
        if (p4d_none(v)) {
            return true;
        }
        if (p4d_bad(v)) {
            p.set(0);
            return true;
        }
        return false;
    }

    private static PageTable lock(EntryPointer entry) {
        entry.table().ptlLock();
        return entry.table();
    }

    private static Folio found(FolioWalk fw, VmArea vma, MmStruct mm, PageTable ptl, long pfn, long addr,
            long entrySize, boolean exposePage) {
        // The page actually mapped at addr, not the folio head.
        fw.page = exposePage ? pfn + ((addr & (entrySize - 1)) >>> PAGE_SHIFT) : -1;
        fw.ptl = ptl;
        fw.vma = vma;
        return new Folio(mm, mm.memMap().folioHead(pfn));
    }

    private static Folio notFound(VmArea vma) {
        vmaPgtableWalkEnd(vma);
        return null;
    }

    private static void vmaPgtableWalkBegin(VmArea vma) {
        if (vma.isHugetlb()) {
            vma.hugetlbVmaLockRead();
        }
    }

    private static void vmaPgtableWalkEnd(VmArea vma) {
        if (vma.isHugetlb()) {
            vma.hugetlbVmaUnlockRead();
        }
    }
}
