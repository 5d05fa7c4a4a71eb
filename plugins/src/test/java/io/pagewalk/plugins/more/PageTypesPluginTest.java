package io.pagewalk.plugins.more;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.procfs.KpageReader;
import io.pagewalk.runtime.procfs.MapsEntry;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.procfs.ProcMaps;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The page_types plugin over a live import of the fixture against what page-types itself reads:
 * /proc/PID/maps, /proc/PID/pagemap and /proc/kpageflags of the same process.
 */
class PageTypesPluginTest {
    private static final String HEADER = "             flags\tpage-count       MB  symbolic-flags\t\t\tlong-symbolic-flags";
    private static final long COMPOUND = PageFlags.COMPOUND_HEAD | PageFlags.COMPOUND_TAIL;
    private static Live.Shared live;

    @BeforeAll
    static void start() throws Exception {
        live = Live.shared();
    }

    @Test
    void theFixturesPagesGroupAsKpageflagsGroupsThem() throws Exception {
        FixtureProcess.Region arena = live.fx().region("arena");
        String spec = (arena.start() >>> 12) + "," + (arena.end() >>> 12);
        Map<Long, Long> model = withoutIdle(parse(Live.run("page_types", live.mm(), false, "-a", spec)));
        Map<Long, Long> kernel = withoutIdle(kernelSummary(arena.start(), arena.end()));
        assertEquals(kernel, model);
        assertTrue(model.keySet().stream().anyMatch(f -> (f & PageFlags.THP) != 0), "the THP parts: " + model);
        assertTrue(model.containsKey(0L), "the guard markers are swap entries of flags 0 for page-types");
    }

    @Test
    void rawModeGroupsTheFixturesPagesAsPageTypesRawDoes() throws Exception {
        FixtureProcess.Region arena = live.fx().region("arena");
        String spec = (arena.start() >>> 12) + "," + (arena.end() >>> 12);
        assertEquals(withoutIdle(kernelSummary(arena.start(), arena.end(), true)),
                withoutIdle(parse(Live.run("page_types", live.mm(), false, "-r", "-a", spec))));
    }

    @Test
    void rawModeShowsTheCompoundHeadAndTailsOfTheThp() throws Exception {
        FixtureProcess.Region thp = live.fx().region("thp");
        Map<Long, Long> model = parse(Live.run("page_types", live.mm(), false, "-r", "-a",
                (thp.start() >>> 12) + "+" + thp.pages()));
        long heads = 0;
        long tails = 0;
        for (var e : model.entrySet()) {
            heads += (e.getKey() & PageFlags.COMPOUND_HEAD) != 0 ? e.getValue() : 0;
            tails += (e.getKey() & PageFlags.COMPOUND_TAIL) != 0 ? e.getValue() : 0;
            assertTrue((e.getKey() & (1L << 63)) != 0, "mapped once: mmap_exclusive");
            assertTrue((e.getKey() & (1L << 47)) != 0, "anon_exclusive expanded from owner_2");
        }
        assertEquals(1, heads);
        assertEquals(511, tails);
    }

    @Test
    void theWholeProcessHasAsManyPagesAsItsPagemapShows() throws Exception {
        String out = Live.run("page_types", live.mm(), false);
        String[] lines = out.stripTrailing().split("\n");
        assertEquals(HEADER, lines[0]);
        long kernelTotal = 0;
        for (long n : kernelSummary(0, -1L).values()) {
            kernelTotal += n;
        }
        String total = lines[lines.length - 1];
        assertTrue(total.matches(" {13}total\t *" + kernelTotal + " +" + (kernelTotal * 4096 >> 20)), total);
        for (int i = 1; i < lines.length - 1; i++) {
            assertTrue(lines[i].matches("0x[0-9a-f]{16}\t {0,9}\\d+ +\\d+  [_a-zA-Z1]{44}\t[a-z_0-9,]*"), lines[i]);
            String[] f = lines[i].split("[\t ]+");
            long flags = Long.parseUnsignedLong(f[0].substring(2), 16);
            assertEquals((flags & PageFlags.ANON) != 0, lines[i].contains("anonymous"), lines[i]);
        }
    }

    /**
     * KPF_IDLE is set by anyone who writes /sys/kernel/mm/page_idle/bitmap (for every PFN, say)
     * and cleared on access: it moves between the import and this read, so it is left out.
     */
    private static Map<Long, Long> withoutIdle(Map<Long, Long> summary) {
        Map<Long, Long> out = new TreeMap<>();
        summary.forEach((f, n) -> out.merge(f & ~PageFlags.IDLE, n, Long::sum));
        return out;
    }

    /** page-types -p over [start, end): maps + pagemap + kpageflags, well-known flags only. */
    private static Map<Long, Long> kernelSummary(long start, long end) throws Exception {
        return kernelSummary(start, end, false);
    }

    /**
     * page-types -r's flags: overloaded bits expanded (anon_exclusive, slub_*, readahead) and the
     * pagemap bits added (softdirty 40, file 61, swap 62, mmap_exclusive 63).
     */
    private static long raw(long f, long pme) {
        if ((f & PageFlags.ANON) != 0 && (f & PageFlags.ANON_EXCLUSIVE) != 0) {
            f ^= PageFlags.ANON_EXCLUSIVE | (1L << 47);
        }
        if ((f & (1L << PageFlags.KPF_SLAB)) != 0) {
            if ((f & PageFlags.ACTIVE) != 0) {
                f ^= PageFlags.ACTIVE | (1L << 50);
            }
            if ((f & (1L << PageFlags.KPF_ERROR)) != 0) {
                f ^= (1L << PageFlags.KPF_ERROR) | (1L << 51);
            }
        }
        if ((f & (PageFlags.RECLAIM | PageFlags.WRITEBACK)) == PageFlags.RECLAIM) {
            f ^= PageFlags.RECLAIM | (1L << 48);
        }
        f |= PagemapEntry.softDirty(pme) ? PageFlags.SOFTDIRTY : 0;
        f |= (pme & PagemapEntry.PM_FILE) != 0 ? 1L << 61 : 0;
        f |= (pme & PagemapEntry.PM_SWAP) != 0 ? 1L << 62 : 0;
        f |= (pme & PagemapEntry.PM_MMAP_EXCLUSIVE) != 0 ? 1L << 63 : 0;
        return f;
    }

    private static Map<Long, Long> kernelSummary(long start, long end, boolean raw) throws Exception {
        int pid = live.fx().pid();
        Map<Long, Long> out = new TreeMap<>();
        Map<Long, List<Long>> pfns = new TreeMap<>(); // PFN to its pagemap entries (KpageReader wants them sorted, once)
        try (PagemapReader pagemap = PagemapReader.open(pid)) {
            for (MapsEntry vma : ProcMaps.readMaps(pid)) {
                long s = Math.max(vma.start(), start);
                long e = Long.compareUnsigned(vma.end(), end) < 0 ? vma.end() : end;
                if (Long.compareUnsigned(s, e) >= 0 || vma.start() < 0) {
                    continue; // and [vsyscall]: above TASK_SIZE, pagemap reads nothing there
                }
                for (long entry : pagemap.read(s, e)) {
                    if (PagemapEntry.present(entry) && PagemapEntry.pfn(entry) != 0) {
                        pfns.computeIfAbsent(PagemapEntry.pfn(entry), k -> new ArrayList<>()).add(entry);
                    } else if (PagemapEntry.swapped(entry)) {
                        out.merge(raw ? raw(0, entry) : 0L, 1L, Long::sum);
                    }
                }
            }
        }
        long[] flags;
        try (KpageReader k = KpageReader.open()) {
            flags = k.readFlags(pfns.keySet().stream().mapToLong(Long::longValue).toArray());
        }
        List<List<Long>> entries = new ArrayList<>(pfns.values());
        for (int i = 0; i < flags.length; i++) {
            if (raw) {
                for (long pme : entries.get(i)) {
                    out.merge(raw(flags[i], pme), 1L, Long::sum);
                }
                continue;
            }
            long f = flags[i];
            f &= ~(0xffffL << 32);
            if ((f & COMPOUND) != 0 && (f & PageFlags.HUGE) == 0) {
                f &= ~COMPOUND;
            }
            out.merge(f, (long) entries.get(i).size(), Long::sum);
        }
        return out;
    }

    /** The summary's rows: flags to page count (and the MB column checked). */
    private static Map<Long, Long> parse(String out) {
        Map<Long, Long> rows = new TreeMap<>();
        String[] lines = out.stripTrailing().split("\n");
        assertEquals(HEADER, lines[0]);
        long sum = 0;
        for (int i = 1; i < lines.length - 1; i++) {
            String[] f = lines[i].trim().split("[\t ]+");
            long pages = Long.parseLong(f[1]);
            assertEquals(pages * 4096 >> 20, Long.parseLong(f[2]), lines[i]);
            rows.put(Long.parseUnsignedLong(f[0].substring(2), 16), pages);
            sum += pages;
        }
        assertTrue(lines[lines.length - 1].matches(" {13}total\t *" + sum + " +\\d+"), lines[lines.length - 1]);
        return rows;
    }
}
