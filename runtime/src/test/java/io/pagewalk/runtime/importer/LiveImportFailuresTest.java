package io.pagewalk.runtime.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.procfs.ProcessControl;
import io.pagewalk.runtime.procfs.ProcfsException;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Freezing (and always resuming) the target, and the one-line errors. */
class LiveImportFailuresTest {

    private static void assertOneLine(ProcfsException e, String prefix) {
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void nonexistentPid() {
        ProcfsException e = assertThrows(ProcfsException.class,
                () -> LiveImport.importProcess(Integer.MAX_VALUE, ImportOptions.defaults()));
        assertEquals(ProcfsException.Reason.NO_SUCH_PROCESS, e.reason());
        assertEquals("pid " + Integer.MAX_VALUE + ": no such process", e.getMessage());
    }

    @Test
    void kernelThreadHasNoMm() {
        ProcfsException e = assertThrows(ProcfsException.class,
                () -> LiveImport.importProcess(2, ImportOptions.defaults()));
        assertEquals(ProcfsException.Reason.KERNEL_THREAD, e.reason());
        assertOneLine(e, "pid 2: is a kernel thread");
    }

    @Test
    void exitedProcessIsAZombieWithoutAnAddressSpace() throws Exception {
        // The fork child, once killed, stays a zombie: its parent (the fixture) never waits.
        try (FixtureProcess fx = FixtureProcess.start("fork")) {
            int child = fx.childPid();
            ProcessHandle.of(child).orElseThrow().destroyForcibly();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ProcessControl.isAlive(child) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            ProcfsException e = assertThrows(ProcfsException.class,
                    () -> LiveImport.importProcess(child, ImportOptions.defaults()));
            assertEquals(ProcfsException.Reason.EXITED, e.reason());
            assertOneLine(e, "pid " + child + ": process has exited");
        }
    }

    @Test
    void processThatExitsMidImport() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("anon")) {
            ProcfsException e = assertThrows(ProcfsException.class,
                    () -> new LiveImporter(fx.pid(), ImportOptions.defaults(), null, phase -> {
                        if (phase.equals("smaps")) {
                            killAndWait(fx);
                        }
                    }).run());
            assertEquals(ProcfsException.Reason.EXITED, e.reason());
            assertOneLine(e, "pid " + fx.pid() + ": process ");
            assertTrue(e.getMessage().contains("exited"), e.getMessage());
        }
    }

    private static void killAndWait(FixtureProcess fx) {
        fx.process().destroyForcibly();
        try {
            fx.process().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void freezeStopsTheTargetDuringTheImportAndResumesIt() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("anon", "thp")) {
            List<Character> states = new ArrayList<>();
            MmStruct mm = new LiveImporter(fx.pid(), new ImportOptions(true, null), null, phase -> {
                try {
                    states.add(ProcessControl.state(fx.pid()));
                } catch (ProcfsException e) {
                    throw new AssertionError(e);
                }
            }).run();
            assertFalse(states.isEmpty());
            for (char s : states) {
                assertEquals('T', s, "stopped at every phase: " + states);
            }
            assertNotEquals('T', ProcessControl.state(fx.pid()));
            assertTrue(ModelPagemap.at(mm, fx.region("thp").start()).pmdLeaf());
        }
    }

    @Test
    void freezeResumesTheTargetWhenTheImportFails() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("anon")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new LiveImporter(fx.pid(), new ImportOptions(true, null), null, phase -> {
                        if (phase.equals("pagemap")) {
                            throw new IllegalStateException("boom");
                        }
                    }).run());
            assertEquals("boom", e.getMessage());
            assertNotEquals('T', ProcessControl.state(fx.pid()));
        }
    }

    @Test
    void freezeResumesTheTargetWhenItIsInterrupted() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("anon")) {
            try {
                // Interrupted once stopped: the next channel read fails with ClosedByInterruptException.
                ProcfsException e = assertThrows(ProcfsException.class,
                        () -> new LiveImporter(fx.pid(), new ImportOptions(true, null), null, phase -> {
                            if (phase.equals("frozen")) {
                                Thread.currentThread().interrupt();
                            }
                        }).run());
                assertEquals("pid " + fx.pid() + ": import interrupted", e.getMessage());
            } finally {
                Thread.interrupted();
            }
            assertNotEquals('T', ProcessControl.state(fx.pid()));
        }
    }
}
