package io.pagewalk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.cli.PagewalkCli;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.procfs.MapsEntry;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.procfs.ProcMaps;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every example script, run through the CLI on the fixture process, and its figures checked
 * against what the kernel says about the same process. The fixture holds still after its report,
 * so the kernel's files read here describe what the CLI imported.
 */
class ExamplesTest {
    private static FixtureProcess fx;

    @BeforeAll
    static void start() throws Exception {
        fx = FixtureProcess.start("all");
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    record Result(int code, String out, String err) {}

    private static Result run(String example, String... scriptArgs) {
        Path script = Path.of(System.getProperty("pagewalk.examples.dir", ".")).resolve(example);
        assertTrue(Files.isRegularFile(script), script.toString());
        String[] cli = new String[4 + (scriptArgs.length > 0 ? scriptArgs.length + 1 : 0)];
        cli[0] = "run";
        cli[1] = script.toString();
        cli[2] = "--pid";
        cli[3] = Integer.toString(fx.pid());
        if (scriptArgs.length > 0) {
            cli[4] = "--";
            System.arraycopy(scriptArgs, 0, cli, 5, scriptArgs.length);
        }
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = PagewalkCli.execute(cli);
            Result r = new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
            assertEquals(0, r.code, example + ": " + r.err);
            return r;
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** The fixture's VMAs below TASK_SIZE (the gate VMA is outside the mm). */
    private static List<MapsEntry> userVmas() throws Exception {
        return ProcMaps.readMaps(fx.pid()).stream().filter(m -> m.start() >= 0).toList();
    }

    @Test
    void countPtesTotalsEqualThePresentAndEmptyPagesOfPagemap() throws Exception {
        long present = 0;
        try (PagemapReader pm = PagemapReader.open(fx.pid())) {
            for (MapsEntry m : userVmas()) {
                for (long e : pm.read(m.start(), m.end())) {
                    present += PagemapEntry.present(e) ? 1 : 0;
                }
            }
        }
        Matcher total = Pattern.compile("total: (\\d+) present \\+ (\\d+) in huge PMDs, (\\d+) swapped")
                .matcher(run("count-ptes.js").out());
        assertTrue(total.find());
        assertEquals(512, Long.parseLong(total.group(2)), "the fixture's one PMD-mapped THP");
        assertEquals(present, Long.parseLong(total.group(1)) + Long.parseLong(total.group(2)));
        assertTrue(Long.parseLong(total.group(3)) >= 2, "at least the two guard markers are swap-type entries");
    }

    @Test
    void rssByMappingSumsToTheKernelsRss() throws Exception {
        String out = run("rss-by-mapping.js", "1000").out();
        long rssKb = 0;
        for (String line : out.lines().skip(1).toList()) {
            rssKb += Long.parseLong(line.trim().split("\\s+")[0]);
        }
        String rollup = Files.readString(Path.of("/proc/" + fx.pid() + "/smaps_rollup"));
        Matcher m = Pattern.compile("(?m)^Rss:\\s+(\\d+) kB").matcher(rollup);
        assertTrue(m.find());
        assertEquals(Long.parseLong(m.group(1)), rssKb);
        assertTrue(out.contains("[anon]"), out);
    }

    @Test
    void holesReportsTheGapsBetweenVmasExactly() throws Exception {
        List<MapsEntry> vmas = userVmas();
        long gaps = vmas.getFirst().start();
        for (int i = 1; i < vmas.size(); i++) {
            gaps += vmas.get(i).start() - vmas.get(i - 1).end();
        }
        long pfnmap = ProcMaps.readSmaps(fx.pid()).stream().filter(v -> v.hasFlag(VmFlags.VM_PFNMAP))
                .mapToLong(v -> v.end() - v.start()).sum();
        String out = run("holes.js").out();
        Matcher m = Pattern.compile("(?m)^gap \\(no VMA\\)\\s+(\\d+) kB").matcher(out);
        assertTrue(m.find(), out);
        assertEquals(gaps / 1024, Long.parseLong(m.group(1)));
        // PFNMAP VMAs ([vvar]) are not walked: the walker reports each as one hole with the VMA set.
        Matcher p = Pattern.compile("(?m)^VM_PFNMAP VMA\\s+(\\d+) kB").matcher(out);
        assertEquals(pfnmap > 0, p.find(), out);
        if (pfnmap > 0) {
            assertEquals(pfnmap / 1024, Long.parseLong(p.group(1)));
        }
        assertTrue(out.contains("PMD"), "VMAs with unpopulated PMD ranges: " + out);
    }

    @Test
    void folioAtTellsThePmdThpASmallPageAndNothing() {
        FixtureProcess.Region thp = fx.region("thp");
        String mid = "0x" + Long.toHexString(thp.start() + 5 * 4096);
        String anon = "0x" + Long.toHexString(fx.region("anon").start());
        String untouched = "0x" + Long.toHexString(fx.region("zero.untouched").start());
        List<String> lines = run("folio-at.js", mid, anon, untouched).out().lines().toList();
        assertTrue(lines.get(0).startsWith(mid + ": PMD entry") && lines.get(0).contains("order 9"), lines.get(0));
        assertTrue(lines.get(0).contains("thp"), lines.get(0));
        assertTrue(lines.get(1).startsWith(anon + ": PTE entry") && lines.get(1).contains("order 0")
                && lines.get(1).contains("anon"), lines.get(1));
        assertEquals(untouched + ": no folio ()", lines.get(2).replace("[anon]", ""));
    }
}
