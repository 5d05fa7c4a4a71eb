package io.pagewalk.plugins.more;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.plugins.PluginHarness;
import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The numa_maps plugin over a live import of the fixture against the kernel's own
 * /proc/PID/numa_maps of the same process (which holds still after its report).
 */
class NumaMapsPluginTest {
    private static FixtureProcess fx;
    private static MmStruct mm;
    /** Read right after the import: page-cache dirtiness moves with writeback. */
    private static List<String> kernel;

    @BeforeAll
    static void start() throws Exception {
        fx = FixtureProcess.start("all");
        Live.syncPageCache();
        mm = LiveImport.importProcess(fx.pid(), new ImportOptions(false, w -> { }));
        kernel = Files.readAllLines(Path.of("/proc/" + fx.pid() + "/numa_maps"));
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void everyLineEqualsTheKernelsExceptMapcountsOfSystemFiles() throws Exception {
        long t0 = System.nanoTime();
        String model = PluginHarness.run(PluginHarness.plugin("numa_maps").resolve("numa_maps.js"), mm, false);
        System.err.println("numa_maps run ms " + (System.nanoTime() - t0) / 1000000);
        t0 = System.nanoTime();
        PluginHarness.run(PluginHarness.plugin("numa_maps").resolve("numa_maps.js"), mm, false);
        System.err.println("numa_maps run2 ms " + (System.nanoTime() - t0) / 1000000);
        List<String> ours = model.lines().toList();
        assertEquals(kernel.size(), ours.size(), "one line per VMA:\n" + model);
        int exact = 0;
        for (int i = 0; i < kernel.size(); i++) {
            String k = kernel.get(i);
            String m = ours.get(i);
            Map<String, String> kf = fields(k);
            // Pages of libc, ld.so and the fixture binary are mapped by other processes too: how
            // many (mapmax) and whether reclaim's LRU moved them (active) change at any moment.
            boolean systemFile = kf.containsKey("file") && !kf.get("file").endsWith("(deleted)");
            if (!systemFile) {
                assertEquals(k, m);
                exact++;
                continue;
            }
            Map<String, String> mf = fields(m);
            long pages = Long.parseLong(mf.getOrDefault("N0", "0"));
            for (String key : List.of("mapmax", "active")) {
                if (mf.containsKey(key)) {
                    long v = Long.parseLong(mf.remove(key));
                    assertTrue(key.equals("mapmax") ? v > 1 : v < pages, m);
                }
                kf.remove(key);
            }
            assertEquals(kf, mf, k + " / " + m);
        }
        assertTrue(exact > kernel.size() / 2, exact + " of " + kernel.size() + " lines compared exactly");
    }

    @Test
    void theFixturesPartsShowTheirCharacteristicCounts() throws Exception {
        Map<String, String> byStart = new LinkedHashMap<>();
        for (String line : PluginHarness.run(PluginHarness.plugin("numa_maps").resolve("numa_maps.js"), mm, false).split("\n")) {
            byStart.put(line.split(" ")[0], line);
        }
        String thp = byStart.get(Long.toHexString(fx.region("thp").start()));
        assertTrue(thp.contains(" anon=512 dirty=512 ") && thp.endsWith(" N0=512 kernelpagesize_kB=4"), thp);
        assertTrue(byStart.get(Long.toHexString(fx.region("fork").start())).contains(" mapmax=2 "), "shared with the fork child");
        assertTrue(!byStart.get(Long.toHexString(fx.region("free").start())).contains("dirty="), "MADV_FREE: clean");
        assertTrue(!byStart.get(Long.toHexString(fx.region("mlock").start())).contains("active="), "mlocked pages count as active");
        assertTrue(byStart.get(Long.toHexString(fx.region("shmem").start())).contains(" file=/dev/zero\\040(deleted) "));
    }

    /** "start policy key=value ... flag": key to value (flags like "heap" map to themselves). */
    private static Map<String, String> fields(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] f = line.split(" ");
        out.put("start", f[0]);
        out.put("policy", f[1]);
        for (int i = 2; i < f.length; i++) {
            int eq = f[i].indexOf('=');
            out.put(eq < 0 ? f[i] : f[i].substring(0, eq), eq < 0 ? f[i] : f[i].substring(eq + 1));
        }
        return out;
    }
}
