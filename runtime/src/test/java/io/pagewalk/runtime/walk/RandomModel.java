package io.pagewalk.runtime.walk;

import static io.pagewalk.runtime.pgtable.PagingGeometry.PAGE_SIZE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PMD_SIZE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PTE;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PUD;
import static io.pagewalk.runtime.pgtable.PagingGeometry.PUD_SIZE;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A random address space for the differential walker test: a few VMAs with gaps (anonymous,
 * shared file, VM_PFNMAP, hugetlb with 2 MiB or 1 GiB pages, and big anonymous ones holding a PUD leaf) placed
 * near interesting boundaries (low memory, a PUD or PGD boundary, the top of user space), with
 * page tables filled per 2 MiB block: nothing, empty tables, a THP, a PMD migration entry, or PTEs
 * of every kind (present, swap, migration, guard and uffd-wp markers, explicit none).
 */
final class RandomModel {
    static final long RW_ANON = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE
            | VmFlags.VM_ACCOUNT;
    static final long PROT_RW = Pgtable._PAGE_PRESENT | Pgtable._PAGE_RW | Pgtable._PAGE_USER
            | Pgtable._PAGE_ACCESSED | Pgtable._PAGE_DIRTY | Pgtable._PAGE_NX;

    final MmStruct mm;
    final PagingGeometry geometry;
    final List<VmArea> vmas = new ArrayList<>();
    /** Present PMD leaves or PMD migration entries exist outside hugetlb VMAs. */
    boolean hasHugePmd;
    /** Present PUD leaves exist outside hugetlb VMAs. */
    boolean hasPudLeaf;
    private final SplittableRandom rnd;
    private long nextPfn = 0x200000;
    private final StringBuilder description = new StringBuilder();

    RandomModel(SplittableRandom rnd) {
        this.rnd = rnd;
        this.geometry = rnd.nextInt(10) < 7 ? PagingGeometry.X86_64_4LEVEL : PagingGeometry.X86_64_5LEVEL;
        this.mm = new MmStruct(geometry, new MemMap());
        build();
    }

    @Override
    public String toString() {
        return geometry + description.toString();
    }

    private long pages(long lo, long hi) {
        return (lo + rnd.nextLong(hi - lo + 1)) * PAGE_SIZE;
    }

    private static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }

    private void build() {
        long top = geometry.taskSize();
        long pgdSize = geometry.size(PagingGeometry.PGD);
        long base = switch (rnd.nextInt(4)) {
            case 0 -> 0x400000L + pages(0, 1024);
            case 1 -> PUD_SIZE * (1 + rnd.nextInt(64)) - pages(0, 2048);
            case 2 -> pgdSize * (1 + rnd.nextInt(8)) - pages(0, 2048);
            default -> top - 64 * PMD_SIZE - PUD_SIZE * rnd.nextInt(3);
        };
        int count = 1 + rnd.nextInt(6);
        long cur = base;
        for (int i = 0; i < count; i++) {
            cur += switch (rnd.nextInt(4)) {
                case 0 -> 0;
                case 1 -> pages(1, 16);
                default -> pages(1, 1024);
            };
            int kind = rnd.nextInt(100);
            long start;
            long end;
            long flags = RW_ANON;
            int pageShift = PagingGeometry.PAGE_SHIFT;
            if (kind < 10) {
                flags |= VmFlags.VM_PFNMAP | VmFlags.VM_IO;
                start = cur;
                end = start + pages(1, 600);
            } else if (kind < 20) {
                flags |= VmFlags.VM_HUGETLB;
                pageShift = PagingGeometry.PMD_SHIFT;
                start = alignUp(cur, PMD_SIZE);
                end = start + PMD_SIZE * (1 + rnd.nextInt(4));
            } else if (kind < 23) {
                flags |= VmFlags.VM_HUGETLB;
                pageShift = PagingGeometry.PUD_SHIFT;
                start = alignUp(cur, PUD_SIZE);
                end = start + PUD_SIZE * (1 + rnd.nextInt(2));
            } else if (kind < 38) {
                // A shared file (shmem) mapping: its THPs are zapped, not remapped, when split.
                flags |= VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
                start = rnd.nextBoolean() ? cur : alignUp(cur, PMD_SIZE);
                end = start + (rnd.nextBoolean() ? PMD_SIZE * (1 + rnd.nextInt(3)) : pages(1, 1024));
            } else if (kind < 43) {
                start = alignUp(cur + 8 * PAGE_SIZE, PUD_SIZE) - pages(0, 8);
                end = alignUp(start, PUD_SIZE) + PUD_SIZE + pages(0, 600);
            } else {
                start = cur;
                end = start + (rnd.nextBoolean() ? pages(1, 64) : pages(1, 2048));
            }
            if (Long.compareUnsigned(end, top) > 0) {
                break;
            }
            boolean shared = (flags & VmFlags.VM_SHARED) != 0;
            // File VMAs map random, possibly overlapping, parts of one file (walk_page_mapping).
            long pgoff = shared ? rnd.nextLong(2048) : start >>> 12;
            VmArea vma = mm.insertVma(start, end, flags, pgoff, shared ? file() : null, shared ? "/dev/shm/f" : "");
            vma.setPageShift(pageShift);
            vmas.add(vma);
            description.append(String.format(" [%x-%x%s]", start, end,
                    vma.isHugetlb() ? " hugetlb" + (1L << pageShift >> 20) + "M" : vma.test(VmFlags.VM_PFNMAP) ? " pfnmap"
                            : shared ? " file" : ""));
            populate(vma);
            cur = end;
        }
    }

    /** The file the shared VMAs map, or null when there are none. */
    AddressSpace file;

    private AddressSpace file() {
        if (file == null) {
            file = new AddressSpace("/dev/shm/f", 0x1a, 7, true);
        }
        return file;
    }

    private void populate(VmArea vma) {
        if (vma.isHugetlb()) {
            populateHugetlb(vma);
            return;
        }
        boolean pfnmap = vma.test(VmFlags.VM_PFNMAP);
        long from = vma.start();
        // A PUD leaf over the whole 1 GiB block inside the VMA, if it has one.
        long pudBlock = alignUp(vma.start(), PUD_SIZE);
        boolean pudLeaf = false;
        if (!pfnmap && pudBlock + PUD_SIZE <= vma.end() && Long.compareUnsigned(pudBlock + PUD_SIZE, pudBlock) > 0
                && rnd.nextInt(3) > 0) {
            PageTables.set(mm, pudBlock, PUD, Pgtable.pfn_pud(nextPfn, PROT_RW));
            nextPfn += PUD_SIZE / PAGE_SIZE;
            hasPudLeaf = true;
            pudLeaf = true;
        }
        double density = switch (rnd.nextInt(3)) {
            case 0 -> 0.05;
            case 1 -> 0.3;
            default -> 0.9;
        };
        int blocksLeft = 6;
        for (long blk = from & -PMD_SIZE; Long.compareUnsigned(blk, vma.end()) < 0 && blocksLeft > 0; blk += PMD_SIZE) {
            if (pudLeaf && Long.compareUnsigned(blk, pudBlock) >= 0 && Long.compareUnsigned(blk, pudBlock + PUD_SIZE) < 0) {
                continue;
            }
            long lo = Math.max(blk, vma.start());
            long hi = Long.compareUnsigned(blk + PMD_SIZE, vma.end()) < 0 ? blk + PMD_SIZE : vma.end();
            boolean whole = lo == blk && hi == blk + PMD_SIZE;
            // Big VMAs: fill a few blocks only, so that walks stay short.
            if (vma.end() - vma.start() > 8 * PMD_SIZE && rnd.nextInt(4) > 0) {
                continue;
            }
            blocksLeft--;
            if (existingLeaf(lo)) {
                continue;
            }
            int r = rnd.nextInt(100);
            if (r < 25) {
                continue; // nothing: holes
            } else if (r < 33) {
                PageTables.entry(mm, lo, PTE, true); // an empty PTE table
            } else if (r < 40) {
                PageTables.entry(mm, lo, PMD, true); // a PMD table, this entry none
            } else if (r < 52 && whole && !pfnmap && PageTables.entry(mm, lo, PMD, true).lowerTable() == null) {
                PageTables.set(mm, lo, PMD, Pgtable.pfn_pmd(nextPfn, PROT_RW));
                nextPfn += 512;
                hasHugePmd = true;
            } else if (r < 56 && whole && !pfnmap && PageTables.entry(mm, lo, PMD, true).lowerTable() == null) {
                long e = Swapops.make_migration_entry(Swapops.SWP_MIGRATION_READ + rnd.nextInt(3), nextPfn);
                nextPfn += 512;
                PageTables.set(mm, lo, PMD, Swapops.swp_entry_to_pmd(e));
                hasHugePmd = true;
            } else {
                fillPtes(lo, hi, density, pfnmap);
            }
        }
    }

    /** True when a leaf or non-table entry above the PTE level already covers {@code addr}. */
    private boolean existingLeaf(long addr) {
        long pud = PageTables.get(mm, addr, PUD);
        if (!Pgtable.pud_none(pud) && PageTables.entry(mm, addr, PUD, false).lowerTable() == null) {
            return true;
        }
        var pmd = PageTables.entry(mm, addr, PMD, false);
        return pmd != null && !Pgtable.pmd_none(pmd.get()) && pmd.lowerTable() == null;
    }

    private void fillPtes(long lo, long hi, double density, boolean pfnmap) {
        PageTables.entry(mm, lo, PTE, true);
        for (long a = lo; Long.compareUnsigned(a, hi) < 0; a += PAGE_SIZE) {
            if (rnd.nextDouble() >= density) {
                continue;
            }
            long pte;
            int k = rnd.nextInt(100);
            if (pfnmap) {
                pte = Pgtable.pfn_pte(0xfe000 + rnd.nextInt(4096), PROT_RW | Pgtable._PAGE_SPECIAL);
            } else if (k < 55) {
                pte = Pgtable.pfn_pte(nextPfn++, PROT_RW);
            } else if (k < 67) {
                pte = Swapops.swp_entry_to_pte(Swapops.swp_entry(rnd.nextInt(4), rnd.nextInt(1 << 20)));
            } else if (k < 77) {
                pte = Swapops.swp_entry_to_pte(Swapops.make_migration_entry(
                        Swapops.SWP_MIGRATION_READ + rnd.nextInt(3), nextPfn++));
            } else if (k < 86) {
                pte = Swapops.make_pte_marker(Swapops.PTE_MARKER_GUARD);
            } else if (k < 93) {
                pte = Swapops.make_pte_marker(Swapops.PTE_MARKER_UFFD_WP);
            } else {
                pte = 0;
            }
            PageTables.setPte(mm, a, pte);
        }
    }

    private void populateHugetlb(VmArea vma) {
        long sz = vma.pageSize();
        int level = sz == PUD_SIZE ? PUD : PMD;
        for (long a = vma.start(); Long.compareUnsigned(a, vma.end()) < 0; a += sz) {
            int r = rnd.nextInt(3);
            if (r == 0) {
                continue; // no table down to the huge level: a hole
            }
            var slot = PageTables.entry(mm, a, level, true);
            if (r == 2) {
                slot.set(level == PUD ? Pgtable.pfn_pud(nextPfn, PROT_RW) : Pgtable.pfn_pmd(nextPfn, PROT_RW));
                nextPfn += sz / PAGE_SIZE;
            }
        }
    }
}
