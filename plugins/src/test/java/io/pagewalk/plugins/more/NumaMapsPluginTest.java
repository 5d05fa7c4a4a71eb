package io.pagewalk.plugins.more;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        Live.Shared s = Live.shared();
        fx = s.fx();
        mm = s.mm();
        kernel = s.numaMaps();
    }

    @Test
    void everyLineEqualsTheKernelsExceptMapcountsOfSystemFiles() throws Exception {
        String model = Live.run("numa_maps", mm, false);
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
        for (String line : Live.run("numa_maps", mm, false).split("\n")) {
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
