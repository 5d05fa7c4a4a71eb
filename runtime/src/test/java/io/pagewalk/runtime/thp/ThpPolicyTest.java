package io.pagewalk.runtime.thp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.procfs.MapsEntry;
import io.pagewalk.runtime.procfs.ProcMaps;
import io.pagewalk.runtime.procfs.ProcVma;
import io.pagewalk.runtime.testing.CProgram;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
     * Builds a model VMA for each smaps entry, asks the policy, and compares with the kernel's
     * THPeligible wherever the policy knows; returns the kernel's values by VMA start.
     */
    private static Map<String, Integer> compareWithKernel(int pid) throws Exception {
        ThpSettings settings = ThpSettings.readSysfs();
        boolean disabled = Files.readString(Path.of("/proc/" + pid + "/status")).contains("THP_enabled:\t0");
        List<ProcVma> vmas = ProcMaps.readSmaps(pid);
        List<Integer> kernel = thpEligible(Files.readString(Path.of("/proc/" + pid + "/smaps")));
        assertEquals(vmas.size(), kernel.size());
        MmStruct mm = new MmStruct(PagingGeometry.X86_64_4LEVEL, new MemMap());
        Map<String, Integer> byStart = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < vmas.size(); i++) {
            ProcVma v = vmas.get(i);
            MapsEntry m = v.map();
            if (Long.compareUnsigned(m.start(), mm.taskSize()) >= 0) {
                continue; // [vsyscall] is outside the mm
            }
            AddressSpace file = null;
            if (m.inode() != 0) {
                boolean shmem = m.devMajor() == 0 || m.name().startsWith("/dev/zero") || m.name().startsWith("/SYSV");
                file = new AddressSpace(m.name(), AddressSpace.mkdev(m.devMajor(), m.devMinor()), m.inode(), shmem);
            }
            VmArea vma = mm.insertVma(m.start(), m.end(), v.vmFlags(), m.pgoff() >>> 12, file, m.name());
            int model = ThpPolicy.smapsEligible(vma, settings, disabled);
            String where = m.toMapsLine() + " VmFlags=0x" + Long.toHexString(v.vmFlags());
            if (model == ThpPolicy.UNKNOWN) {
                unknown.add(where + " kernel=" + kernel.get(i));
            } else {
                assertEquals(kernel.get(i), model, where);
            }
            byStart.put(Long.toHexString(m.start()), kernel.get(i));
        }
        return byStart;
    }

    private static List<Integer> thpEligible(String smaps) {
        List<Integer> out = new ArrayList<>();
        for (String line : smaps.split("\n")) {
            if (line.startsWith("THPeligible:")) {
                out.add(Integer.parseInt(line.substring("THPeligible:".length()).trim()));
            }
        }
        return out;
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
