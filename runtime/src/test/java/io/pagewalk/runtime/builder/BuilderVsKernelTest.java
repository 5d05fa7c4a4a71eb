package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.builder.SyntheticProcess.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.PageFlags;
import io.pagewalk.runtime.procfs.KpageReader;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.util.List;
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

    @Test
    void sameVmasAndVmFlagsInsideTheArena() throws Exception {
        FixtureProcess.Region arena = fx.region("arena");
        KernelComparison.assertSameVmas(fx.pid(), model.mm(), arena.start(), arena.end());
    }

    @Test
    void forkChildHasTheSameVmas() throws Exception {
        FixtureProcess.Region arena = fx.region("arena");
        KernelComparison.assertSameVmas(fx.childPid(), modelChild.mm(), arena.start(), arena.end());
    }

    @Test
    void samePagemapBitsFlagsCountsAndFrameSharing() throws Exception {
        FixtureProcess.Region arena = fx.region("arena");
        FixtureProcess.Region fork = fx.region("fork");
        int compared = KernelComparison.assertSamePages(List.of(
                new KernelComparison.Side("parent", fx.pid(), model.mm(), arena.start(), arena.end()),
                new KernelComparison.Side("child", fx.childPid(), modelChild.mm(), fork.start(), fork.end())),
                0, BuilderVsKernelTest::regionOf);
        assertTrue(compared > 1000, "compared " + compared + " mapped pages");
    }

    @Test
    void samePmdMappedRanges() throws Exception {
        FixtureProcess.Region arena = fx.region("arena");
        KernelComparison.assertSameHuge(fx.pid(), model.mm(), arena.start(), arena.end());
        FixtureProcess.Region thp = fx.region("thp");
        assertEquals(List.of(Long.toHexString(thp.start()) + "-" + Long.toHexString(thp.end())),
                KernelComparison.hugeRanges(model.mm(), arena.start(), arena.end()), "exactly the thp part is PMD-mapped");
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
