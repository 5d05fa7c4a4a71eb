package io.pagewalk.runtime.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the C test fixture ({@code src/test/c/fixture.c}, shipped in the test-jar as
 * {@code io/pagewalk/runtime/testing/fixture.c}) and exposes the address space it built.
 *
 * <p>The source is compiled with gcc once per content hash into {@code target/pagewalk-fixture/}
 * (relative to the working directory, which surefire sets to the module directory; override
 * with {@code -Dpagewalk.fixture.dir=...}). The fixture prints a line report and then holds
 * still until its stdin closes; {@link #close()} kills it (and its fork child dies through
 * PR_SET_PDEATHSIG).
 *
 * <p>Words (see the head of fixture.c): {@code anon[=N] zero thp thpsplit fileprivate
 * fileshared shmem fork mlock guard protnone free pageout}; none, or {@code all}, selects every
 * part. Report lines: {@code pid N}, {@code child N}, {@code region NAME 0xSTART 0xEND},
 * {@code note NAME TEXT}, and the final {@code ready}.
 *
 * <pre>{@code
 * try (FixtureProcess fx = FixtureProcess.start("anon", "zero")) {
 *     FixtureProcess.Region anon = fx.region("anon");
 *     long[] entries = reader.read(anon.start(), anon.end());
 * }
 * }</pre>
 */
public final class FixtureProcess implements AutoCloseable {

    /** A named address range of the fixture, end exclusive. */
    public record Region(String name, long start, long end) {
        public long size() {
            return end - start;
        }

        public int pages() {
            return (int) ((end - start) >>> 12);
        }

        /** The address of page {@code i} of the region. */
        public long page(int i) {
            return start + ((long) i << 12);
        }

        public boolean contains(long address) {
            return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
        }
    }

    private final Process process;
    private final int pid;
    private final int childPid;
    private final Map<String, Region> regions;
    private final Map<String, String> notes;
    private final List<String> report;

    private FixtureProcess(Process process, int pid, int childPid, Map<String, Region> regions,
                           Map<String, String> notes, List<String> report) {
        this.process = process;
        this.pid = pid;
        this.childPid = childPid;
        this.regions = regions;
        this.notes = notes;
        this.report = report;
    }

    /** Compiles (if needed) and starts the fixture with the given words; returns once it is ready. */
    public static FixtureProcess start(String... words) throws IOException {
        return startWith(List.of(), words);
    }

    /**
     * Like {@link #start}, with the fixture run through {@code launcher} (a command that execs
     * the rest of its arguments, such as {@code setpriv --reuid=65534 ...}), so that the fixture
     * keeps the pid of the started process.
     */
    public static FixtureProcess startWith(List<String> launcher, String... words) throws IOException {
        Path binary = binary();
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(binary.toString());
        cmd.addAll(Arrays.asList(words));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        try {
            return readReport(p, String.join(" ", words));
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static FixtureProcess readReport(Process p, String words) throws IOException {
        List<String> report = CProgram.readUntilReady(p, "fixture [" + words + "]");
        int pid = -1;
        int child = -1;
        Map<String, Region> regions = new LinkedHashMap<>();
        Map<String, String> notes = new LinkedHashMap<>();
        for (String line : report) {
            String[] f = line.split(" ", 3);
            switch (f[0]) {
                case "pid" -> pid = Integer.parseInt(f[1]);
                case "child" -> child = Integer.parseInt(f[1]);
                case "region" -> {
                    String[] se = f[2].split(" ");
                    regions.put(f[1], new Region(f[1], Long.parseUnsignedLong(se[0].substring(2), 16),
                            Long.parseUnsignedLong(se[1].substring(2), 16)));
                }
                case "note" -> notes.merge(f[1], f.length > 2 ? f[2] : "", (a, b) -> a + " " + b);
                case "ready" -> {
                }
                default -> throw new IOException("unexpected fixture line: " + line);
            }
        }
        if (pid != p.pid()) {
            throw new IOException("fixture reported pid " + pid + " but runs as " + p.pid());
        }
        return new FixtureProcess(p, pid, child, Collections.unmodifiableMap(regions),
                Collections.unmodifiableMap(notes), List.copyOf(report));
    }

    /** The compiled fixture, built on first use and cached by the source's hash ({@link CProgram#binary}). */
    public static Path binary() throws IOException {
        return CProgram.binary("fixture.c");
    }

    public int pid() {
        return pid;
    }

    /** The pid of the fork child that shares the "fork" region, or -1 without "fork". */
    public int childPid() {
        return childPid;
    }

    public Process process() {
        return process;
    }

    /** The named region; throws if the fixture did not report it (word not selected). */
    public Region region(String name) {
        Region r = regions.get(name);
        if (r == null) {
            throw new IllegalArgumentException("fixture has no region '" + name + "'; it has " + regions.keySet());
        }
        return r;
    }

    public Map<String, Region> regions() {
        return regions;
    }

    /** The fixture's notes by name (for example {@code pageout -> "rc=0 present=8"}). */
    public Map<String, String> notes() {
        return notes;
    }

    /**
     * Whether read faults mapped the shared zero page ("zero" part only): false on kernels booted
     * with {@code pvm_no_zero_page=1}, where a read fault allocates a private zeroed page.
     */
    public boolean readFaultsMapZeroPage() {
        String v = notes.get("zeropage");
        if (v == null) {
            throw new IllegalStateException("the fixture was started without the \"zero\" part");
        }
        return v.equals("yes");
    }

    /** The raw report lines, for failure messages. */
    public List<String> report() {
        return report;
    }

    /** Kills the fixture (SIGKILL) and its fork child, and waits for the fixture to be reaped. */
    @Override
    public void close() {
        process.destroyForcibly();
        if (childPid > 0) {
            ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
