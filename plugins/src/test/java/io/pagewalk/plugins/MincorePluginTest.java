package io.pagewalk.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.api.ScriptException;
import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.testing.CProgram;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mincore plugin against mincore(2) as the process itself sees it: src/test/c/mincore_target.c
 * (compiled and run by runtime's CProgram) maps [written, read, untouched, guard, untouched,
 * written] pages (then a gap and one more page), asks the kernel, prints the vector and the errors of a range across the gap and of an unaligned
 * start, and holds still while the test imports it and runs the plugin.
 */
class MincorePluginTest {
    private static CProgram target;
    private static final Map<String, String> report = new HashMap<>();
    private static MmStruct mm;
    private static long start;

    @BeforeAll
    static void start() throws Exception {
        target = CProgram.start("mincore_target.c", List.of());
        for (String line : target.report()) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                report.put(line.substring(0, sp), line.substring(sp + 1));
            }
        }
        assertTrue(report.containsKey("vector"), "the target reported: " + report);
        start = Long.decode(report.get("region").split(" ")[0]);
        mm = LiveImport.importProcess(Integer.parseInt(report.get("pid")), new ImportOptions(false, w -> { }));
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
    }

    @Test
    void theVectorIsTheOneTheProcessGotFromTheKernel() throws Exception {
        assertEquals("1 1 0 0 0 1", report.get("vector"), "the kernel (read faults map private pages here)");
        String out = PluginHarness.runPlugin("mincore", mm, "0x" + Long.toHexString(start), Long.toString(6 * 4096));
        assertEquals(report.get("vector"), out.strip());
    }

    @Test
    void aLengthThatIsNotAPageMultipleCoversThePartialPage() throws Exception {
        String out = PluginHarness.runPlugin("mincore", mm, "0x" + Long.toHexString(start + 4096), Long.toString(4096 + 1));
        assertEquals(report.get("vector").substring(2, 5), out.strip());
    }

    @Test
    void aRangeAcrossTheGapIsEnomemAsForTheKernel() {
        assertEquals(Errno.ENOMEM, Integer.parseInt(report.get("gap")));
        ScriptException e = assertThrows(ScriptException.class,
                () -> PluginHarness.runPlugin("mincore", mm, "0x" + Long.toHexString(start), Long.toString(8 * 4096)));
        assertTrue(e.getMessage().contains("mincore: -ENOMEM: 0x" + Long.toHexString(start + 6 * 4096) + " is not mapped"),
                e.getMessage());
    }

    @Test
    void anUnalignedStartIsEinvalAsForTheKernel() {
        assertEquals(Errno.EINVAL, Integer.parseInt(report.get("unaligned")));
        ScriptException e = assertThrows(ScriptException.class,
                () -> PluginHarness.runPlugin("mincore", mm, "0x" + Long.toHexString(start + 1), "4096"));
        assertTrue(e.getMessage().contains("mincore: -EINVAL: start 0x" + Long.toHexString(start + 1)), e.getMessage());
    }
}
