package io.pagewalk.runtime.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcfsCapabilitiesTest {

    @Test
    void asRootOnThisKernelEverythingIsAvailable() throws Exception {
        ProcfsCapabilities caps = ProcfsCapabilities.probe();
        assertTrue(caps.complete(), caps.describe());
        assertEquals("all procfs sources available (kernel " + ProcessControl.kernelRelease() + ")", caps.describe());
    }

    @Test
    void describeNamesWhatIsMissingAndWhatIsLostOnOneLine() {
        String d = new ProcfsCapabilities(false, false, false, false, "6.1.0").describe();
        assertTrue(d.startsWith("kernel 6.1.0: PFNs hidden in pagemap"), d);
        assertTrue(d.contains("/proc/kpageflags unreadable") && d.contains("/proc/kpagecount unreadable")
                && d.contains("no PAGEMAP_SCAN") && d.contains("no mapcounts, so no PSS"), d);
        assertFalse(d.contains("\n"));
        String onlyScan = new ProcfsCapabilities(true, true, false, true, "6.6.0").describe();
        assertEquals("kernel 6.6.0: no PAGEMAP_SCAN ioctl (needs 6.7+): PMD-mapped THPs cannot be told from "
                + "PTE-mapped ones", onlyScan);
    }
}
