package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.builder.SyntheticProcess.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.procfs.KpageReader;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.procfs.PagemapScan;
import io.pagewalk.runtime.procfs.ProcMaps;
import io.pagewalk.runtime.procfs.ProcVma;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The key check of the builder: the fixture's steps replayed with {@link SyntheticProcess} at the
 * same addresses, on a model configured like this machine, must give what the kernel gave: the
 * same VMAs and VmFlags, the same pagemap bits page by page (present, swap, guard, file,
 * exclusive), the same PMD mappings, the same folio flags and mapcounts, and the same sharing of
 * frames (a bijection between kernel and model PFNs, across parent and fork child).
 */
class BuilderVsKernelTest {
    private static final long PAGE = 4096;
    /**
     * State that changes under the test's feet: LRU while a page sits in a per-CPU batch, and IDLE,
     * which anyone may set through /sys/kernel/mm/page_idle/bitmap.
     */
    private static final long UNSTABLE = PageFlags.LRU | PageFlags.IDLE;

    private static FixtureProcess fx;
    private static SyntheticProcess model;
    private static SyntheticProcess modelChild;

    @BeforeAll
    static void replay() throws Exception {
        fx = FixtureProcess.start("all");
        ThpMode mode = ThpMode.valueOf(fx.notes().get("thp-enabled").toUpperCase());
        model = new SyntheticProcess(SyntheticConfig.defaults().withThpMode(mode)
                .withZeroPage(fx.readFaultsMapZeroPage()).withSwap(false));
        long[] fileFlags = cachedFilePageFlags();
        int anonRw = PROT_READ | PROT_WRITE;
        int privAnon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

        FixtureProcess.Region arena = fx.region("arena");
        model.mmap(arena.start(), arena.size(), PROT_NONE, privAnon | MAP_NORESERVE, null, 0);

        FixtureProcess.Region fork = fx.region("fork");
        anonPart(fork, MADV_NOHUGEPAGE);
        model.touch(fork.start(), fork.size(), true);
        modelChild = model.fork();

        FixtureProcess.Region anon = fx.region("anon");
        anonPart(anon, MADV_NOHUGEPAGE);
        model.touch(anon.start(), anon.size(), true);

        FixtureProcess.Region zero = fx.region("zero");
        anonPart(zero, MADV_NOHUGEPAGE);
        model.touch(zero.start(), 4 * PAGE, false);

        FixtureProcess.Region thp = fx.region("thp");
        anonPart(thp, MADV_HUGEPAGE);
        model.touch(thp.start(), thp.size(), true);

        FixtureProcess.Region split = fx.region("thpsplit");
        anonPart(split, MADV_HUGEPAGE);
        model.touch(split.start(), split.size(), true);
        model.madvise(split.page(7), PAGE, MADV_DONTNEED);
        model.madvise(split.start(), split.size(), MADV_NOHUGEPAGE);

        for (String part : new String[] {"fileprivate", "fileshared"}) {
            FixtureProcess.Region r = fx.region(part);
            String path = fx.notes().get(part).replace("path=", "");
            FileHandle file = model.createFile(path, 32, part.equals("fileprivate") ? fileFlags[0] : fileFlags[1]);
            model.mmap(r.start(), r.size(), anonRw, (part.equals("fileprivate") ? MAP_PRIVATE : MAP_SHARED) | MAP_FIXED,
                    file, 0);
            model.madvise(r.start(), r.size(), MADV_NOHUGEPAGE);
            model.touch(r.start(), 4 * PAGE, false);
            model.touch(r.page(4), 4 * PAGE, true);
        }

        FixtureProcess.Region shmem = fx.region("shmem");
        model.mmap(shmem.start(), shmem.size(), anonRw, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        model.madvise(shmem.start(), shmem.size(), MADV_NOHUGEPAGE);
        model.touch(shmem.start(), shmem.size(), true);

        FixtureProcess.Region mlock = fx.region("mlock");
        anonPart(mlock, MADV_NOHUGEPAGE);
        model.touch(mlock.start(), mlock.size(), true);
        model.mlock(mlock.start(), mlock.size());

        FixtureProcess.Region guard = fx.region("guard");
        anonPart(guard, MADV_NOHUGEPAGE);
        model.touch(guard.start(), 2 * PAGE, true);
        model.madvise(guard.page(2), 2 * PAGE, MADV_GUARD_INSTALL);

        FixtureProcess.Region protnone = fx.region("protnone");
        anonPart(protnone, MADV_NOHUGEPAGE);
        model.touch(protnone.start(), protnone.size(), true);
        model.mprotect(protnone.start(), protnone.size(), PROT_NONE);

        FixtureProcess.Region free = fx.region("free");
        anonPart(free, MADV_NOHUGEPAGE);
        model.touch(free.start(), free.size(), true);
        model.madvise(free.start(), free.size(), MADV_FREE);

        FixtureProcess.Region pageout = fx.region("pageout");
        anonPart(pageout, MADV_NOHUGEPAGE);
        model.touch(pageout.start(), pageout.size(), true);
        model.madvise(pageout.start(), pageout.size(), MADV_PAGEOUT);
    }

    private static void anonPart(FixtureProcess.Region r, int advice) {
        model.mmap(r.start(), r.size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        model.madvise(r.start(), r.size(), advice);
    }

    /**
     * The flags the fixture's files' page-cache pages have on this file system before they are
     * mapped (what the file system and write() left: the builder's input, not its output).
     */
    private static long[] cachedFilePageFlags() throws Exception {
        long[] out = new long[2];
        try (PagemapReader pm = PagemapReader.open(fx.pid()); KpageReader kp = KpageReader.open()) {
            String[] parts = {"fileprivate", "fileshared"};
            for (int i = 0; i < 2; i++) {
                long e = pm.read(fx.region(parts[i]).start(), fx.region(parts[i]).start() + PAGE)[0];
                out[i] = kp.readFlags(new long[] {PagemapEntry.pfn(e)})[0] & ~PageFlags.MMAP;
            }
        }
        return out;
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    // ---- VMAs ----

    @Test
    void sameVmasAndVmFlagsInsideTheArena() throws Exception {
        assertSameVmas(fx.pid(), model.mm());
    }

    @Test
    void forkChildHasTheSameVmas() throws Exception {
        assertSameVmas(fx.childPid(), modelChild.mm());
    }

    private static void assertSameVmas(int pid, MmStruct mm) throws Exception {
        FixtureProcess.Region arena = fx.region("arena");
        List<String> kernel = new ArrayList<>();
        for (ProcVma v : ProcMaps.readSmaps(pid)) {
            if (v.end() > arena.start() && v.start() < arena.end()) {
                assertTrue(v.unmappedVmFlags().isEmpty(), "unknown VmFlags " + v.unmappedVmFlags());
                kernel.add(describe(Math.max(v.start(), arena.start()), Math.min(v.end(), arena.end()),
                        v.vmFlags(), v.name().replace(" (deleted)", "")));
            }
        }
        List<String> synthetic = new ArrayList<>();
        for (VmArea v : mm.vmas()) {
            if (v.end() > arena.start() && v.start() < arena.end()) {
                synthetic.add(describe(Math.max(v.start(), arena.start()), Math.min(v.end(), arena.end()),
                        v.flags(), v.name().replace(" (deleted)", "")));
            }
        }
        assertEquals(String.join("\n", kernel), String.join("\n", synthetic));
    }

    private static String describe(long start, long end, long flags, String name) {
        return String.format("%x-%x %s[%s] %s", start, end, VmFlags.permissions(flags), VmFlags.toSmapsString(flags), name);
    }

    // ---- pages ----

    @Test
    void samePagemapBitsFlagsCountsAndFrameSharing() throws Exception {
        FixtureProcess.Region arena = fx.region("arena");
        FixtureProcess.Region fork = fx.region("fork");
        long[] kernel;
        long[] kernelChild;
        try (PagemapReader pm = PagemapReader.open(fx.pid()); PagemapReader cpm = PagemapReader.open(fx.childPid())) {
            kernel = pm.read(arena.start(), arena.end());
            kernelChild = cpm.read(fork.start(), fork.end());
        }
        long[] synth = ModelPages.pagemap(model.mm(), arena.start(), arena.end());
        long[] synthChild = ModelPages.pagemap(modelChild.mm(), fork.start(), fork.end());

        Map<Long, Long> kernelToModel = new HashMap<>();
        Map<Long, Long> modelToKernel = new HashMap<>();
        long bits = PagemapEntry.PM_PRESENT | PagemapEntry.PM_SWAP | PagemapEntry.PM_FILE | PagemapEntry.PM_GUARD_REGION
                | PagemapEntry.PM_MMAP_EXCLUSIVE | PagemapEntry.PM_UFFD_WP;
        List<long[]> pairs = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
            long[] k = side == 0 ? kernel : kernelChild;
            long[] m = side == 0 ? synth : synthChild;
            long base = side == 0 ? arena.start() : fork.start();
            for (int i = 0; i < k.length; i++) {
                String where = String.format("%s page 0x%x (%s)", side == 0 ? "parent" : "child", base + i * PAGE,
                        regionOf(base + i * PAGE));
                assertEquals(PagemapEntry.describe(k[i] & bits), PagemapEntry.describe(m[i] & bits), where);
                if (PagemapEntry.swapped(k[i])) {
                    assertEquals(PagemapEntry.swapType(k[i]), PagemapEntry.swapType(m[i]), where);
                    assertEquals(PagemapEntry.swapOffset(k[i]), PagemapEntry.swapOffset(m[i]), where);
                }
                if (PagemapEntry.present(k[i])) {
                    long kp = PagemapEntry.pfn(k[i]);
                    long mp = PagemapEntry.pfn(m[i]);
                    Long prevM = kernelToModel.putIfAbsent(kp, mp);
                    Long prevK = modelToKernel.putIfAbsent(mp, kp);
                    assertTrue((prevM == null || prevM == mp) && (prevK == null || prevK == kp),
                            where + ": frames are shared differently (kernel pfn 0x" + Long.toHexString(kp) + ")");
                    pairs.add(new long[] {kp, mp, base + i * PAGE});
                }
            }
        }

        TreeSet<Long> kernelPfns = new TreeSet<>(kernelToModel.keySet());
        long[] sorted = kernelPfns.stream().mapToLong(Long::longValue).toArray();
        Map<Long, long[]> kernelInfo = new HashMap<>();
        try (KpageReader kp = KpageReader.open()) {
            long[] flags = kp.readFlags(sorted);
            long[] counts = kp.readCounts(sorted);
            for (int i = 0; i < sorted.length; i++) {
                kernelInfo.put(sorted[i], new long[] {flags[i], counts[i]});
            }
        }
        int checked = 0;
        for (long[] p : pairs) {
            long[] info = kernelInfo.get(p[0]);
            String where = String.format("page 0x%x (%s)", p[2], regionOf(p[2]));
            long kf = info[0] & ~UNSTABLE;
            long mf = model.memMap().flags(p[1]) & ~UNSTABLE;
            assertEquals(io.pagewalk.runtime.procfs.KPageFlags.longNames(kf),
                    io.pagewalk.runtime.procfs.KPageFlags.longNames(mf), where + " kpageflags");
            assertEquals(info[1], model.memMap().mapcount(p[1]), where + " kpagecount");
            checked++;
        }
        assertTrue(checked > 1000, "compared " + checked + " mapped pages");
    }

    @Test
    void samePmdMappedRanges() throws Exception {
        FixtureProcess.Region arena = fx.region("arena");
        List<String> kernel = new ArrayList<>();
        try (PagemapScan scan = PagemapScan.open(fx.pid())) {
            for (PagemapScan.Region r : scan.scanAll(PagemapScan.Request.of(arena.start(), arena.end())
                    .withCategories(0, PagemapScan.PAGE_IS_HUGE, 0, PagemapScan.PAGE_IS_HUGE))) {
                kernel.add(Long.toHexString(r.start()) + "-" + Long.toHexString(r.end()));
            }
        }
        List<String> synthetic = new ArrayList<>();
        long runStart = -1;
        for (long a = arena.start(); a <= arena.end(); a += PAGE) {
            boolean huge = a < arena.end() && ModelPages.huge(model.mm(), a);
            if (huge && runStart < 0) {
                runStart = a;
            } else if (!huge && runStart >= 0) {
                synthetic.add(Long.toHexString(runStart) + "-" + Long.toHexString(a));
                runStart = -1;
            }
        }
        assertEquals(kernel, synthetic);
        assertEquals(List.of(Long.toHexString(fx.region("thp").start()) + "-" + Long.toHexString(fx.region("thp").end())),
                synthetic, "exactly the thp part is PMD-mapped");
    }

    private static String regionOf(long addr) {
        String best = "arena";
        long bestSize = Long.MAX_VALUE;
        for (FixtureProcess.Region r : fx.regions().values()) {
            if (r.contains(addr) && r.size() < bestSize) {
                best = r.name();
                bestSize = r.size();
            }
        }
        return best;
    }
}
