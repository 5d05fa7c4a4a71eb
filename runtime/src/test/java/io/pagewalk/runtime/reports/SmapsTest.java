package io.pagewalk.runtime.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.testing.FixtureProcess;
import io.pagewalk.runtime.testing.SmapsText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Smaps} over a live import of the fixture against the kernel's own /proc/PID/smaps and
 * smaps_rollup of the same process. Fields userspace can reproduce must be equal; the others are
 * bounded: Referenced needs the PTE young bit (not exported), SwapPss the swap count (not
 * exported). The fixture holds still after its report (see fixture.c), so the kernel's files read
 * after the import describe the same state.
 */
class SmapsTest {
    /** What no page walk over userspace-visible state can reproduce exactly. */
    private static final Set<String> BOUNDED = Set.of("Referenced", "SwapPss");
    /**
     * Fields that depend on how many processes map a page. For system files (libc, ld.so) that
     * number moves whenever any process on the machine starts or exits, between the import and
     * the kernel's read: there they are bounded, not compared.
     */
    private static final Set<String> MAPCOUNT_DEPENDENT = Set.of("Pss", "Pss_Dirty", "Pss_Anon", "Pss_File",
            "Pss_Shmem", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Locked");

    private static FixtureProcess fx;
    private static MmStruct mm;

    @BeforeAll
    static void start() throws Exception {
        fx = FixtureProcess.start("all");
        mm = LiveImport.importProcess(fx.pid(), new ImportOptions(false, w -> { }));
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void everyReproducibleFieldOfEveryVmaEqualsTheKernels() throws Exception {
        Map<String, Map<String, String>> kernel = SmapsText.parse(Files.readString(Path.of("/proc/" + fx.pid() + "/smaps")));
        Map<String, Map<String, String>> model = SmapsText.parse(Smaps.smaps(mm));
        assertEquals(kernel.keySet(), model.keySet(), "the same VMAs, [vsyscall] last");
        int thpKnown = 0;
        for (Map.Entry<String, Map<String, String>> e : model.entrySet()) {
            Map<String, String> k = kernel.get(e.getKey());
            Map<String, String> m = e.getValue();
            assertEquals(k.keySet(), m.keySet(), e.getKey());
            // Anonymous memory and the files the fixture made itself ("(deleted)"); not libc,
            // ld.so, the vDSO or the fixture binary, which other processes map too.
            boolean onlyThisProcess = e.getKey().endsWith(" 0 ") || e.getKey().endsWith("[heap]")
                    || e.getKey().endsWith("[stack]") || e.getKey().endsWith(" (deleted)");
            for (String field : m.keySet()) {
                String where = e.getKey() + " " + field;
                if (!onlyThisProcess && MAPCOUNT_DEPENDENT.contains(field)) {
                    assertTrue(SmapsText.kb(m.get(field)) <= SmapsText.kb(m.get("Rss")), where);
                } else if (BOUNDED.contains(field)) {
                    assertTrue(SmapsText.kb(m.get(field)) <= SmapsText.kb(m.get(field.equals("Referenced") ? "Rss" : "Swap")), where);
                } else if (field.equals("THPeligible") && m.get(field).equals("?")) {
                    continue;
                } else {
                    assertEquals(k.get(field), m.get(field), where);
                }
            }
            thpKnown += m.get("THPeligible").equals("?") ? 0 : 1;
        }
        assertTrue(thpKnown > model.size() / 2, "THPeligible known for " + thpKnown + " of " + model.size());
    }

    @Test
    void theFixturesKnownPartsShowTheirCharacteristicCounters() {
        Map<String, Map<String, String>> model = SmapsText.parse(Smaps.smaps(mm));
        Map<String, String> thp = byStart(model, fx.region("thp").start());
        assertEquals("2048 kB", thp.get("AnonHugePages"));
        assertEquals("1", thp.get("THPeligible"));
        Map<String, String> fork = byStart(model, fx.region("fork").start());
        assertEquals("16 kB", fork.get("Pss"), "8 pages shared with the fork child: half of 32 kB");
        assertEquals("32 kB", fork.get("Shared_Dirty"));
        Map<String, String> mlock = byStart(model, fx.region("mlock").start());
        assertEquals(mlock.get("Pss"), mlock.get("Locked"));
        Map<String, String> free = byStart(model, fx.region("free").start());
        assertEquals("32 kB", free.get("LazyFree"));
    }

    @Test
    void rollupEqualsTheKernelsExceptTheUnexportedFields() throws Exception {
        Map<String, String> kernel = SmapsText.parse(Files.readString(Path.of("/proc/" + fx.pid() + "/smaps_rollup"))).values()
                .iterator().next();
        Map<String, Map<String, String>> modelAll = SmapsText.parse(Smaps.smapsRollup(mm));
        Map<String, String> model = modelAll.values().iterator().next();
        String header = Smaps.smapsRollup(mm).lines().findFirst().orElseThrow();
        String kernelHeader = Files.readString(Path.of("/proc/" + fx.pid() + "/smaps_rollup")).lines().findFirst().orElseThrow();
        assertEquals(kernelHeader, header);
        assertEquals(kernel.keySet(), model.keySet());
        for (String field : model.keySet()) {
            if (!BOUNDED.contains(field) && !MAPCOUNT_DEPENDENT.contains(field)) {
                assertEquals(kernel.get(field), model.get(field), field);
            }
        }
        // The mapcount-dependent sums are checked per VMA above, where they are stable; here they
        // must at least be the sums of the model's own per-VMA figures.
        long pss = 0;
        for (Map<String, String> vma : SmapsText.parse(Smaps.smaps(mm)).values()) {
            pss += SmapsText.kb(vma.get("Pss"));
        }
        assertTrue(Math.abs(SmapsText.kb(model.get("Pss")) - pss) <= SmapsText.parse(Smaps.smaps(mm)).size(),
                "rollup Pss " + model.get("Pss") + " vs per-VMA sum " + pss + " kB (each VMA truncates once)");
    }

    private static Map<String, String> byStart(Map<String, Map<String, String>> smaps, long start) {
        String prefix = Long.toHexString(start) + "-";
        return smaps.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).findFirst().orElseThrow().getValue();
    }
}
