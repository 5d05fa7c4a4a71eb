package io.pagewalk.plugins;

import static io.pagewalk.runtime.builder.SyntheticProcess.*;

import io.pagewalk.runtime.builder.FileHandle;
import io.pagewalk.runtime.builder.SyntheticConfig;
import io.pagewalk.runtime.builder.SyntheticProcess;
import io.pagewalk.runtime.builder.SyscallException;
import io.pagewalk.runtime.builder.ThpMode;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic process made by a random program of system calls, the same for the same seed:
 * anonymous, file (private and shared) and hugetlb mappings, reads and writes, THPs (MADV_HUGEPAGE
 * then touched, MADV_COLLAPSE), MADV_DONTNEED/FREE/PAGEOUT (swap entries when the machine has
 * swap), mprotect, munmap holes, guard regions, mlock and a fork (shared copy-on-write pages). Kept
 * small (a few tens of MiB mapped) so that every plugin walks it quickly. Calls the kernel would
 * refuse (EINVAL, ENOMEM, EFAULT on a PROT_NONE page...) are part of the program and ignored.
 */
public final class RandomProcess {
    private static final long PAGE = 4096;
    private static final long HPAGE = 2L << 20;

    private final SplittableRandom rnd;
    private final SyntheticProcess p;
    private final List<FileHandle> files = new ArrayList<>();
    /** Children alive at the end: their mappings keep the parent's pages shared. */
    private final List<SyntheticProcess> children = new ArrayList<>();
    private final StringBuilder program = new StringBuilder();

    private RandomProcess(long seed) {
        rnd = new SplittableRandom(seed);
        SyntheticConfig config = SyntheticConfig.defaults()
                .withPagingLevels(rnd.nextInt(4) == 0 ? 5 : 4)
                .withThpMode(rnd.nextInt(3) == 0 ? ThpMode.ALWAYS : ThpMode.MADVISE)
                .withZeroPage(rnd.nextBoolean())
                .withSwap(rnd.nextInt(4) > 0);
        p = new SyntheticProcess(config);
        program.append(config);
        for (int i = 0; i < 2; i++) {
            files.add(p.createFile("/data/f" + i, 64 + rnd.nextInt(1024)));
        }
        int steps = 25 + rnd.nextInt(20);
        for (int i = 0; i < 4; i++) {
            mmapSomething();
        }
        for (int i = 0; i < steps; i++) {
            step();
        }
    }

    /** The model of the process the program {@code seed} leaves. */
    public static MmStruct build(long seed) {
        return new RandomProcess(seed).p.mm();
    }

    /** The program, for a failure message. */
    public static String describe(long seed) {
        return new RandomProcess(seed).program.toString();
    }

    private void log(String what, Object... a) {
        program.append("\n  ").append(String.format(what, a));
    }

    private void step() {
        int r = rnd.nextInt(100);
        try {
            if (r < 12 || p.vmas().isEmpty()) {
                mmapSomething();
                return;
            }
            long[] range = someRange();
            long s = range[0];
            long len = range[1];
            if (r < 35) {
                boolean write = rnd.nextBoolean();
                log("touch %x+%x %s", s, len, write ? "w" : "r");
                p.touch(s, len, write);
            } else if (r < 45) {
                log("madvise %x+%x HUGEPAGE + touch", s, len);
                p.madvise(s, len, MADV_HUGEPAGE);
                p.touch(s, len, rnd.nextBoolean());
            } else if (r < 50) {
                log("madvise %x+%x COLLAPSE", s, len);
                p.madvise(s, len, MADV_COLLAPSE);
            } else if (r < 60) {
                int advice = switch (rnd.nextInt(6)) {
                    case 0 -> MADV_DONTNEED;
                    case 1 -> MADV_FREE;
                    case 2 -> MADV_COLD;
                    default -> MADV_PAGEOUT;
                };
                log("madvise %x+%x %d", s, len, advice);
                p.madvise(s, len, advice);
            } else if (r < 67) {
                int prot = switch (rnd.nextInt(3)) {
                    case 0 -> PROT_NONE;
                    case 1 -> PROT_READ;
                    default -> PROT_READ | PROT_WRITE;
                };
                log("mprotect %x+%x %d", s, len, prot);
                p.mprotect(s, len, prot);
            } else if (r < 73) {
                log("munmap %x+%x", s, len);
                p.munmap(s, len);
            } else if (r < 81) {
                log("madvise %x+%x GUARD_INSTALL", s, len);
                p.madvise(s, len, MADV_GUARD_INSTALL);
            } else if (r < 84) {
                log("madvise %x+%x GUARD_REMOVE", s, len);
                p.madvise(s, len, MADV_GUARD_REMOVE);
            } else if (r < 88) {
                log("mlock %x+%x", s, len);
                p.mlock(s, len);
            } else if (r < 91 && children.size() < 2) {
                log("fork");
                SyntheticProcess child = p.fork();
                children.add(child);
                // The child writes some of what it shares: copy-on-write breaks those pages apart.
                long[] cr = someRange();
                child.touch(cr[0], cr[1], true);
            } else {
                log("madvise %x+%x POPULATE_WRITE", s, len);
                p.madvise(s, len, MADV_POPULATE_WRITE);
            }
        } catch (SyscallException e) {
            log("  -> errno %d", e.errno());
        }
    }

    private void mmapSomething() {
        int kind = rnd.nextInt(10);
        long len = rnd.nextInt(3) == 0 ? HPAGE * (1 + rnd.nextInt(3)) + PAGE * rnd.nextInt(64) : PAGE * (1 + rnd.nextInt(300));
        int prot = rnd.nextInt(6) == 0 ? PROT_READ : PROT_READ | PROT_WRITE;
        try {
            long a;
            if (kind < 5) {
                a = p.mmap(0, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | (rnd.nextInt(8) == 0 ? MAP_POPULATE : 0), null, 0);
                log("mmap anon %x+%x", a, len);
            } else if (kind < 6) {
                len = HPAGE * (1 + rnd.nextInt(2));
                a = p.mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, null, 0);
                log("mmap hugetlb %x+%x", a, len);
            } else if (kind < 7) {
                a = p.mmap(0, len, prot, MAP_SHARED | MAP_ANONYMOUS, null, 0);
                log("mmap shared anon %x+%x", a, len);
            } else {
                FileHandle f = files.get(rnd.nextInt(files.size()));
                long off = PAGE * rnd.nextInt((int) f.pages());
                int flags = rnd.nextBoolean() ? MAP_SHARED : MAP_PRIVATE;
                len = Math.min(len, PAGE * 600);
                a = p.mmap(0, len, prot, flags, f, off);
                log("mmap %s %s+%x %x+%x", flags == MAP_SHARED ? "shared" : "private", f.path(), off, a, len);
            }
            if (rnd.nextBoolean()) {
                long n = len / PAGE;
                long from = rnd.nextLong(n);
                p.touch(a + from * PAGE, PAGE * (1 + rnd.nextLong(n - from)), rnd.nextBoolean());
            }
        } catch (SyscallException e) {
            log("  -> errno %d", e.errno());
        }
    }

    /** A page range inside (or running past the end of) a random VMA. */
    private long[] someRange() {
        List<VmArea> vmas = p.vmas();
        VmArea v = vmas.get(rnd.nextInt(vmas.size()));
        long pages = (v.end() - v.start()) / PAGE;
        long from = rnd.nextInt(3) == 0 ? 0 : rnd.nextLong(pages);
        long n = 1 + rnd.nextLong(Math.max(1, pages - from + (rnd.nextInt(8) == 0 ? 16 : 0)));
        return new long[] {v.start() + from * PAGE, n * PAGE};
    }
}
