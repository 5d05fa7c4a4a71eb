package io.pagewalk.plugins;

import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_FILE;
import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_GUARD;
import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_PFNZERO;
import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_PRESENT;
import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_SWAPPED;
import static io.pagewalk.runtime.procfs.PagemapScan.PAGE_IS_WRITTEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.dsl.api.ScriptException;
import io.pagewalk.runtime.Errno;
import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.procfs.PagemapScan;
import io.pagewalk.runtime.procfs.ProcfsException;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pagemap_scan plugin on a live import of the fixture against the PAGEMAP_SCAN ioctl on the
 * same process: the same regions, categories, walk_end and return value for the same request,
 * and the same error for the same bad request.
 */
class PagemapScanPluginTest {
    private static FixtureProcess fx;
    private static MmStruct mm;
    private static PagemapScan scan;

    @BeforeAll
    static void start() throws Exception {
        fx = FixtureProcess.start("all");
        mm = LiveImport.importProcess(fx.pid(), new ImportOptions(false, w -> { }));
        scan = PagemapScan.open(fx.pid());
    }

    @AfterAll
    static void stop() throws Exception {
        if (scan != null) {
            scan.close();
        }
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void everyFixtureRegionScansLikeTheKernel() throws Exception {
        for (FixtureProcess.Region r : fx.regions().values()) {
            assertSame(PagemapScan.Request.of(r.start(), r.end()), r.name());
        }
    }

    @Test
    void aRangeOverManyVmasAndGapsScansLikeTheKernel() throws Exception {
        long lo = fx.regions().values().stream().mapToLong(FixtureProcess.Region::start).min().orElseThrow();
        long hi = fx.regions().values().stream().mapToLong(FixtureProcess.Region::end).max().orElseThrow();
        PagemapScan.Result r = assertSame(PagemapScan.Request.of(lo, hi), "whole fixture");
        assertTrue(r.regions().size() > 10, "many regions: " + r.regions().size());
    }

    @Test
    void masksMaxPagesAndVecLenBehaveLikeTheKernel() throws Exception {
        FixtureProcess.Region anon = fx.region("anon");
        FixtureProcess.Region guard = fx.region("guard");
        FixtureProcess.Region thp = fx.region("thp");
        long lo = fx.regions().values().stream().mapToLong(FixtureProcess.Region::start).min().orElseThrow();
        long hi = fx.regions().values().stream().mapToLong(FixtureProcess.Region::end).max().orElseThrow();
        assertSame(PagemapScan.Request.of(anon.start(), anon.end()).withMaxPages(1), "max_pages=1");
        assertSame(PagemapScan.Request.of(thp.start(), thp.end()).withMaxPages(3), "max_pages=3 inside a THP");
        assertSame(PagemapScan.Request.of(guard.start(), guard.end()).withVecLen(1), "vec_len=1");
        assertSame(PagemapScan.Request.of(lo, hi).withVecLen(0), "no output buffer");
        assertSame(PagemapScan.Request.of(lo, hi).withCategories(0, 0, 0, 0), "return_mask=0 merges all");
        // CRIU's query: anonymous pages that are present or swapped, guard markers flagged.
        long criu = PAGE_IS_PFNZERO | PAGE_IS_FILE;
        PagemapScan.Result r = assertSame(PagemapScan.Request.of(lo, hi).withCategories(criu, criu,
                PAGE_IS_PRESENT | PAGE_IS_SWAPPED, PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_GUARD), "CRIU query");
        assertTrue(r.regions().stream().anyMatch(x -> (x.categories() & PAGE_IS_GUARD) != 0), "guard markers found");
        assertSame(PagemapScan.Request.of(lo, hi).withCategories(0, PAGE_IS_WRITTEN | PAGE_IS_PRESENT, 0,
                PAGE_IS_WRITTEN), "mask written|present");
        assertSame(PagemapScan.Request.of(lo, hi).withCategories(PAGE_IS_PRESENT, PAGE_IS_PRESENT, 0,
                PagemapScan.ALL_CATEGORIES), "inverted: not present");
        assertSame(PagemapScan.Request.of(0, 0), "start = end = 0 probe");
    }

    @Test
    void badRequestsFailWithTheKernelsErrno() throws Exception {
        FixtureProcess.Region anon = fx.region("anon");
        assertError(PagemapScan.Request.of(anon.start(), anon.end()).withFlags(1L << 5), Errno.EINVAL, "EINVAL");
        assertError(PagemapScan.Request.of(anon.start(), anon.end()).withCategories(0, 1L << 9, 0, 0), Errno.EINVAL, "EINVAL");
        assertError(PagemapScan.Request.of(anon.start() + 1, anon.end()), Errno.EINVAL, "EINVAL");
        assertError(PagemapScan.Request.of(anon.end(), anon.start()), Errno.EFAULT, "EFAULT");
        assertError(PagemapScan.Request.of(anon.start(), anon.end()).withFlags(PagemapScan.PM_SCAN_CHECK_WPASYNC),
                Errno.EPERM, "EPERM");
    }

    private static void assertError(PagemapScan.Request req, int errno, String name) {
        ProcfsException k = assertThrows(ProcfsException.class, () -> scan.scan(req));
        assertEquals(errno, k.errno(), "the kernel's errno");
        ScriptException p = assertThrows(ScriptException.class, () -> PluginHarness.runPlugin("pagemap_scan", mm, args(req)));
        assertTrue(p.getMessage().contains("pagemap_scan: -" + name + ":"), p.getMessage());
    }

    /** The plugin's result equals the kernel's for the request; returns the kernel's. */
    private static PagemapScan.Result assertSame(PagemapScan.Request req, String what) throws Exception {
        PagemapScan.Result kernel = scan.scan(req);
        String out = PluginHarness.runPlugin("pagemap_scan", mm, args(req));
        List<PagemapScan.Region> regions = new ArrayList<>();
        String[] lines = out.strip().split("\n");
        for (int i = 0; i < lines.length - 1; i++) {
            String[] f = lines[i].split(" ");
            String[] range = f[0].split("-");
            regions.add(new PagemapScan.Region(Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16),
                    Long.parseLong(f[1], 16)));
        }
        String[] last = lines[lines.length - 1].split(" ");
        assertEquals("walk_end", last[0], what + ": last line");
        PagemapScan.Result plugin = new PagemapScan.Result(regions, Long.parseUnsignedLong(last[1], 16),
                Integer.parseInt(last[3]));
        assertEquals(kernel, plugin, what);
        return kernel;
    }

    private static String[] args(PagemapScan.Request r) {
        return new String[] {"0x" + Long.toHexString(r.start()), "0x" + Long.toHexString(r.end()),
            "flags=" + r.flags(), "inverted=" + r.categoryInverted(), "mask=" + r.categoryMask(),
            "anyof=" + r.categoryAnyofMask(), "return=" + r.returnMask(), "max_pages=" + r.maxPages(),
            "vec_len=" + r.vecLen()};
    }
}
