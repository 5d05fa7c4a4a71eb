package io.pagewalk.runtime.builder;

import static io.pagewalk.runtime.builder.SyntheticProcess.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pagewalk.runtime.testing.CProgram;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One list of system calls run twice: by the C program {@code ops.c} in a real process, and by a
 * {@link SyntheticProcess} configured like this machine, at the same addresses (ops.c disables
 * address randomization, and the model is given the same VMAs the program starts with). The
 * per-op results (addresses, errnos) must agree; {@link #assertSameMemory()} compares the rest.
 * Op syntax: see the head of ops.c.
 */
final class Scenario implements AutoCloseable {
    static final long HPAGE = 2L << 20;

    final CProgram kernel;
    final SyntheticProcess model;
    SyntheticProcess modelChild;
    final long arena;
    final long arenaEnd;
    /** Ranges placed by mapany, to compare besides the arena. */
    final List<long[]> extraRanges = new ArrayList<>();
    private final Map<Integer, FileHandle> files = new HashMap<>();

    private Scenario(CProgram kernel, SyntheticProcess model, long arena, long arenaEnd) {
        this.kernel = kernel;
        this.model = model;
        this.arena = arena;
        this.arenaEnd = arenaEnd;
    }

    private static SyntheticConfig machineConfig;

    /** This machine's settings: THP mode, zero page (probed by the fixture), swap, free huge pages. */
    static synchronized SyntheticConfig machineConfig() throws IOException {
        if (machineConfig == null) {
            String thp = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
            String mode = thp.substring(thp.indexOf('[') + 1, thp.indexOf(']'));
            boolean zero;
            try (FixtureProcess fx = FixtureProcess.start("zero")) {
                zero = fx.readFaultsMapZeroPage();
            }
            boolean swap = Files.readAllLines(Path.of("/proc/swaps")).size() > 1;
            long hugeFree = 0;
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("HugePages_Free:")) {
                    hugeFree = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            machineConfig = SyntheticConfig.defaults().withThpMode(ThpMode.valueOf(mode.toUpperCase()))
                    .withZeroPage(zero).withSwap(swap).withHugetlbPages(hugeFree);
        }
        return machineConfig;
    }

    static Scenario run(long arenaBytes, String... ops) throws IOException {
        List<String> args = new ArrayList<>();
        args.add("0x" + Long.toHexString(arenaBytes));
        args.addAll(Arrays.asList(ops));
        CProgram k = CProgram.start("ops.c", args);
        try {
            SyntheticProcess m = new SyntheticProcess(machineConfig());
            for (String line : k.report()) {
                if (line.startsWith("vma ")) {
                    String[] f = line.split(" ");
                    long s = Long.parseUnsignedLong(f[1].substring(2), 16);
                    long e = Long.parseUnsignedLong(f[2].substring(2), 16);
                    if (Long.compareUnsigned(e, m.mm().taskSize()) <= 0) {
                        m.mmap(s, e - s, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, null, 0);
                    }
                }
            }
            long raw;
            if ("0".equals(k.value("randomized"))) {
                raw = m.mmap(0, arenaBytes + HPAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, null, 0);
                assertEquals(k.value("raw"), "0x" + Long.toHexString(raw), "placement of the arena (mmap(NULL))");
            } else {
                // Randomization could not be turned off: place the arena where the kernel did;
                // mmap(NULL) placement cannot be compared then.
                org.junit.jupiter.api.Assumptions.assumeFalse(Arrays.stream(ops).anyMatch(o -> o.startsWith("mapany")),
                        "address randomization could not be turned off (personality refused)");
                raw = Long.decode(k.value("raw"));
                m.mmap(raw, arenaBytes + HPAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, null, 0);
            }
            long arena = (raw + HPAGE - 1) & -HPAGE;
            Scenario sc = new Scenario(k, m, arena, arena + arenaBytes);
            sc.replay(ops);
            return sc;
        } catch (RuntimeException | Error | IOException e) {
            k.close();
            throw e;
        }
    }

    private void replay(String[] ops) {
        Map<Integer, String> kernelResults = new HashMap<>();
        Map<Integer, String> childResults = new HashMap<>();
        List<String> fileLines = new ArrayList<>();
        for (String line : kernel.report()) {
            String[] f = line.split(" ", 3);
            switch (f[0]) {
                case "op" -> kernelResults.put(Integer.parseInt(f[1]), f[2]);
                case "cop" -> childResults.put(Integer.parseInt(f[1]), f[2]);
                case "file" -> fileLines.add(f[2]);
                default -> {
                }
            }
        }
        int nextFile = 0;
        boolean forked = false;
        for (int i = 0; i < ops.length; i++) {
            String op = ops[i];
            if (op.startsWith("c:")) {
                continue;
            }
            if (op.equals("fork")) {
                modelChild = model.fork();
                forked = true;
                continue;
            }
            if (op.startsWith("file,") || op.startsWith("rofile,")) {
                String[] f = op.split(",");
                String path = fileLines.get(nextFile);
                FileHandle h = op.startsWith("file,") ? model.createFile(path, Long.decode(f[1]))
                        : files.get(Integer.decode(f[1])).readOnly();
                files.put(nextFile++, h);
                continue;
            }
            assertEquals(kernelResults.get(i), apply(model, op), "op " + i + " " + op);
        }
        if (forked) {
            for (int i = 0; i < ops.length; i++) {
                if (ops[i].startsWith("c:")) {
                    assertEquals(childResults.get(i), apply(modelChild, ops[i].substring(2)), "child op " + i + " " + ops[i]);
                }
            }
        }
    }

    /** Runs one op on a model; the result as ops.c prints it ("0xRESULT ERRNO"). */
    private String apply(SyntheticProcess p, String op) {
        String[] f = op.split(",");
        long[] n = new long[f.length];
        for (int i = 1; i < f.length; i++) {
            n[i] = f[i].equals("r") || f[i].equals("w") ? 0 : Long.decode(f[i]);
        }
        try {
            long rc = switch (f[0]) {
                case "map" -> p.mmap(arena + n[1], n[2], (int) n[3], (int) n[4], f.length > 5 ? files.get((int) n[5]) : null,
                        f.length > 6 ? n[6] : 0);
                case "mapany" -> {
                    long a = p.mmap(0, n[1], (int) n[2], (int) n[3], f.length > 4 ? files.get((int) n[4]) : null,
                            f.length > 5 ? n[5] : 0);
                    extraRanges.add(new long[] {a, a + SyntheticProcess.pageAlign(n[1])});
                    yield a;
                }
                case "touch" -> {
                    p.touch(arena + n[1], n[2], f[3].equals("w"));
                    yield 0;
                }
                case "madvise" -> p.madvise(arena + n[1], n[2], (int) n[3]);
                case "mprotect" -> p.mprotect(arena + n[1], n[2], (int) n[3]);
                case "munmap" -> p.munmap(arena + n[1], n[2]);
                case "mlock" -> p.mlock(arena + n[1], n[2]);
                case "munlock" -> p.munlock(arena + n[1], n[2]);
                default -> throw new IllegalArgumentException("unknown op " + op);
            };
            return "0x" + Long.toHexString(rc) + " 0";
        } catch (SyscallException e) {
            return "0xffffffffffffffff " + e.errno();
        }
    }

    int childPid() {
        return Integer.parseInt(kernel.value("child"));
    }

    /** VMAs, pages and PMD mappings of the arena and the mapany ranges, in parent and child. */
    int assertSameMemory() throws Exception {
        List<long[]> ranges = new ArrayList<>(extraRanges);
        ranges.add(new long[] {arena, arenaEnd});
        List<KernelComparison.Side> sides = new ArrayList<>();
        for (long[] r : ranges) {
            KernelComparison.assertSameVmas(kernel.pid(), model.mm(), r[0], r[1]);
            KernelComparison.assertSameHuge(kernel.pid(), model.mm(), r[0], r[1]);
            sides.add(new KernelComparison.Side("parent", kernel.pid(), model.mm(), r[0], r[1]));
        }
        if (modelChild != null) {
            KernelComparison.assertSameVmas(childPid(), modelChild.mm(), arena, arenaEnd);
            KernelComparison.assertSameHuge(childPid(), modelChild.mm(), arena, arenaEnd);
            sides.add(new KernelComparison.Side("child", childPid(), modelChild.mm(), arena, arenaEnd));
        }
        return KernelComparison.assertSamePages(sides, KernelComparison.FILE_STATE,
                a -> "arena+0x" + Long.toHexString(a - arena));
    }

    @Override
    public void close() {
        kernel.close();
    }
}
