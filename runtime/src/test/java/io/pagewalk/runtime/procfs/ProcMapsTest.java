package io.pagewalk.runtime.procfs;

import io.pagewalk.runtime.mm.VmFlags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.testing.FixtureProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProcMapsTest {
    private static FixtureProcess fx;

    @BeforeAll
    static void startFixture() throws Exception {
        fx = FixtureProcess.start("all");
    }

    @AfterAll
    static void stopFixture() {
        if (fx != null) {
            fx.close();
        }
    }

    private static ProcVma vmaOf(List<ProcVma> vmas, FixtureProcess.Region r) {
        return vmas.stream().filter(v -> Long.compareUnsigned(v.start(), r.start()) <= 0
                && Long.compareUnsigned(r.start(), v.end()) < 0).findFirst().orElseThrow();
    }

    @Test
    void smapsVmaBoundariesMatchMaps() throws Exception {
        List<ProcVma> smaps = ProcMaps.readSmaps(fx.pid());
        List<MapsEntry> maps = ProcMaps.readMaps(fx.pid());
        assertEquals(maps, smaps.stream().map(ProcVma::map).toList());
        assertTrue(smaps.size() > 20, "the fixture makes many VMAs: " + smaps.size());
    }

    @Test
    void eachFixturePartIsItsOwnVmaWithTheExpectedFlags() throws Exception {
        List<ProcVma> vmas = ProcMaps.readSmaps(fx.pid());
        for (String part : List.of("anon", "zero", "thp", "thpsplit", "fileprivate", "fileshared", "shmem",
                "fork", "mlock", "guard", "protnone", "free", "pageout")) {
            FixtureProcess.Region r = fx.region(part);
            ProcVma v = vmaOf(vmas, r);
            assertEquals(r.start(), v.start(), part);
            assertEquals(r.end(), v.end(), part);
            assertEquals(4096, v.kernelPageSize(), part);
            assertEquals(4096, v.mmuPageSize(), part);
        }
        assertTrue(vmaOf(vmas, fx.region("thp")).hasFlag(VmFlags.VM_HUGEPAGE));
        assertTrue(vmaOf(vmas, fx.region("thpsplit")).hasFlag(VmFlags.VM_NOHUGEPAGE));
        assertTrue(vmaOf(vmas, fx.region("anon")).hasFlag(VmFlags.VM_NOHUGEPAGE | VmFlags.VM_ACCOUNT));
        assertTrue(vmaOf(vmas, fx.region("mlock")).hasFlag(VmFlags.VM_LOCKED));
        assertTrue(vmaOf(vmas, fx.region("guard")).hasFlag(VmFlags.VM_MAYBE_GUARD));
        assertEquals("---p", vmaOf(vmas, fx.region("protnone")).perms());

        ProcVma shmem = vmaOf(vmas, fx.region("shmem"));
        assertEquals("/dev/zero (deleted)", shmem.name());
        assertTrue(shmem.map().shared() && shmem.hasFlag(VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE));

        ProcVma priv = vmaOf(vmas, fx.region("fileprivate"));
        assertTrue(priv.map().deleted() && priv.name().startsWith("/tmp/pagewalk-fixture-"), priv.name());
        assertTrue(priv.map().fileBacked() && !priv.map().shared());
        assertTrue(vmaOf(vmas, fx.region("fileshared")).map().shared());
    }

    @Test
    void everyVmFlagThisKernelPrintsHasABit() throws Exception {
        for (ProcVma v : ProcMaps.readSmaps(fx.pid())) {
            assertEquals(Set.of(), v.unmappedVmFlags(), v.map().toMapsLine());
        }
        for (ProcVma v : ProcMaps.readSmaps((int) ProcessHandle.current().pid())) {
            assertEquals(Set.of(), v.unmappedVmFlags(), v.map().toMapsLine());
        }
    }

    @Test
    void vmFlagsRoundTripInKernelPrintingOrder() throws Exception {
        String text = Files.readString(Path.of("/proc/" + fx.pid() + "/smaps"));
        for (String line : text.split("\n")) {
            if (line.startsWith("VmFlags:")) {
                String value = line.substring("VmFlags:".length()).trim();
                assertEquals(value, String.join(" ", VmFlagMnemonics.codes(VmFlagMnemonics.parse(value).flags())));
            }
        }
    }

    @Test
    void codesWithoutABitOnThisConfigAreKeptAsStrings() {
        VmFlagMnemonics.Parsed p = VmFlagMnemonics.parse("rd wr mr mw me ac sd bt zz ui dp sl");
        assertEquals(VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_MAYREAD
                | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC | VmFlags.VM_ACCOUNT
                | (1L << 41) | (1L << 40) | (1L << 63), p.flags());
        assertEquals(List.of("sd", "bt", "zz"), List.copyOf(p.unmapped()));
        assertTrue(VmFlagMnemonics.NO_BIT_ON_THIS_CONFIG.containsAll(Set.of("sd", "bt", "mt", "ss")));
        assertEquals(0, VmFlagMnemonics.bitOf("mt"));
    }

    @Test
    void mapsLinesReformatExactlyAsTheKernelPrintsThem() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + fx.pid() + "/maps"))) {
            assertEquals(line, ProcMaps.parseMapsLine(line).toMapsLine());
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            assertEquals(line, ProcMaps.parseMapsLine(line).toMapsLine());
        }
    }

    @Test
    void mapsLineParsesHighAddressesNamesWithSpacesAndNamelessLines() {
        MapsEntry vsyscall = ProcMaps.parseMapsLine(
                "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]");
        assertEquals(0xffffffffff600000L, vsyscall.start());
        assertEquals(4096, vsyscall.size());
        assertTrue(vsyscall.executable() && !vsyscall.readable() && vsyscall.pseudoName());

        MapsEntry spaced = ProcMaps.parseMapsLine(
                "7f00000a0000-7f00000a2000 rw-s 00001000 fe:01 1234567                    /tmp/a b  c (deleted)");
        assertEquals("/tmp/a b  c (deleted)", spaced.name());
        assertEquals(0x1000, spaced.pgoff());
        assertEquals(0xfe, spaced.devMajor());
        assertEquals(1, spaced.devMinor());
        assertEquals(1234567, spaced.inode());
        assertTrue(spaced.deleted() && spaced.shared() && spaced.writable());

        MapsEntry anon = ProcMaps.parseMapsLine("7f0000000000-7f0000001000 rw-p 00000000 00:00 0 ");
        assertEquals("", anon.name());
        assertFalse(anon.fileBacked());

        MapsEntry named = ProcMaps.parseMapsLine(
                "7f0000000000-7f0000001000 rw-p 00000000 00:00 0                          [anon:my buffer]");
        assertEquals("[anon:my buffer]", named.name());

        assertThrows(IllegalArgumentException.class, () -> ProcMaps.parseMapsLine("garbage"));
    }

    @Test
    void smapsTextParsesPageSizesAndProtectionKeyWithoutCounters() {
        String text = """
                7f0000000000-7f0000400000 rw-s 00000000 00:10 42                         /dev/hugepages/x
                Size:               4096 kB
                KernelPageSize:     2048 kB
                MMUPageSize:        2048 kB
                Rss:                   0 kB
                Private_Hugetlb:    2048 kB
                ProtectionKey:         0
                VmFlags: rd wr sh mr mw me ms de ht
                7f0000400000-7f0000401000 rw-p 00000000 00:00 0
                KernelPageSize:        4 kB
                MMUPageSize:           4 kB
                VmFlags: rd wr mr mw me ac
                """;
        List<ProcVma> vmas = ProcMaps.parseSmaps(text);
        assertEquals(2, vmas.size());
        assertTrue(vmas.get(0).hugetlb());
        assertEquals(2 << 20, vmas.get(0).kernelPageSize());
        assertEquals(0, vmas.get(0).protectionKey());
        assertEquals(-1, vmas.get(1).protectionKey());
        assertEquals(4096, vmas.get(1).mmuPageSize());
    }
}
