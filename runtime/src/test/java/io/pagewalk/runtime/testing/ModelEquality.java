package io.pagewalk.runtime.testing;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.pgtable.PageTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compares two models completely: geometry, origin, unknown facts, THP settings, every VMA field,
 * every file (identity, page cache, i_mmap order), the page-table tree table by table (which
 * tables exist, their levels and PFNs, every raw entry), every memmap section column by column,
 * the special PFNs and the allocator state. Files are matched by position in id order, so two
 * models made apart (a snapshot and its source) compare equal when they hold the same things.
 */
public final class ModelEquality {
    private static final int MAX_REPORTED = 20;

    private final List<String> differences = new ArrayList<>();
    private final Map<Integer, Integer> fileIdMap = new HashMap<>();
    private final Map<AddressSpace, AddressSpace> fileMap = new IdentityHashMap<>();

    private ModelEquality() {}

    /** Throws an AssertionError listing the first differences, if there are any. */
    public static void assertSameModel(MmStruct expected, MmStruct actual) {
        List<String> d = differences(expected, actual);
        if (!d.isEmpty()) {
            throw new AssertionError("models differ in " + d.size() + (d.size() >= MAX_REPORTED ? "+" : "")
                    + " places:\n  " + String.join("\n  ", d));
        }
    }

    /** The differences between two models (at most a screenful), empty when they are the same. */
    public static List<String> differences(MmStruct expected, MmStruct actual) {
        ModelEquality eq = new ModelEquality();
        eq.compare(expected, actual);
        return eq.differences;
    }

    private void diff(String where, Object expected, Object actual) {
        if (!Objects.equals(expected, actual) && differences.size() < MAX_REPORTED) {
            differences.add(where + ": expected " + show(expected) + ", got " + show(actual));
        }
    }

    private static String show(Object o) {
        return o instanceof Long l ? "0x" + Long.toHexString(l) : String.valueOf(o);
    }

    private void compare(MmStruct a, MmStruct b) {
        diff("geometry", a.geometry(), b.geometry());
        diff("origin", a.origin(), b.origin());
        diff("unknownFacts", List.copyOf(a.unknownFacts()), List.copyOf(b.unknownFacts()));
        diff("thpSettings", a.thpSettings(), b.thpSettings());
        diff("thpDisabled", a.thpDisabled(), b.thpDisabled());
        MemMap ma = a.memMap();
        MemMap mb = b.memMap();
        diff("memMap.flagsKnown", ma.flagsKnown(), mb.flagsKnown());
        diff("memMap.countsKnown", ma.countsKnown(), mb.countsKnown());
        diff("memMap.zeroPfn", ma.zeroPfn(), mb.zeroPfn());
        diff("memMap.hugeZeroPfn", ma.hugeZeroPfn(), mb.hugeZeroPfn());
        diff("memMap.nextTablePfn", ma.nextTablePfn(), mb.nextTablePfn());
        diff("memMap.tableAllocationsLeft", ma.tableAllocationsLeft(), mb.tableAllocationsLeft());

        compareFiles(ma.addressSpaces(), mb.addressSpaces());
        List<VmArea> va = a.vmas();
        List<VmArea> vb = b.vmas();
        diff("vma count", va.size(), vb.size());
        Map<VmArea, Integer> indexA = new IdentityHashMap<>();
        Map<VmArea, Integer> indexB = new IdentityHashMap<>();
        for (int i = 0; i < Math.min(va.size(), vb.size()); i++) {
            compareVma("vma[" + i + "]", va.get(i), vb.get(i), b);
            indexA.put(va.get(i), i);
            indexB.put(vb.get(i), i);
        }
        VmArea ga = a.gateVma();
        VmArea gb = b.gateVma();
        diff("gate VMA present", ga != null, gb != null);
        if (ga != null && gb != null) {
            compareVma("gate VMA", ga, gb, b);
        }
        List<AddressSpace> fa = ma.addressSpaces();
        List<AddressSpace> fb = mb.addressSpaces();
        for (int i = 0; i < Math.min(fa.size(), fb.size()); i++) {
            diff("file[" + i + "].iMmap", positions(fa.get(i).iMmap(), indexA, a),
                    positions(fb.get(i).iMmap(), indexB, b));
        }
        compareTables("pgd", a.pgd(), b.pgd());
        compareSections(ma.rawSections(), mb.rawSections());
        comparePages(ma, mb);
    }

    /** i_mmap as VMA positions in the mm (VMAs of other mms sharing the file are left out). */
    private static List<Integer> positions(List<VmArea> iMmap, Map<VmArea, Integer> index, MmStruct mm) {
        return iMmap.stream().filter(v -> v.mm() == mm).map(index::get).toList();
    }

    private void compareFiles(List<AddressSpace> fa, List<AddressSpace> fb) {
        diff("file count", fa.size(), fb.size());
        for (int i = 0; i < Math.min(fa.size(), fb.size()); i++) {
            AddressSpace x = fa.get(i);
            AddressSpace y = fb.get(i);
            String w = "file[" + i + "]";
            diff(w + ".path", x.path(), y.path());
            diff(w + ".device", x.device(), y.device());
            diff(w + ".inode", x.inode(), y.inode());
            diff(w + ".shmem", x.isShmem(), y.isShmem());
            diff(w + ".pageCache", x.pageCache(), y.pageCache());
            fileIdMap.put(x.id(), y.id());
            fileMap.put(x, y);
        }
    }

    private void compareVma(String w, VmArea x, VmArea y, MmStruct mmB) {
        diff(w + ".start", x.start(), y.start());
        diff(w + ".end", x.end(), y.end());
        diff(w + ".flags", x.flags(), y.flags());
        diff(w + ".pgoff", x.pgoff(), y.pgoff());
        diff(w + ".name", x.name(), y.name());
        diff(w + ".pageShift", x.pageShift(), y.pageShift());
        diff(w + ".mm", true, y.mm() == mmB);
        AddressSpace expectedFile = x.file() == null ? null : fileMap.get(x.file());
        if (x.file() != null && expectedFile == null) {
            diff(w + ".file", x.file() + " (registered in the memmap)", "unregistered");
        }
        diff(w + ".file", expectedFile == null ? null : expectedFile.id(), y.file() == null ? null : y.file().id());
    }

    private void compareTables(String w, PageTable x, PageTable y) {
        diff(w + ".level", x.level(), y.level());
        diff(w + ".pfn", x.pfn(), y.pfn());
        long[] ex = x.entries();
        long[] ey = y.entries();
        for (int i = 0; i < ex.length; i++) {
            if (ex[i] != ey[i]) {
                diff(w + "[" + i + "]", ex[i], ey[i]);
            }
            PageTable cx = x.table(i);
            PageTable cy = y.table(i);
            if ((cx != null) != (cy != null)) {
                diff(w + "[" + i + "] has a lower table", cx != null, cy != null);
            }
            if (cx != null && cy != null) {
                compareTables(w + "[" + i + "]", cx, cy);
            }
        }
    }

    private void compareSections(List<MemMap.RawSection> sa, List<MemMap.RawSection> sb) {
        diff("memMap section numbers", sa.stream().map(MemMap.RawSection::number).toList(),
                sb.stream().map(MemMap.RawSection::number).toList());
        for (int k = 0; k < Math.min(sa.size(), sb.size()); k++) {
            MemMap.RawSection x = sa.get(k);
            MemMap.RawSection y = sb.get(k);
            String w = "section " + x.number();
            column(w, "flags", x.flags(), y.flags());
            column(w, "mapcount", x.mapcount(), y.mapcount());
            column(w, "refcount", x.refcount(), y.refcount());
            column(w, "headOffset", x.headOffset(), y.headOffset());
            column(w, "order", x.order(), y.order());
            column(w, "entireMapcount", x.entireMapcount(), y.entireMapcount());
            int[] mappedIds = null;
            if (x.mapping() != null) {
                mappedIds = new int[x.mapping().length];
                for (int i = 0; i < mappedIds.length; i++) {
                    int id = x.mapping()[i];
                    mappedIds[i] = id == 0 ? 0 : fileIdMap.getOrDefault(id, -id);
                }
            }
            column(w, "mapping", mappedIds, y.mapping());
            column(w, "index", x.index(), y.index());
        }
    }

    private void column(String w, String name, Object x, Object y) {
        if (x == null || y == null) {
            diff(w + "." + name + " present", x != null, y != null);
            return;
        }
        boolean same = switch (x) {
            case long[] l -> Arrays.equals(l, (long[]) y);
            case int[] i -> Arrays.equals(i, (int[]) y);
            case byte[] b -> Arrays.equals(b, (byte[]) y);
            default -> throw new IllegalArgumentException();
        };
        if (!same) {
            int at = switch (x) {
                case long[] l -> Arrays.mismatch(l, (long[]) y);
                case int[] i -> Arrays.mismatch(i, (int[]) y);
                default -> Arrays.mismatch((byte[]) x, (byte[]) y);
            };
            diff(w + "." + name + " from slot " + at, "same column", "different column");
        }
    }

    /** The same, through the public per-PFN API, for every valid PFN of either model. */
    private void comparePages(MemMap x, MemMap y) {
        long[][] pfns = {new long[1024]};
        int[] n = {0};
        java.util.function.LongConsumer add = pfn -> {
            if (n[0] == pfns[0].length) {
                pfns[0] = Arrays.copyOf(pfns[0], n[0] * 2);
            }
            pfns[0][n[0]++] = pfn;
        };
        x.forEachPfn(add);
        y.forEachPfn(pfn -> {
            if (!x.pfnValid(pfn)) {
                add.accept(pfn);
            }
        });
        for (int k = 0; k < n[0]; k++) {
            long pfn = pfns[0][k];
            page(pfn, "flags", x.flags(pfn), y.flags(pfn));
            page(pfn, "mapcount", x.mapcount(pfn), y.mapcount(pfn));
            page(pfn, "refcount", x.refcount(pfn), y.refcount(pfn));
            page(pfn, "head", x.folioHead(pfn), y.folioHead(pfn));
            page(pfn, "order", x.folioOrder(pfn), y.folioOrder(pfn));
            page(pfn, "entireMapcount", x.entireMapcount(pfn), y.entireMapcount(pfn));
            AddressSpace mx = x.mapping(pfn);
            AddressSpace my = y.mapping(pfn);
            page(pfn, "mapping", mx == null ? 0 : fileIdMap.getOrDefault(mx.id(), -1), my == null ? 0 : my.id());
            page(pfn, "index", x.index(pfn), y.index(pfn));
            page(pfn, "zero", x.is_zero_pfn(pfn) ? 1 : 0, y.is_zero_pfn(pfn) ? 1 : 0);
            page(pfn, "hugeZero", x.is_huge_zero_pfn(pfn) ? 1 : 0, y.is_huge_zero_pfn(pfn) ? 1 : 0);
        }
    }

    private void page(long pfn, String field, long expected, long actual) {
        if (expected != actual) {
            diff("pfn 0x" + Long.toHexString(pfn) + " " + field, expected, actual);
        }
    }
}
