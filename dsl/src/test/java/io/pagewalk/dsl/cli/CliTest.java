package io.pagewalk.dsl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's main, in process: exit codes, one-line errors, --stats, --repeat, script args. */
public class CliTest {
    @TempDir
    Path dir;

    /** The CLI's exit code and what it printed. */
    public record Result(int code, String out, String err) {}

    /** Runs the CLI's main in this JVM, capturing standard output and error. */
    public static Result cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = PagewalkCli.execute(args);
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    Path script(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static void oneErrorLine(Result r, int code, String contains) {
        assertEquals(code, r.code, r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.contains(contains), r.err);
    }

    @Test
    void runsAScriptWithArgsAndPrintsStats() throws IOException {
        Path s = script("hello.js", "console.log('args=' + args.join(',') + ' mm=' + typeof mm + ' ' + (_PAGE_NX >> 63n));\n");
        Result r = cli("run", s.toString(), "--stats", "--repeat", "3", "--", "a", "b c");
        assertEquals(0, r.code, r.err);
        assertEquals("args=a,b c mm=undefined 1\n".repeat(3), r.out);
        Matcher m = Pattern.compile("(?m)^stats (\\{.*\\})$").matcher(r.err);
        assertTrue(m.find(), r.err);
        String json = m.group(1);
        assertTrue(json.matches(".*\"import_ms\":\\d+.*"), json);
        assertTrue(json.matches(".*\"walk_ms\":\\[[0-9.]+,[0-9.]+,[0-9.]+\\].*"), json);
        assertTrue(json.matches(".*\"entries\":0.*"), json);
    }

    /** A walk over a model the script makes, counting present PTEs in a hook that compiles (or, with a string, does not). */
    private static final String COUNT = """
            const m = mm_create();
            const a = m.mmap(0, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
            m.touch(a, 8 * PAGE_SIZE, true);
            const st = { n: 0 };
            const ops = {
                pte_entry(pte, addr, next, walk) {
                    if (pte_present(pte)) st.n++;%s
                    return 0;
                },
            };
            walk_page_range(m, a, a + 16 * PAGE_SIZE, ops, null);
            print('present ' + st.n);
            """;

    @Test
    void explainSaysWhichHooksWereCompiled() throws IOException {
        Path s = script("count.js", COUNT.formatted(""));
        Result r = cli("run", s.toString(), "--explain", "--stats");
        assertEquals(0, r.code, r.err);
        assertEquals("present 8\n", r.out);
        assertTrue(r.err.contains("pagewalk: explain: pte_entry (count.js:6): compiled"), r.err);
        // the walk's calls are counted whichever engine ran the hook
        assertTrue(r.err.matches("(?s).*\"entries\":16[,}].*"), r.err);
    }

    @Test
    void explainNamesTheFirstConstructOutsideTheSubset() throws IOException {
        Path s = script("count.js", COUNT.formatted("\n                    if (st.n > 100) print('many');"));
        Result r = cli("run", s.toString(), "--explain");
        assertEquals(0, r.code, r.err);
        assertEquals("present 8\n", r.out);
        assertTrue(r.err.contains("pagewalk: explain: pte_entry (count.js:6): GraalJS, count.js:8: a string literal"), r.err);
    }

    @Test
    void compileAlwaysFailsWithTheConstructAndCompileNeverUsesGraalJs() throws IOException {
        Path s = script("count.js", COUNT.formatted("\n                    if (st.n > 100) print('many');"));
        oneErrorLine(cli("run", s.toString(), "--compile=always"), 1,
                "--compile=always, but the hooks are not in the compiled subset: count.js:8: a string literal");
        Path ok = script("ok.js", COUNT.formatted(""));
        Result r = cli("run", ok.toString(), "--compile=never", "--explain");
        assertEquals(0, r.code, r.err);
        assertEquals("present 8\n", r.out);
        assertTrue(r.err.contains("pagewalk: explain: pte_entry (ok.js:6): GraalJS (--compile=never)"), r.err);
        oneErrorLine(cli("run", ok.toString(), "--compile=sometimes"), 2, "--compile must be auto, always or never, got sometimes");
    }

    @Test
    void pluginDirectoryRunsItsMainJs() throws IOException {
        Path plugin = Files.createDirectory(dir.resolve("plugin"));
        Files.writeString(plugin.resolve("main.js"), "print('plugin ' + PAGE_SIZE);\n");
        Result r = cli("run", plugin.toString());
        assertEquals(0, r.code, r.err);
        assertEquals("plugin 4096\n", r.out);
    }

    @Test
    void scriptErrorIsOneLineWithFileAndLine() throws IOException {
        Path s = script("broken.js", "print('before');\nnull.x;\n");
        Result r = cli("run", s.toString());
        oneErrorLine(r, PagewalkCli.EXIT_SCRIPT, "broken.js:2: TypeError");
        assertEquals("before\n", r.out);
    }

    @Test
    void timeoutStopsARunawayScript() throws IOException {
        Path s = script("spin.js", "for (;;) {}\n");
        long t0 = System.nanoTime();
        Result r = cli("run", s.toString(), "--timeout", "1");
        oneErrorLine(r, PagewalkCli.EXIT_SCRIPT, "spin.js: stopped after the timeout of 1 s");
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
    }

    @Test
    void missingScriptFileIsAUsageError() {
        oneErrorLine(cli("run", dir.resolve("nope.js").toString()), PagewalkCli.EXIT_USAGE, "nope.js: no such script file");
    }

    @Test
    void wrongPidIsAUsageError() throws IOException {
        Path s = script("ok.js", "1;\n");
        oneErrorLine(cli("run", s.toString(), "--pid", "999999999"), PagewalkCli.EXIT_USAGE, "no process with pid 999999999");
    }

    @Test
    void missingSnapshotIsAUsageError() throws IOException {
        Path s = script("ok.js", "1;\n");
        oneErrorLine(cli("run", s.toString(), "--snapshot", dir.resolve("x.snap").toString()), PagewalkCli.EXIT_USAGE,
                "no such snapshot file");
    }

    /** A snapshot of a process walks exactly as the process did. */
    @Test
    void snapshotThenRunGivesTheLiveResult() throws Exception {
        Path s = script("sum.js", """
                let present = 0, holes = 0;
                walk_page_range(mm, 0, -1, { pte_entry(pte) { if (pte_present(pte)) present++; },
                                             pte_hole(a, n) { holes += n - a; } }, null);
                print(mm.vmas.length + ' ' + present + ' ' + holes);
                """);
        Process target = new ProcessBuilder("sleep", "60").start();
        try {
            Path snap = dir.resolve("sleep.snap");
            Result w = cli("snapshot", "--pid", Long.toString(target.pid()), "-o", snap.toString(), "--freeze");
            assertEquals(0, w.code, w.err);
            Result fromSnapshot = cli("run", s.toString(), "--snapshot", snap.toString());
            assertEquals(0, fromSnapshot.code, fromSnapshot.err);
            Result live = cli("run", s.toString(), "--pid", Long.toString(target.pid()));
            assertEquals(live.out, fromSnapshot.out);
            assertTrue(live.out.matches("\\d+ [1-9]\\d* [1-9]\\d*\\n"), live.out);
            Files.writeString(snap, "not a snapshot");
            oneErrorLine(cli("run", s.toString(), "--snapshot", snap.toString()), PagewalkCli.EXIT_USAGE, "sleep.snap");
        } finally {
            target.destroyForcibly().waitFor();
        }
    }

    @Test
    void snapshotOfAMissingProcessIsOneLine() {
        oneErrorLine(cli("snapshot", "--pid", "999999999", "-o", dir.resolve("x.snap").toString()), PagewalkCli.EXIT_USAGE,
                "no process with pid 999999999");
        assertTrue(!Files.exists(dir.resolve("x.snap")), "no half-written file");
    }

    @Test
    void badOptionsAreOneLine() {
        oneErrorLine(cli("run"), PagewalkCli.EXIT_USAGE, "Missing required parameter");
        oneErrorLine(cli("frobnicate"), PagewalkCli.EXIT_USAGE, "frobnicate");
        oneErrorLine(cli("run", "x.js", "--repeat", "many"), PagewalkCli.EXIT_USAGE, "many");
    }

    @Test
    void demoRunsTheSmapsRollupPluginAndMatchesTheKernel() {
        Result r = cli("demo");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("smaps_rollup plugin"), r.out);
        for (String field : new String[] {"Rss", "Pss", "Anonymous", "Private_Dirty", "AnonHugePages", "Locked"}) {
            Matcher m = Pattern.compile("(?m)^" + field + ":\\s+(\\d+) kB\\s+(\\d+) kB").matcher(r.out);
            assertTrue(m.find(), field + ":\n" + r.out);
            long ours = Long.parseLong(m.group(1));
            long kernel = Long.parseLong(m.group(2));
            if (field.startsWith("Pss")) {
                // Pss shares file pages with every other process mapping them, which come and go.
                assertTrue(Math.abs(ours - kernel) <= kernel / 100, field + " differs from the kernel's:\n" + r.out);
            } else {
                // The target is idle while it is imported and its smaps_rollup read.
                assertEquals(kernel, ours, field + " differs from the kernel's:\n" + r.out);
            }
        }
        assertTrue(Long.parseLong(r.out.replaceAll("(?s).*\\nRss:\\s+(\\d+).*", "$1")) > 0, r.out);
        assertTrue(r.out.contains("(needs the PTE young bit, which is not exported)"), r.out);
    }

    @Test
    void runsOnALiveProcess() throws Exception {
        Path s = script("count.js", """
                let present = 0;
                walk_page_range(mm, 0, -1, { pte_entry(pte) { if (pte_present(pte)) present++; } }, null);
                print(mm.pid + ' ' + (mm.vmas.length > 3) + ' ' + (present > 10));
                """);
        Process target = new ProcessBuilder("sleep", "60").start();
        try {
            Result r = cli("run", s.toString(), "--pid", Long.toString(target.pid()), "--stats");
            assertEquals(0, r.code, r.err);
            assertEquals(target.pid() + " true true\n", r.out);
            assertTrue(r.err.matches("(?s).*\"entries\":[1-9][0-9]*.*"), r.err);
        } finally {
            target.destroyForcibly().waitFor();
        }
    }

    /** Without JVMCI (plain java), the CLI says once that it interprets, and GraalJS's own warning is off. */
    @Test
    void withoutTheCompilerOneLineSaysScriptsAreInterpreted() throws Exception {
        String cp = System.getProperty("surefire.test.class.path");
        org.junit.jupiter.api.Assumptions.assumeTrue(cp != null, "needs surefire's class path");
        Path s = script("one.js", "print(6 * 7);\n");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
                "-cp", cp,
                PagewalkCli.class.getName(), "run", s.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        assertEquals("42\n", out);
        assertEquals("pagewalk: the GraalJS optimizing compiler is not available on this JVM; scripts run interpreted (slower)\n",
                err);
    }
}
