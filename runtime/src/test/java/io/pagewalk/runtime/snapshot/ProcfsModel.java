package io.pagewalk.runtime.snapshot;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmOrigin;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.procfs.KpageReader;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.procfs.ProcMaps;
import io.pagewalk.runtime.procfs.ProcVma;
import io.pagewalk.runtime.procfs.ProcessControl;
import io.pagewalk.runtime.procfs.ProcfsException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * A rough model of a real process from the procfs readers, for snapshot tests until the live
 * importer lands: VMAs from smaps, PTEs from pagemap (a fully present, PFN-contiguous, THP-headed
 * 2 MiB block becomes a PMD leaf), page flags and counts from kpageflags/kpagecount, page cache
 * from the file pages. Not a faithful import (protection bits and folio shapes are guessed); its
 * point is real PFN layouts and real VMA lists.
 */
final class ProcfsModel {
    private ProcfsModel() {}

    static MmStruct importProcess(int pid) throws ProcfsException {
        MmStruct mm = new MmStruct(PagingGeometry.X86_64_4LEVEL, new MemMap());
        MemMap mem = mm.memMap();
        mm.setOrigin(new MmOrigin("live", pid, ProcessControl.comm(pid), ProcessControl.kernelRelease(),
                System.currentTimeMillis()));
        mm.unknownFacts().add("pte-protection-bits");
        Map<String, AddressSpace> files = new HashMap<>();
        TreeSet<Long> pfns = new TreeSet<>();
        Map<Long, Long> thpHeads = new HashMap<>(); // head PFN -> address
        try (PagemapReader pagemap = PagemapReader.open(pid)) {
            for (ProcVma v : ProcMaps.readSmaps(pid)) {
                if (Long.compareUnsigned(v.end(), mm.taskSize()) > 0) {
                    continue; // [vsyscall]
                }
                AddressSpace file = null;
                if (v.map().inode() != 0) {
                    String key = v.map().devMajor() + ":" + v.map().devMinor() + ":" + v.map().inode() + ":" + v.name();
                    file = files.computeIfAbsent(key, k -> new AddressSpace(v.name(),
                            AddressSpace.mkdev(v.map().devMajor(), v.map().devMinor()), v.map().inode(),
                            v.name().startsWith("/dev/zero") || v.name().startsWith("/memfd:")));
                }
                long pgoff = file == null ? v.start() >>> 12 : v.map().pgoff() >>> 12;
                VmArea vma = mm.insertVma(v.start(), v.end(), v.vmFlags(), pgoff, file, v.name());
                if (v.hugetlb()) {
                    vma.setPageShift(Long.numberOfTrailingZeros(v.kernelPageSize()));
                    continue;
                }
                long prot = Pgtable._PAGE_PRESENT | Pgtable._PAGE_USER | Pgtable._PAGE_ACCESSED
                        | (vma.test(VmFlags.VM_WRITE) ? Pgtable._PAGE_RW | Pgtable._PAGE_DIRTY : 0)
                        | (vma.test(VmFlags.VM_EXEC) ? 0 : Pgtable._PAGE_NX);
                long[] e = pagemap.read(v.start(), v.end());
                for (int i = 0; i < e.length; i++) {
                    long addr = v.start() + ((long) i << 12);
                    if (PagemapEntry.present(e[i]) && PagemapEntry.pfn(e[i]) != 0) {
                        long pfn = PagemapEntry.pfn(e[i]);
                        if ((addr & ~PagingGeometry.PMD_MASK) == 0 && i + 512 <= e.length && (pfn & 511) == 0
                                && contiguous(e, i, pfn)) {
                            thpHeads.put(pfn, addr);
                        }
                        pfns.add(pfn);
                        long pte = Pgtable.pfn_pte(pfn, prot)
                                | (PagemapEntry.softDirty(e[i]) ? Pgtable._PAGE_SOFT_DIRTY : 0);
                        PageTables.setPte(mm, addr, pte);
                        if (file != null && PagemapEntry.fileOrSharedAnon(e[i])) {
                            file.pageCache().put(pgoff + i, pfn);
                        }
                    } else if (PagemapEntry.swapped(e[i])) {
                        PageTables.setPte(mm, addr, Swapops.swp_entry_to_pte(Swapops.swp_entry(
                                PagemapEntry.swapType(e[i]), PagemapEntry.swapOffset(e[i]))));
                    } else if (PagemapEntry.guard(e[i])) {
                        PageTables.setPte(mm, addr, Swapops.make_pte_marker(Swapops.PTE_MARKER_GUARD));
                    }
                }
            }
        }
        long[] all = pfns.stream().mapToLong(Long::longValue).toArray();
        try (KpageReader kpage = KpageReader.open()) {
            KpageReader.Result r = kpage.read(all);
            for (int i = 0; i < r.pfns().length; i++) {
                mem.setPage(r.pfns()[i], r.flags()[i], (int) r.counts()[i], (int) Math.max(1, r.counts()[i]));
                mem.setFlags(r.pfns()[i], r.flags()[i]); // with the compound bits setPage leaves out
            }
            for (Map.Entry<Long, Long> t : thpHeads.entrySet()) {
                long head = t.getKey();
                if ((mem.flags(head) & (PageFlags.THP | PageFlags.COMPOUND_HEAD)) == (PageFlags.THP | PageFlags.COMPOUND_HEAD)) {
                    int mapcount = mem.mapcount(head);
                    mem.setFolio(head, 9, mem.flags(head), mapcount, Math.max(1, mapcount));
                    mem.addEntireMapcount(head, 1);
                    VmArea vma = mm.vmaLookup(t.getValue());
                    long pmd = Pgtable.pfn_pmd(head, PageTables.get(mm, t.getValue(), PagingGeometry.PTE)
                            & ~Pgtable.PTE_PFN_MASK);
                    // Drop the PTE table the loop made, then put the leaf where it was.
                    PageTables.entry(mm, t.getValue(), PagingGeometry.PMD, false).set(0);
                    PageTables.set(mm, t.getValue(), PagingGeometry.PMD, pmd);
                    if (vma.file() != null) {
                        mem.setMapping(head, vma.file(), vma.linearPageIndex(t.getValue()));
                    }
                }
            }
        }
        for (AddressSpace f : files.values()) {
            for (Map.Entry<Long, Long> c : f.pageCache().entrySet()) {
                if (mem.pfnValid(c.getValue()) && mem.folioHead(c.getValue()) == c.getValue()) {
                    mem.setMapping(c.getValue(), f, c.getKey());
                }
            }
        }
        return mm;
    }

    private static boolean contiguous(long[] e, int from, long pfn) {
        for (int k = 0; k < 512; k++) {
            if (!PagemapEntry.present(e[from + k]) || PagemapEntry.pfn(e[from + k]) != pfn + k) {
                return false;
            }
        }
        return true;
    }
}
