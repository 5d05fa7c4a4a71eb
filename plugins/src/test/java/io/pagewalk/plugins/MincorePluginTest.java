package io.pagewalk.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.api.ScriptException;
import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mincore plugin against mincore(2) as the process itself sees it: src/test/c/mincore_target.c
 * maps [written, read, untouched, guard, untouched, written] pages (then a gap and one more page),
 * asks the kernel, prints the vector and the errors of a range across the gap and of an unaligned
 * start, and holds still while the test imports it and runs the plugin.
 */
class MincorePluginTest {
    private static Process target;
    private static final Map<String, String> report = new HashMap<>();
    private static MmStruct mm;
    private static long start;

    @BeforeAll
    static void start() throws Exception {
        Path bin = compile();
        target = new ProcessBuilder(bin.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
            int sp = line.indexOf(' ');
            report.put(line.substring(0, sp), line.substring(sp + 1));
        }
        assertTrue(report.containsKey("vector"), "the target reported: " + report);
        int pid = Integer.parseInt(report.get("pid"));
        start = Long.decode(report.get("region").split(" ")[0]);
        mm = LiveImport.importProcess(pid, new ImportOptions(false, w -> { }));
    }

    @AfterAll
    static void stop() throws Exception {
        if (target != null) {
            target.destroy();
            target.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** gcc'd once per source content into target/, as runtime's FixtureProcess does. */
    private static Path compile() throws IOException, InterruptedException {
        Path src = Path.of("src/test/c/mincore_target.c").toAbsolutePath();
        Path dir = Files.createDirectories(Path.of("target/pagewalk-mincore"));
        Path bin = dir.resolve("mincore_target-" + Integer.toHexString(Files.readString(src).hashCode()));
        if (!Files.isExecutable(bin)) {
            Path tmp = dir.resolve("build-" + ProcessHandle.current().pid());
            Process gcc = new ProcessBuilder("gcc", "-O1", "-Wall", "-o", tmp.toString(), src.toString())
                    .redirectErrorStream(true).start();
            String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, gcc.waitFor(), "gcc: " + log);
            Files.move(tmp, bin, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return bin;
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
