package io.pagewalk.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.api.ScriptException;
import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.procfs.PagemapEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pagemap plugin on a live import of the fixture against the kernel's /proc/PID/pagemap of
 * the same process, entry for entry over every part of the fixture (anonymous, zero-page reads,
 * THP, split THP, file private and shared, shmem, fork-shared, mlocked, guard markers,
 * PROT_NONE, MADV_FREE, MADV_PAGEOUT). Every bit is visible to userspace, so every bit is compared.
 */
class PagemapPluginTest {
    private static FixtureProcess fx;
    private static MmStruct mm;
    private static final Map<String, long[]> kernel = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        fx = FixtureProcess.start("all");
        mm = LiveImport.importProcess(fx.pid(), new ImportOptions(false, w -> { }));
        try (PagemapReader reader = PagemapReader.open(fx.pid())) {
            for (FixtureProcess.Region r : fx.regions().values()) {
                kernel.put(r.name(), reader.read(r.start(), r.end()));
            }
        }
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void everyEntryOfEveryFixtureRegionEqualsTheKernels() throws Exception {
        List<String> wrong = new ArrayList<>();
        long present = 0;
        long swapped = 0;
        for (FixtureProcess.Region r : fx.regions().values()) {
            long[] expected = kernel.get(r.name());
            long[] got = entries(PluginHarness.runPlugin("pagemap", mm, "0x" + Long.toHexString(r.start()),
                    "0x" + Long.toHexString(r.end())), r.start(), r.pages());
            for (int i = 0; i < expected.length; i++) {
                if (expected[i] != got[i]) {
                    wrong.add(r.name() + "+" + i + ": kernel " + Long.toHexString(expected[i]) + " plugin "
                            + Long.toHexString(got[i]));
                }
                present += PagemapEntry.present(expected[i]) ? 1 : 0;
                swapped += PagemapEntry.swapped(expected[i]) ? 1 : 0;
            }
        }
        assertEquals(List.of(), wrong.size() > 20 ? wrong.subList(0, 20) : wrong);
        assertTrue(present > 512 && swapped > 0, "the fixture has present and swapped (guard) pages: "
                + present + " present, " + swapped + " swapped");
    }

    @Test
    void aRangeOverAGapReadsZeroBetweenVmasAndPagesAreAligned() throws Exception {
        // The guard region's VMA with one page before it: the plugin walks gaps as holes too.
        FixtureProcess.Region thp = fx.region("thp");
        String out = PluginHarness.runPlugin("pagemap", mm, Long.toString(thp.start() + 5), "0x" + Long.toHexString(thp.start() + 3 * 4096 - 1));
        long[] e = entries(out, thp.start(), 3);
        assertEquals(kernel.get("thp")[0], e[0], "start rounds down to its page");
        assertEquals(kernel.get("thp")[2], e[2], "end rounds up");
    }

    @Test
    void withoutARangeEveryVmaIsPrintedAndTheFixturesPagesAreTheKernels() throws Exception {
        String out = PluginHarness.runPlugin("pagemap", mm);
        long pages = mm.vmas().stream().mapToLong(v -> (v.end() - v.start()) >>> 12).sum();
        assertEquals(pages, out.lines().count(), "one line per page of every VMA, none for the gaps");
        Map<Long, Long> byAddr = new java.util.HashMap<>();
        out.lines().forEach(l -> byAddr.put(Long.parseUnsignedLong(l.substring(0, 16), 16),
                Long.parseUnsignedLong(l.substring(17), 16)));
        for (FixtureProcess.Region r : fx.regions().values()) {
            for (int i = 0; i < r.pages(); i++) {
                assertEquals(kernel.get(r.name())[i], byAddr.get(r.page(i)), r.name() + "+" + i);
            }
        }
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        ScriptException e = org.junit.jupiter.api.Assertions.assertThrows(ScriptException.class,
                () -> PluginHarness.runPlugin("pagemap", mm, "zz", "0x1000"));
        assertTrue(e.getMessage().contains("pagemap: start \"zz\" is not an address"), e.getMessage());
    }

    /** The plugin's "ADDRESS ENTRY" lines for [start, start + pages * 4096), checked to be exactly those. */
    static long[] entries(String out, long start, int pages) {
        String[] lines = out.strip().split("\n");
        assertEquals(pages, lines.length, "one line per page");
        long[] e = new long[pages];
        for (int i = 0; i < pages; i++) {
            String[] f = lines[i].split(" ");
            assertEquals(start + (long) i * 4096, Long.parseUnsignedLong(f[0], 16), "address of line " + i);
            e[i] = Long.parseUnsignedLong(f[1], 16);
        }
        return e;
    }
}
