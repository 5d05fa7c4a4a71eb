package io.pagewalk.runtime.thp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.testing.CProgram;
import io.pagewalk.runtime.testing.FixtureProcess;
import io.pagewalk.runtime.testing.SmapsText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * THP eligibility against the kernel's own {@code THPeligible} of /proc/PID/smaps, for every VMA
 * of two real processes built for it: the policy probe (thp_policy.c) and the general fixture.
 */
class ThpPolicyTest {

    @Test
    void everyVmaOfThePolicyProbeMatchesTheKernelsThpEligible() throws Exception {
        try (CProgram p = CProgram.start("thp_policy.c", List.of())) {
            Map<String, Integer> byName = compareWithKernel(p.pid());
            // The rules each region exercises, so that a wrong policy cannot pass by accident.
            ThpSettings s = ThpSettings.readSysfs();
            boolean pmdInheritsMadvise = s.enabled().equals("madvise") && "inherit".equals(s.anonOrders().get(9));
            if (pmdInheritsMadvise) {
                assertEquals(1, byName.get(start(p, "hg.aligned")));
                assertEquals(0, byName.get(start(p, "hg.unaligned")), "no aligned 2 MiB block inside");
                assertEquals(1, byName.get(start(p, "hg.holds-aligned-block")));
                assertEquals(0, byName.get(start(p, "plain")), "madvise mode without MADV_HUGEPAGE");
                assertEquals(0, byName.get(start(p, "hg.small")));
            }
            assertEquals(0, byName.get(start(p, "nh")));
        }
    }

    @Test
    void everyVmaOfTheGeneralFixtureMatchesTheKernelsThpEligible() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("all")) {
            Map<String, Integer> byName = compareWithKernel(fx.pid());
            assertTrue(byName.size() > 10, "compared " + byName);
        }
    }

    @Test
    void noHugepageAndPrctlDisableWinOverEverything() {
        MmStruct mm = new MmStruct(PagingGeometry.X86_64_4LEVEL, new MemMap());
        long rw = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE;
        VmArea both = mm.insertVma(0x40000000L, 0x40400000L, rw | VmFlags.VM_HUGEPAGE | VmFlags.VM_NOHUGEPAGE, 0, null, "");
        VmArea hg = mm.insertVma(0x40600000L, 0x40a00000L, rw | VmFlags.VM_HUGEPAGE, 0, null, "");
        ThpSettings always = new ThpSettings("always", "never", Map.of(9, "inherit"), Map.of(9, "inherit"));
        assertEquals(0, ThpPolicy.smapsEligible(both, always, false));
        assertEquals(1, ThpPolicy.smapsEligible(hg, always, false));
        assertEquals(0, ThpPolicy.smapsEligible(hg, always, true));
        ThpSettings never = new ThpSettings("never", "never", Map.of(9, "inherit", 4, "always"), Map.of());
        assertEquals(1, ThpPolicy.smapsEligible(hg, never, false), "an mTHP size set to always is enough");
        ThpSettings off = new ThpSettings("never", "never", Map.of(9, "inherit"), Map.of());
        assertEquals(0, ThpPolicy.smapsEligible(hg, off, false));
    }

    @Test
    void regularFilesAndUnknownTmpfsMountsAreUnknownWhereTheKernelLooksAtWhatUserspaceCannotSee() {
        MmStruct mm = new MmStruct(PagingGeometry.X86_64_4LEVEL, new MemMap());
        long r = VmFlags.VM_READ | VmFlags.VM_MAYREAD | VmFlags.VM_HUGEPAGE;
        AddressSpace file = new AddressSpace("/usr/lib/x", 0x801, 42, false);
        AddressSpace tmpfs = new AddressSpace("/dev/shm/y", 0x1a, 43, true);
        VmArea f = mm.insertVma(0x40000000L, 0x40400000L, r, 0, file, file.path());
        VmArea t = mm.insertVma(0x40600000L, 0x40a00000L, r, 0, tmpfs, tmpfs.path());
        VmArea misaligned = mm.insertVma(0x40c00000L, 0x41000000L, r, 1, file, file.path());
        ThpSettings madvise = ThpSettings.madviseDefaults();
        assertEquals(ThpPolicy.UNKNOWN, ThpPolicy.smapsEligible(f, madvise, false));
        assertEquals(ThpPolicy.UNKNOWN, ThpPolicy.smapsEligible(t, madvise, false));
        assertEquals(0, ThpPolicy.smapsEligible(misaligned, madvise, false), "offset not aligned like the address");
    }

    /**
     * Imports the process and compares the policy's answer for each VMA with the kernel's
     * THPeligible wherever the policy knows; returns the kernel's values by VMA start (hex).
     */
    private static Map<String, Integer> compareWithKernel(int pid) throws Exception {
        MmStruct mm = LiveImport.importProcess(pid, new ImportOptions(false, w -> { }));
        Map<String, Integer> byStart = new LinkedHashMap<>();
        SmapsText.parse(Files.readString(Path.of("/proc/" + pid + "/smaps"))).forEach((header, fields) -> {
            long start = Long.parseUnsignedLong(header.substring(0, header.indexOf('-')), 16);
            byStart.put(Long.toHexString(start), Integer.parseInt(fields.get("THPeligible")));
        });
        for (VmArea vma : mm.vmas()) {
            Integer kernel = byStart.get(Long.toHexString(vma.start()));
            assertNotNull(kernel, "no smaps entry for " + vma);
            int model = ThpPolicy.smapsEligible(vma, mm.thpSettings(), mm.thpDisabled());
            if (model != ThpPolicy.UNKNOWN) {
                assertEquals(kernel, model, vma + " VmFlags=0x" + Long.toHexString(vma.flags()));
            }
        }
        return byStart;
    }

    /** The start (hex, as the map keys) of the probe's region {@code name} ("region NAME START END"). */
    private static String start(CProgram p, String name) {
        for (String line : p.report()) {
            String[] f = line.split(" ");
            if (f[0].equals("region") && f[1].equals(name)) {
                return Long.toHexString(Long.decode(f[2]));
            }
        }
        throw new IllegalArgumentException("the probe reported no region " + name + ": " + p.report());
    }
}
