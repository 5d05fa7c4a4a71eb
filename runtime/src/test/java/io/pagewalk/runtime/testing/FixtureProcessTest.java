package io.pagewalk.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class FixtureProcessTest {

    @Test
    void wordsSelectPartsAndTheReportNamesTheirAddresses() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("anon=5", "guard")) {
            assertEquals(Set.of("arena", "anon", "guard", "guard.written", "guard.markers", "guard.untouched"),
                    fx.regions().keySet());
            assertEquals(5, fx.region("anon").pages());
            assertEquals(fx.region("guard").start(), fx.region("guard.written").start());
            assertTrue(fx.region("arena").contains(fx.region("anon").start()));
            assertEquals(0, fx.region("arena").start() % (2 << 20), "the arena is 2 MiB aligned");
            assertEquals(-1, fx.childPid());
            assertEquals("install=0", fx.notes().get("guard"));
            assertThrows(IllegalArgumentException.class, () -> fx.region("thp"));
            assertTrue(fx.process().isAlive());
        }
    }

    @Test
    void closeKillsTheFixtureAndItsForkChild() throws Exception {
        FixtureProcess fx = FixtureProcess.start("fork");
        int child = fx.childPid();
        assertTrue(child > 0);
        fx.close();
        assertFalse(fx.process().isAlive());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "child " + child + " survived");
    }

    @Test
    void thisMachineGivesThpsOnlyOnRequest() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("thp")) {
            assertEquals("madvise", fx.notes().get("thp-enabled"), "the fixture's THP assumptions need 'madvise'");
            assertEquals("present=512", fx.notes().get("thp"));
        }
    }

    @Test
    void theBinaryIsCachedBySourceHash() throws Exception {
        assertEquals(FixtureProcess.binary(), FixtureProcess.binary());
        assertTrue(FixtureProcess.binary().getFileName().toString().matches("fixture-[0-9a-f]{16}"));
    }
}
