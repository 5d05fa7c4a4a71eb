package io.pagewalk.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.reports.Smaps;
import io.pagewalk.runtime.testing.FixtureProcess;
import io.pagewalk.runtime.testing.SmapsText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The smaps and smaps_rollup plugins on a live import of the fixture: byte for byte what the
 * Java reference (runtime's reports.Smaps) prints for the same model, and field by field what the
 * kernel prints for the process, as runtime's SmapsTest checks the reference: Referenced (PTE
 * young bit) and SwapPss (swap count) are not visible to userspace and only bounded; fields that
 * depend on how many processes map a page are exact for the fixture's own memory and bounded for
 * system files, whose mapcounts move with every process on the machine.
 */
class SmapsPluginTest {
    static final Set<String> BOUNDED = Set.of("Referenced", "SwapPss");
    static final Set<String> MAPCOUNT_DEPENDENT = Set.of("Pss", "Pss_Dirty", "Pss_Anon", "Pss_File", "Pss_Shmem",
            "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Locked");

    private static FixtureProcess fx;
    private static MmStruct mm;
    private static String kernelSmaps;
    private static String kernelRollup;

    @BeforeAll
    static void start() throws Exception {
        fx = FixtureProcess.start("all");
        mm = LiveImport.importProcess(fx.pid(), new ImportOptions(false, w -> { }));
        // Read right after the import: the fixture's shared file pages are written back (and made
        // clean) once they have been dirty for dirty_expire_centisecs, 30 s by default.
        kernelSmaps = Files.readString(Path.of("/proc/" + fx.pid() + "/smaps"));
        kernelRollup = Files.readString(Path.of("/proc/" + fx.pid() + "/smaps_rollup"));
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void smapsPluginPrintsExactlyWhatTheJavaReferencePrints() throws Exception {
        String plugin = PluginHarness.runPlugin("smaps", mm);
        assertEquals(Smaps.smaps(mm), plugin);
    }

    @Test
    void smapsRollupPluginPrintsExactlyWhatTheJavaReferencePrints() throws Exception {
        String plugin = PluginHarness.runPlugin("smaps_rollup", mm);
        assertEquals(Smaps.smapsRollup(mm), plugin);
    }

    @Test
    void smapsPluginMatchesTheKernelOnEveryReproducibleField() throws Exception {
        Map<String, Map<String, String>> kernel = SmapsText.parse(kernelSmaps);
        Map<String, Map<String, String>> plugin = SmapsText.parse(PluginHarness.runPlugin("smaps", mm));
        assertEquals(kernel.keySet(), plugin.keySet(), "the same header lines, [vsyscall] last");
        int compared = 0;
        for (var e : plugin.entrySet()) {
            Map<String, String> k = kernel.get(e.getKey());
            Map<String, String> m = e.getValue();
            assertEquals(k.keySet(), m.keySet(), "fields and their order: " + e.getKey());
            boolean onlyThisProcess = e.getKey().endsWith(" 0 ") || e.getKey().endsWith("[heap]")
                    || e.getKey().endsWith("[stack]") || e.getKey().endsWith(" (deleted)");
            for (String field : m.keySet()) {
                String where = e.getKey() + " " + field;
                if (BOUNDED.contains(field)) {
                    assertTrue(SmapsText.kb(m.get(field)) <= SmapsText.kb(m.get(field.equals("Referenced") ? "Rss" : "Swap")), where);
                } else if (!onlyThisProcess && MAPCOUNT_DEPENDENT.contains(field)) {
                    assertTrue(SmapsText.kb(m.get(field)) <= SmapsText.kb(m.get("Rss")), where);
                } else if (field.equals("THPeligible") && m.get(field).equals("?")) {
                    continue;
                } else {
                    assertEquals(k.get(field), m.get(field), where);
                    compared++;
                }
            }
        }
        assertTrue(compared > plugin.size() * 15, "compared " + compared + " fields of " + plugin.size() + " VMAs");
        // The fixture's characteristic parts, so that a plugin printing zeros everywhere fails.
        assertEquals("2048 kB", byStart(plugin, fx.region("thp").start()).get("AnonHugePages"));
        assertEquals("16 kB", byStart(plugin, fx.region("fork").start()).get("Pss"), "8 pages shared with a child");
        assertEquals("32 kB", byStart(plugin, fx.region("free").start()).get("LazyFree"));
    }

    @Test
    void smapsRollupPluginMatchesTheKernelOnEveryReproducibleField() throws Exception {
        String kernelText = kernelRollup;
        String pluginText = PluginHarness.runPlugin("smaps_rollup", mm);
        assertEquals(kernelText.lines().findFirst().orElseThrow(), pluginText.lines().findFirst().orElseThrow(),
                "header: first VMA start to last VMA end, [rollup]");
        Map<String, String> kernel = SmapsText.parse(kernelText).values().iterator().next();
        Map<String, String> plugin = SmapsText.parse(pluginText).values().iterator().next();
        assertEquals(kernel.keySet(), plugin.keySet(), "fields and their order");
        for (String field : plugin.keySet()) {
            if (BOUNDED.contains(field)) {
                assertTrue(SmapsText.kb(plugin.get(field)) <= SmapsText.kb(plugin.get(field.equals("Referenced") ? "Rss" : "Swap")), field);
            } else if (MAPCOUNT_DEPENDENT.contains(field)) {
                // Sums over libc & co. move with other processes; bounded here, exact per VMA above.
                assertTrue(SmapsText.kb(plugin.get(field)) <= SmapsText.kb(plugin.get("Rss")), field);
            } else {
                assertEquals(kernel.get(field), plugin.get(field), field);
            }
        }
    }

    @Test
    void theCliFindsThePluginsByNameAndRunsTheirIncludes() throws Exception {
        // As ./pagewalk does it: -Dpagewalk.home is the repository, whose plugins/ holds smaps_rollup,
        // which includes ../smaps/smaps-accounting.js.
        System.setProperty("pagewalk.home", PluginHarness.pluginsDir().getParent().toString());
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
            code = io.pagewalk.dsl.cli.PagewalkCli.execute("run", "smaps_rollup", "--pid", Integer.toString(fx.pid()));
        } finally {
            System.setOut(out);
            System.clearProperty("pagewalk.home");
        }
        assertEquals(0, code);
        Map<String, String> cli = SmapsText.parse(buf.toString(java.nio.charset.StandardCharsets.UTF_8)).values().iterator().next();
        Map<String, String> kernel = SmapsText.parse(kernelRollup).values().iterator().next();
        assertEquals(kernelRollup.lines().findFirst().orElseThrow(),
                buf.toString(java.nio.charset.StandardCharsets.UTF_8).lines().findFirst().orElseThrow());
        for (String field : List.of("Rss", "Anonymous", "AnonHugePages", "LazyFree", "Swap")) {
            assertEquals(kernel.get(field), cli.get(field), field);
        }
    }

    static Map<String, String> byStart(Map<String, Map<String, String>> smaps, long start) {
        String prefix = Long.toHexString(start) + "-";
        return smaps.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).findFirst().orElseThrow().getValue();
    }
}
