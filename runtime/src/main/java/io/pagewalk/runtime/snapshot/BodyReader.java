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
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Builds a model from a snapshot body written by {@link BodyWriter}, checking every count against
 * the header's {@link Contents} and every value against what the model accepts; anything off is a
 * {@link BodyInput.Malformed} naming the raw byte and the part.
 */
final class BodyReader {
    private final BodyInput in;
    private final PagingGeometry geometry;
    private final Contents declared;
    private final List<AddressSpace> files = new ArrayList<>();
    private final List<VmArea> vmas = new ArrayList<>();
    private long pageTables;
    private long presentPages;
    private long previousTablePfn;
    private final java.util.TreeMap<Long, MemMap.RawSection> sections = new java.util.TreeMap<>();
    private MappedPfns mapped;
    private long previousAttributes;
    private long previousPfn;

    private BodyReader(BodyInput in, PagingGeometry geometry, Contents declared) {
        this.in = in;
        this.geometry = geometry;
        this.declared = declared;
    }

    static MmStruct read(BodyInput in, PagingGeometry geometry, Contents declared)
            throws IOException, BodyInput.Malformed {
        return new BodyReader(in, geometry, declared).read();
    }

    private MmStruct read() throws IOException, BodyInput.Malformed {
        in.part("memmap scalars");
        MemMap memMap = new MemMap();
        long zeroPfn = in.readSigned();
        long hugeZeroPfn = in.readSigned();
        long nextTablePfn = in.readSigned();
        long tableAllocationsLeft = in.readSigned();
        long pgdPfn = in.readSigned();

        in.part("files");
        int nFiles = in.readCount("file", 4);
        expect("files", nFiles, declared.files());
        for (int i = 0; i < nFiles; i++) {
            files.add(readFile());
            memMap.registerAddressSpace(files.get(i));
        }

        in.part("memmap sections");
        int nSections = in.readCount("section", 3);
        expect("memmap sections", nSections, declared.memMapSections());
        long previousNumber = -1;
        for (int i = 0; i < nSections; i++) {
            long gap = in.readUnsigned();
            long number = previousNumber + 1 + gap;
            if (gap < 0 || Long.compareUnsigned(number, 1L << (64 - 15)) >= 0) {
                throw in.malformed("section number out of range");
            }
            int columns = in.readByte();
            if ((columns & ~7) != 0) {
                throw in.malformed("column set 0x" + Integer.toHexString(columns));
            }
            int n = MemMap.RAW_SECTION_PAGES;
            MemMap.RawSection section = new MemMap.RawSection(number, new long[n], new int[n], new int[n],
                    new int[n], new byte[n], (columns & 1) != 0 ? new int[n] : null,
                    (columns & 2) != 0 ? new int[n] : null, (columns & 4) != 0 ? new long[n] : null);
            // The columns are shared with the memmap: they are filled in place further down.
            memMap.restoreRawSection(section);
            sections.put(number, section);
            previousNumber = number;
        }
        mapped = new MappedPfns(sections.keySet());
        memMap.restoreSpecialPfns(zeroPfn, hugeZeroPfn);

        // The PGD is allocated by the constructor: let it get the recorded PFN, then put the
        // allocator back where the snapshot found it.
        memMap.restoreTableAllocator(pgdPfn, 1);
        MmStruct mm = new MmStruct(geometry, memMap);
        memMap.restoreTableAllocator(nextTablePfn, tableAllocationsLeft);

        in.part("vmas");
        int nVmas = in.readCount("VMA", 7);
        expect("vmas", nVmas, declared.vmas());
        long previousEnd = 0;
        for (int i = 0; i < nVmas; i++) {
            long start = previousEnd + in.readUnsigned();
            long pages = in.readUnsigned();
            long flags = in.readUnsigned();
            long pgoff = in.readSigned() + (start >>> PagingGeometry.PAGE_SHIFT);
            long file = in.readUnsigned();
            if (file < 0 || file > files.size()) {
                throw in.malformed("VMA " + i + " names file " + Long.toUnsignedString(file) + " of " + files.size());
            }
            String name = in.readString("VMA name");
            long pageShift = in.readUnsigned();
            if (pageShift < PagingGeometry.PAGE_SHIFT || pageShift > 62) {
                throw in.malformed("VMA " + i + " has page shift " + Long.toUnsignedString(pageShift));
            }
            if ((pages >>> (64 - PagingGeometry.PAGE_SHIFT)) != 0) {
                throw in.malformed("VMA " + i + " is " + Long.toUnsignedString(pages) + " pages long");
            }
            long end = start + (pages << PagingGeometry.PAGE_SHIFT);
            if (Long.compareUnsigned(start, previousEnd) < 0 || Long.compareUnsigned(end, start) <= 0) {
                throw in.malformed(String.format("VMA %d range %x-%x is empty or wraps", i, start, end));
            }
            VmArea vma;
            try {
                vma = mm.insertVma(start, end, flags, pgoff, file == 0 ? null : files.get((int) file - 1), name);
            } catch (IllegalArgumentException e) {
                throw in.malformed(e.getMessage());
            }
            vma.setPageShift((int) pageShift);
            vmas.add(vma);
            previousEnd = end;
        }

        in.part("gate VMA");
        if (in.readBoolean("gate VMA flag")) {
            long start = in.readUnsigned();
            long pages = in.readUnsigned();
            long flags = in.readUnsigned();
            String name = in.readString("gate VMA name");
            long pageShift = in.readUnsigned();
            if ((pages >>> (64 - PagingGeometry.PAGE_SHIFT)) != 0 || pageShift < PagingGeometry.PAGE_SHIFT
                    || pageShift > 62) {
                throw in.malformed("gate VMA of " + Long.toUnsignedString(pages) + " pages, page shift "
                        + Long.toUnsignedString(pageShift));
            }
            mm.setGateVma(start, start + (pages << PagingGeometry.PAGE_SHIFT), flags, name)
                    .setPageShift((int) pageShift);
        }

        in.part("i_mmap");
        for (AddressSpace f : files) {
            readIMmap(f);
        }

        in.part("page tables");
        int rootLevel = in.readByte();
        if (rootLevel != PagingGeometry.PGD) {
            throw in.malformed("the root table has level " + rootLevel + ", not the PGD's");
        }
        if (readTablePfn() != mm.pgd().pfn()) {
            throw in.malformed("the PGD's PFN differs from the one recorded before");
        }
        readTableBody(mm.pgd());
        expect("page tables", pageTables, declared.pageTables());
        in.part("memmap");
        readMemMap();
        in.part("page caches");
        readPageCaches(memMap);
        if (presentPages != declared.presentPages()) {
            throw in.malformed("maps " + presentPages + " present pages, the header says " + declared.presentPages());
        }
        return mm;
    }

    private void expect(String what, long count, long declaredCount) throws BodyInput.Malformed {
        if (count != declaredCount) {
            throw in.malformed("holds " + count + " " + what + ", the header says " + declaredCount);
        }
    }

    private AddressSpace readFile() throws IOException, BodyInput.Malformed {
        String path = in.readString("file path");
        long device = in.readUnsigned();
        long inode = in.readUnsigned();
        boolean shmem = in.readBoolean("shmem flag");
        return new AddressSpace(path, device, inode, shmem);
    }

    /** Page caches: what the memmap implies, less the dropped indices, plus the added entries. */
    private void readPageCaches(MemMap memMap) throws IOException, BodyInput.Malformed {
        java.util.Map<Integer, Integer> fileIndexById = new java.util.HashMap<>();
        for (int i = 0; i < files.size(); i++) {
            fileIndexById.put(files.get(i).id(), i);
        }
        List<java.util.TreeMap<Long, Long>> derived =
                BodyWriter.derivedPageCaches(files, memMap.rawSections(), fileIndexById);
        for (int i = 0; i < files.size(); i++) {
            AddressSpace f = files.get(i);
            f.pageCache().putAll(derived.get(i));
            int drops = in.readCount("page-cache drop", 1);
            long previousIndex = -1;
            for (int k = 0; k < drops; k++) {
                long index = previousIndex + 1 + in.readUnsigned();
                if (k > 0 && index <= previousIndex) {
                    throw in.malformed("page-cache drops of " + f.path() + " are not in ascending order");
                }
                f.pageCache().remove(index);
                previousIndex = index;
            }
            int adds = in.readCount("page-cache entry", 2);
            previousIndex = -1;
            long previousPfn = -1;
            for (int k = 0; k < adds; k++) {
                long index = previousIndex + 1 + in.readUnsigned();
                long pfn = previousPfn + 1 + in.readSigned();
                if (k > 0 && index <= previousIndex) {
                    throw in.malformed("page cache of " + f.path() + " is not in ascending index order");
                }
                f.pageCache().put(index, pfn);
                previousIndex = index;
                previousPfn = pfn;
            }
        }
    }

    /** The memmap's used slots and columns, as {@link BodyWriter} writes them. */
    private void readMemMap() throws IOException, BodyInput.Malformed {
        int n = MemMap.RAW_SECTION_PAGES;
        int shift = BodyWriter.SECTION_SHIFT;
        long[] usedMapped = new long[mapped.size()];
        Runs.read(in, usedMapped, usedMapped.length, 0);
        long[] slots = new long[16];
        int count = 0;
        for (int i = 0; i < usedMapped.length; i++) {
            if (usedMapped[i] != 0 && usedMapped[i] != 1) {
                throw in.malformed("used flag " + usedMapped[i]);
            }
            if (usedMapped[i] == 1) {
                if (count == slots.length) {
                    slots = java.util.Arrays.copyOf(slots, count * 2);
                }
                slots[count++] = mapped.pfn(i);
            }
        }
        for (MemMap.RawSection s : sections.values()) {
            long base = s.number() << shift;
            int ranges = in.readCount("used-slot range", 2);
            long previousEnd = 0;
            for (int r = 0; r < ranges; r++) {
                long start = previousEnd + in.readUnsigned();
                long length = in.readUnsigned() + 1;
                if (start < previousEnd || length <= 0 || start + length > n) {
                    throw in.malformed("used slots " + start + "+" + length + " outside the section");
                }
                for (long slot = start; slot < start + length; slot++) {
                    if (mapped.contains(base + slot)) {
                        throw in.malformed("slot " + slot + " of section " + s.number() + " listed twice");
                    }
                    if (count == slots.length) {
                        slots = java.util.Arrays.copyOf(slots, count * 2);
                    }
                    slots[count++] = base + slot;
                }
                previousEnd = start + length;
            }
        }
        long[] column = new long[count];
        String[] names = {"flags", "mapcount", "refcount", "head offset", "order", "entire mapcount", "mapping",
            "index"};
        for (int c = 0; c < names.length; c++) {
            Runs.read(in, column, count, 0);
            for (int k = 0; k < count; k++) {
                MemMap.RawSection s = sections.get(slots[k] >>> shift);
                int i = (int) (slots[k] & (n - 1));
                long v = column[k];
                if (c >= 1 && c != 7 && c != 4 && v != (int) v) {
                    throw in.malformed(names[c] + " " + v + " does not fit 32 bits");
                }
                switch (c) {
                    case 0 -> s.flags()[i] = Long.rotateRight(v, 1);
                    case 1 -> s.mapcount()[i] = (int) v;
                    case 2 -> s.refcount()[i] = (int) v;
                    case 3 -> s.headOffset()[i] = (int) v;
                    case 4 -> {
                        if (v < 0 || v > 63) {
                            throw in.malformed("folio order " + v);
                        }
                        s.order()[i] = (byte) v;
                    }
                    case 5 -> optional(s.entireMapcount(), i, v, names[c], s).run();
                    case 6 -> {
                        if (v < 0 || v > files.size()) {
                            throw in.malformed("page maps file " + v + " of " + files.size());
                        }
                        optional(s.mapping(), i, v == 0 ? 0 : files.get((int) v - 1).id(), names[c], s).run();
                    }
                    default -> {
                        if (s.index() != null) {
                            s.index()[i] = v;
                        } else if (v != 0) {
                            throw in.malformed("index " + v + " in section " + s.number() + ", which has none");
                        }
                    }
                }
            }
        }
    }

    private Runnable optional(int[] column, int i, long v, String what, MemMap.RawSection s)
            throws BodyInput.Malformed {
        if (column == null) {
            if (v != 0) {
                throw in.malformed(what + " " + v + " in section " + s.number() + ", which has none");
            }
            return () -> { };
        }
        return () -> column[i] = (int) v;
    }

    private void readIMmap(AddressSpace f) throws IOException, BodyInput.Malformed {
        int n = in.readCount("i_mmap entry", 1);
        List<VmArea> order = new ArrayList<>(n);
        Set<VmArea> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < n; i++) {
            long v = in.readUnsigned();
            if (v < 0 || v >= vmas.size()) {
                throw in.malformed("i_mmap of " + f.path() + " names VMA " + Long.toUnsignedString(v));
            }
            VmArea vma = vmas.get((int) v);
            if (vma.file() != f || !seen.add(vma)) {
                throw in.malformed("i_mmap of " + f.path() + " lists VMA " + v + " wrongly");
            }
            order.add(vma);
        }
        if (!new HashSet<>(f.iMmap()).equals(new HashSet<>(order))) {
            throw in.malformed("i_mmap of " + f.path() + " does not list the VMAs that map it");
        }
        f.iMmap().clear();
        f.iMmap().addAll(order);
    }

    /** Fills {@code t} (its level and PFN already read) and the tables below it. */
    private void readTableBody(PageTable t) throws IOException, BodyInput.Malformed {
        if (++pageTables > declared.pageTables()) {
            throw in.malformed("more page tables than the header's " + declared.pageTables());
        }
        int n = PagingGeometry.PTRS_PER_TABLE;
        int ranges = in.readCount("used-entry range", 2);
        int[] used = new int[n];
        int count = 0;
        long previousEnd = 0;
        for (int r = 0; r < ranges; r++) {
            long start = previousEnd + in.readUnsigned();
            long length = in.readUnsigned() + 1;
            if (start < previousEnd || (r > 0 && start == previousEnd) || length <= 0 || start + length > n) {
                throw in.malformed("used entries " + start + "+" + length + " outside the table or not apart");
            }
            for (int k = 0; k < length; k++) {
                used[count++] = (int) start + k;
            }
            previousEnd = start + length;
        }
        long[] attributes = new long[count];
        long[] pfns = new long[count];
        previousAttributes = Runs.read(in, attributes, count, previousAttributes);
        previousPfn = Runs.read(in, pfns, count, previousPfn);
        long[] entries = new long[n];
        for (int k = 0; k < count; k++) {
            if ((attributes[k] & Pgtable.PTE_PFN_MASK) != 0
                    || (pfns[k] & ~(Pgtable.PTE_PFN_MASK >>> PagingGeometry.PAGE_SHIFT)) != 0) {
                throw in.malformed(String.format("entry %d: attributes 0x%x, pfn 0x%x", used[k], attributes[k],
                        pfns[k]));
            }
            entries[used[k]] = attributes[k] | (pfns[k] << PagingGeometry.PAGE_SHIFT);
            if (entries[used[k]] == 0) {
                throw in.malformed("entry " + used[k] + " is listed as used but is 0");
            }
        }
        int children = in.readCount("lower table", 1);
        if (children > entries.length || (children > 0 && t.level() == PagingGeometry.PTE)) {
            throw in.malformed("a level-" + t.level() + " table with " + children + " lower tables");
        }
        int[] slots = new int[children];
        int previousSlot = -1;
        for (int i = 0; i < children; i++) {
            long slot = previousSlot + 1 + in.readUnsigned();
            if (slot <= previousSlot || slot >= entries.length) {
                throw in.malformed("lower-table slot " + slot);
            }
            slots[i] = (int) slot;
            previousSlot = (int) slot;
        }
        for (int i = 0, c = 0; i < n; i++) {
            if (c < children && slots[c] == i) {
                c++;
            } else {
                mapped.addEntry(t.level(), entries[i]);
            }
        }
        for (int i = 0; i < children; i++) {
            int level = in.readByte();
            if (level <= t.level() || level > PagingGeometry.PTE) {
                throw in.malformed("a level-" + level + " table below a level-" + t.level() + " table");
            }
            PageTable child = new PageTable(level, readTablePfn());
            t.setTable(slots[i], child);
            readTableBody(child);
        }
        // Raw entries last: setTable wrote mk_table_entry(), the snapshot has the exact bits.
        System.arraycopy(entries, 0, t.entries(), 0, entries.length);
        for (int i = 0, c = 0; i < entries.length; i++) {
            if (c < children && slots[c] == i) {
                c++;
            } else {
                presentPages += BodyWriter.presentLeafPages(t.level(), entries[i]);
            }
        }
    }

    private long readTablePfn() throws IOException, BodyInput.Malformed {
        previousTablePfn += in.readSigned();
        return previousTablePfn;
    }
}
