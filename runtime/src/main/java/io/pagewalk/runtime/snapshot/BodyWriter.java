package io.pagewalk.runtime.snapshot;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.PageTable;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model as the snapshot body (before compression), in this order: memmap scalars, files'
 * identities, the memmap's section list, VMAs, each file's {@code i_mmap} order, the page-table
 * tree depth first, the memmap's used slots and columns, and page caches (as differences from
 * what the memmap implies). {@link BodyReader} reads it back.
 */
final class BodyWriter {
    static final int SECTION_SHIFT = Integer.numberOfTrailingZeros(MemMap.RAW_SECTION_PAGES);

    private final MmStruct mm;
    private final BodyOutput out;
    private final Map<Integer, Integer> fileIndexById = new HashMap<>();
    private final Map<VmArea, Integer> vmaIndex = new IdentityHashMap<>();
    private long pageTables;
    private long presentPages;
    private long previousTablePfn;
    private MappedPfns mapped;
    private long previousAttributes;
    private long previousPfn;

    private BodyWriter(MmStruct mm, BodyOutput out) {
        this.mm = mm;
        this.out = out;
    }

    static Contents write(MmStruct mm, BodyOutput out) throws IOException {
        return new BodyWriter(mm, out).write();
    }

    private Contents write() throws IOException {
        MemMap memMap = mm.memMap();
        out.writeSigned(memMap.zeroPfn());
        out.writeSigned(memMap.hugeZeroPfn());
        out.writeSigned(memMap.nextTablePfn());
        out.writeSigned(memMap.tableAllocationsLeft());
        out.writeSigned(mm.pgd().pfn());

        List<AddressSpace> files = memMap.addressSpaces();
        out.writeUnsigned(files.size());
        for (AddressSpace f : files) {
            fileIndexById.put(f.id(), fileIndexById.size());
            writeFile(f);
        }

        List<MemMap.RawSection> sections = memMap.rawSections();
        out.writeUnsigned(sections.size());
        long previousNumber = -1;
        for (MemMap.RawSection s : sections) {
            out.writeUnsigned(s.number() - previousNumber - 1);
            previousNumber = s.number();
            out.writeByte((s.entireMapcount() != null ? 1 : 0) | (s.mapping() != null ? 2 : 0)
                    | (s.index() != null ? 4 : 0));
        }
        mapped = new MappedPfns(sections.stream().map(MemMap.RawSection::number).toList());

        List<VmArea> vmas = mm.vmas();
        out.writeUnsigned(vmas.size());
        long previousEnd = 0;
        for (VmArea vma : vmas) {
            vmaIndex.put(vma, vmaIndex.size());
            out.writeUnsigned(vma.start() - previousEnd);
            out.writeUnsigned((vma.end() - vma.start()) >>> PagingGeometry.PAGE_SHIFT);
            out.writeUnsigned(vma.flags());
            out.writeSigned(vma.pgoff() - (vma.start() >>> PagingGeometry.PAGE_SHIFT));
            out.writeUnsigned(vma.file() == null ? 0 : fileIndex(vma.file().id()) + 1);
            out.writeString(vma.name());
            out.writeUnsigned(vma.pageShift());
            previousEnd = vma.end();
        }

        // The gate VMA ([vsyscall]) lives beside the tree, above TASK_SIZE.
        VmArea gate = mm.gateVma();
        out.writeByte(gate == null ? 0 : 1);
        if (gate != null) {
            out.writeUnsigned(gate.start());
            out.writeUnsigned((gate.end() - gate.start()) >>> PagingGeometry.PAGE_SHIFT);
            out.writeUnsigned(gate.flags());
            out.writeString(gate.name());
            out.writeUnsigned(gate.pageShift());
        }

        // i_mmap order: the walk of a mapping visits VMAs in it, and it is not always re-sorted.
        for (AddressSpace f : files) {
            List<VmArea> ours = f.iMmap().stream().filter(v -> v.mm() == mm).toList();
            out.writeUnsigned(ours.size());
            for (VmArea v : ours) {
                Integer i = vmaIndex.get(v);
                if (i == null) {
                    throw new IOException("model inconsistent: i_mmap of " + f.path() + " holds a VMA " + v
                            + " that is not in the mm");
                }
                out.writeUnsigned(i);
            }
        }

        writeTable(mm.pgd());
        writeMemMap(sections);
        writePageCaches(files, sections);
        return new Contents(files.size(), vmas.size(), pageTables, sections.size(), presentPages);
    }

    private int fileIndex(int id) throws IOException {
        Integer i = fileIndexById.get(id);
        if (i == null) {
            throw new IOException("model inconsistent: file id " + id + " is not registered in the memmap");
        }
        return i;
    }

    private void writeFile(AddressSpace f) throws IOException {
        out.writeString(f.path());
        out.writeUnsigned(f.device());
        out.writeUnsigned(f.inode());
        out.writeByte(f.isShmem() ? 1 : 0);
    }

    /**
     * Page caches, as differences from what the memmap already says: a folio head whose mapping
     * is the file and whose index is i stands for the page-cache entry (i, pfn); only entries
     * that differ from that are written (indices to drop, then entries to add).
     */
    private void writePageCaches(List<AddressSpace> files, List<MemMap.RawSection> sections) throws IOException {
        List<java.util.TreeMap<Long, Long>> derived = derivedPageCaches(files, sections, fileIndexById);
        for (int i = 0; i < files.size(); i++) {
            java.util.NavigableMap<Long, Long> actual = files.get(i).pageCache();
            java.util.TreeMap<Long, Long> d = derived.get(i);
            List<Long> drop = new ArrayList<>();
            for (Map.Entry<Long, Long> e : d.entrySet()) {
                if (!e.getValue().equals(actual.get(e.getKey()))) {
                    drop.add(e.getKey());
                }
            }
            List<Map.Entry<Long, Long>> add = new ArrayList<>();
            for (Map.Entry<Long, Long> e : actual.entrySet()) {
                if (!e.getValue().equals(d.get(e.getKey()))) {
                    add.add(e);
                }
            }
            out.writeUnsigned(drop.size());
            long previousIndex = -1;
            for (long index : drop) {
                out.writeUnsigned(index - previousIndex - 1);
                previousIndex = index;
            }
            out.writeUnsigned(add.size());
            previousIndex = -1;
            long previousPfn = -1;
            for (Map.Entry<Long, Long> e : add) {
                out.writeUnsigned(e.getKey() - previousIndex - 1);
                out.writeSigned(e.getValue() - previousPfn - 1);
                previousIndex = e.getKey();
                previousPfn = e.getValue();
            }
        }
    }

    /** The page caches the memmap implies, one per file, by file position ({@code fileIndexById}). */
    static List<java.util.TreeMap<Long, Long>> derivedPageCaches(List<AddressSpace> files,
            List<MemMap.RawSection> sections, Map<Integer, Integer> fileIndexById) {
        List<java.util.TreeMap<Long, Long>> derived = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            derived.add(new java.util.TreeMap<>());
        }
        for (MemMap.RawSection s : sections) {
            if (s.mapping() == null || s.index() == null) {
                continue;
            }
            long base = s.number() << SECTION_SHIFT;
            for (int slot = 0; slot < MemMap.RAW_SECTION_PAGES; slot++) {
                int id = s.mapping()[slot];
                Integer file = id == 0 ? null : fileIndexById.get(id);
                if (file != null && s.headOffset()[slot] == 0) {
                    derived.get(file).put(s.index()[slot], base + slot);
                }
            }
        }
        return derived;
    }

    private static boolean used(MemMap.RawSection s, int i) {
        return s.flags()[i] != 0 || s.mapcount()[i] != 0 || s.refcount()[i] != 0 || s.headOffset()[i] != 0
                || s.order()[i] != 0 || (s.entireMapcount() != null && s.entireMapcount()[i] != 0)
                || (s.mapping() != null && s.mapping()[i] != 0) || (s.index() != null && s.index()[i] != 0);
    }

    /**
     * The memmap's used slots (any column non-zero) and their columns. The slots come in two
     * lists: the mapped PFNs ({@link MappedPfns}, known to the reader from the page tables; only a
     * used/unused column is written for them), then every other used slot, section by section, as
     * ranges. Each column ({@link Runs}) then runs over both lists in that order. Flags are rotated
     * left by one so that the validity bit (63) becomes bit 0 and deltas stay short.
     */
    private void writeMemMap(List<MemMap.RawSection> sections) throws IOException {
        Map<Long, MemMap.RawSection> byNumber = new HashMap<>();
        for (MemMap.RawSection s : sections) {
            byNumber.put(s.number(), s);
        }
        int n = MemMap.RAW_SECTION_PAGES;
        long[] usedMapped = new long[mapped.size()];
        long[] slots = new long[16];
        int count = 0;
        for (int i = 0; i < mapped.size(); i++) {
            long pfn = mapped.pfn(i);
            if (used(byNumber.get(pfn >>> SECTION_SHIFT), (int) (pfn & (n - 1)))) {
                usedMapped[i] = 1;
                slots = grow(slots, count);
                slots[count++] = pfn;
            }
        }
        Runs.write(out, usedMapped, usedMapped.length, 0);
        for (MemMap.RawSection s : sections) {
            long base = s.number() << SECTION_SHIFT;
            int ranges = 0;
            int start = -1;
            int[] starts = new int[16];
            int[] lengths = new int[16];
            for (int i = 0; i <= n; i++) {
                boolean other = i < n && used(s, i) && !mapped.contains(base + i);
                if (other) {
                    slots = grow(slots, count);
                    slots[count++] = base + i;
                    if (start < 0) {
                        start = i;
                    }
                } else if (start >= 0) {
                    if (ranges == starts.length) {
                        starts = java.util.Arrays.copyOf(starts, ranges * 2);
                        lengths = java.util.Arrays.copyOf(lengths, ranges * 2);
                    }
                    starts[ranges] = start;
                    lengths[ranges++] = i - start;
                    start = -1;
                }
            }
            out.writeUnsigned(ranges);
            int previousEnd = 0;
            for (int r = 0; r < ranges; r++) {
                out.writeUnsigned(starts[r] - previousEnd);
                out.writeUnsigned(lengths[r] - 1);
                previousEnd = starts[r] + lengths[r];
            }
        }
        long[] column = new long[count];
        for (int c = 0; c < 8; c++) {
            for (int k = 0; k < count; k++) {
                MemMap.RawSection s = byNumber.get(slots[k] >>> SECTION_SHIFT);
                int i = (int) (slots[k] & (n - 1));
                column[k] = switch (c) {
                    case 0 -> Long.rotateLeft(s.flags()[i], 1);
                    case 1 -> s.mapcount()[i];
                    case 2 -> s.refcount()[i];
                    case 3 -> s.headOffset()[i];
                    case 4 -> s.order()[i];
                    case 5 -> s.entireMapcount() == null ? 0 : s.entireMapcount()[i];
                    case 6 -> s.mapping() == null || s.mapping()[i] == 0 ? 0 : fileIndex(s.mapping()[i]) + 1;
                    default -> s.index() == null ? 0 : s.index()[i];
                };
            }
            Runs.write(out, column, count, 0);
        }
    }

    private static long[] grow(long[] a, int size) {
        return size < a.length ? a : java.util.Arrays.copyOf(a, a.length * 2);
    }

    /** A table: level, PFN, entries as runs, the slots that hold lower tables, then those tables. */
    private void writeTable(PageTable t) throws IOException {
        pageTables++;
        out.writeByte(t.level());
        out.writeSigned(t.pfn() - previousTablePfn);
        previousTablePfn = t.pfn();
        long[] e = t.entries();
        // The used slots as ranges, then attribute bits and PFNs of the used slots as two
        // columns: a run of PTEs whose PFNs go up by one stays one run in the PFN column even when
        // their accessed/dirty bits differ or a hole lies between them.
        int used = 0;
        long[] attributes = new long[e.length];
        long[] pfns = new long[e.length];
        int ranges = 0;
        for (int i = 0; i < e.length; i++) {
            if (e[i] != 0) {
                if (i == 0 || e[i - 1] == 0) {
                    ranges++;
                }
                attributes[used] = e[i] & ~Pgtable.PTE_PFN_MASK;
                pfns[used] = (e[i] & Pgtable.PTE_PFN_MASK) >>> PagingGeometry.PAGE_SHIFT;
                used++;
            }
        }
        out.writeUnsigned(ranges);
        int previousEnd = 0;
        for (int i = 0; i < e.length; ) {
            if (e[i] == 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < e.length && e[i] != 0) {
                i++;
            }
            out.writeUnsigned(start - previousEnd);
            out.writeUnsigned(i - start - 1);
            previousEnd = i;
        }
        previousAttributes = Runs.write(out, attributes, used, previousAttributes);
        previousPfn = Runs.write(out, pfns, used, previousPfn);
        int children = 0;
        for (int i = 0; i < e.length; i++) {
            if (t.table(i) != null) {
                children++;
            } else {
                presentPages += presentLeafPages(t.level(), e[i]);
                mapped.addEntry(t.level(), e[i]);
            }
        }
        out.writeUnsigned(children);
        int previousSlot = -1;
        for (int i = 0; i < e.length; i++) {
            if (t.table(i) != null) {
                out.writeUnsigned(i - previousSlot - 1);
                previousSlot = i;
            }
        }
        for (int i = 0; i < e.length; i++) {
            PageTable child = t.table(i);
            if (child != null) {
                writeTable(child);
            }
        }
    }

    static long presentLeafPages(int level, long entry) {
        return switch (level) {
            case PagingGeometry.PTE -> Pgtable.pte_present(entry) ? 1 : 0;
            case PagingGeometry.PMD -> Pgtable.pmd_present(entry) && Pgtable.pmd_leaf(entry)
                    ? PagingGeometry.HPAGE_PMD_NR : 0;
            case PagingGeometry.PUD -> Pgtable.pud_present(entry) && Pgtable.pud_leaf(entry)
                    ? 1L << (PagingGeometry.PUD_SHIFT - PagingGeometry.PAGE_SHIFT) : 0;
            default -> 0;
        };
    }
}
