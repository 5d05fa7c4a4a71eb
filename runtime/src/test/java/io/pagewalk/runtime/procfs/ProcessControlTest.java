package io.pagewalk.runtime.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.testing.FixtureProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessControlTest {

    private static int unusedPid() throws Exception {
        // pids are always below pid_max, so pid_max itself never exists.
        // (Files.readString would read "3" of "32768": sysctl ints give EOF at a non-zero offset.)
        try (var in = Files.newInputStream(Path.of("/proc/sys/kernel/pid_max"))) {
            return Integer.parseInt(new String(in.readAllBytes()).strip());
        }
    }

    private static void awaitState(int pid, boolean stopped) throws Exception {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            char s = ProcessControl.state(pid);
            if ((s == 'T') == stopped) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("pid " + pid + " state " + ProcessControl.state(pid) + ", wanted stopped=" + stopped);
    }

    @Test
    void aNonexistentPidIsOneClearLine() throws Exception {
        int pid = unusedPid();
        ProcfsException e = assertThrows(ProcfsException.class, () -> PagemapReader.open(pid));
        assertEquals("pid " + pid + ": no such process", e.getMessage());
        assertEquals(ProcfsException.Reason.NO_SUCH_PROCESS, e.reason());
        assertEquals(ProcfsException.Reason.NO_SUCH_PROCESS,
                assertThrows(ProcfsException.class, () -> ProcMaps.readSmaps(pid)).reason());
        assertEquals(ProcfsException.Reason.NO_SUCH_PROCESS,
                assertThrows(ProcfsException.class, () -> ProcessControl.freeze(pid)).reason());
        assertFalse(ProcessControl.isAlive(pid));
    }

    @Test
    void aKernelThreadIsOneClearLine() {
        // pid 2 is kthreadd.
        ProcfsException e = assertThrows(ProcfsException.class, () -> PagemapReader.open(2));
        assertEquals("pid 2: is a kernel thread (kthreadd): it has no user address space", e.getMessage());
        assertEquals(ProcfsException.Reason.KERNEL_THREAD, e.reason());
        assertEquals(e.getMessage(), assertThrows(ProcfsException.class, () -> ProcMaps.readSmaps(2)).getMessage());
        assertEquals(e.getMessage(), assertThrows(ProcfsException.class, () -> PagemapScan.open(2)).getMessage());
    }

    @Test
    void aProcessThatExitsBetweenOpenAndReadIsOneClearLine() throws Exception {
        FixtureProcess fx = FixtureProcess.start("anon");
        try (PagemapReader reader = PagemapReader.open(fx.pid())) {
            FixtureProcess.Region anon = fx.region("anon");
            assertEquals(16, reader.read(anon.start(), anon.end()).length);
            fx.close();
            ProcfsException e = assertThrows(ProcfsException.class, () -> reader.read(anon.start(), anon.end()));
            assertEquals("pid " + fx.pid() + ": process exited while reading /proc/" + fx.pid() + "/pagemap",
                    e.getMessage());
            assertEquals(ProcfsException.Reason.EXITED, e.reason());
        } finally {
            fx.close();
        }
    }

    @Test
    void freezeStopsEveryThreadAndCloseResumes() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("anon")) {
            try (ProcessControl.Frozen frozen = ProcessControl.freeze(fx.pid())) {
                assertTrue(frozen.stoppedByUs());
                assertEquals('T', ProcessControl.state(fx.pid()));
            }
            awaitState(fx.pid(), false);
        }
    }

    @Test
    void freezeResumesEvenWhenTheBodyThrows() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("anon")) {
            assertThrows(IllegalStateException.class, () -> {
                try (ProcessControl.Frozen frozen = ProcessControl.freeze(fx.pid())) {
                    assertEquals('T', ProcessControl.state(frozen.pid()));
                    throw new IllegalStateException("body failed");
                }
            });
            awaitState(fx.pid(), false);
        }
    }

    @Test
    void aTargetStoppedBySomeoneElseStaysStopped() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("anon")) {
            assertEquals(0, Libc.kill(fx.pid(), Libc.SIGSTOP));
            awaitState(fx.pid(), true);
            try (ProcessControl.Frozen frozen = ProcessControl.freeze(fx.pid())) {
                assertFalse(frozen.stoppedByUs());
            }
            assertEquals('T', ProcessControl.state(fx.pid()));
            assertEquals(0, Libc.kill(fx.pid(), Libc.SIGCONT));
            awaitState(fx.pid(), false);
        }
    }

    @Test
    void commCmdlineAndKernelRelease() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("anon=3", "zero")) {
            assertTrue("fixture-".startsWith(ProcessControl.comm(fx.pid()).substring(0, 8)));
            assertEquals(15, ProcessControl.comm(fx.pid()).length(), "comm is truncated to 15 bytes");
            List<String> args = ProcessControl.cmdline(fx.pid());
            assertEquals(List.of("anon=3", "zero"), args.subList(1, args.size()));
            assertEquals(3, fx.region("anon").pages());
        }
        assertEquals(List.of(), ProcessControl.cmdline(2));
        String release = ProcessControl.kernelRelease();
        assertTrue(release.matches("\\d+\\.\\d+.*"), release);
        assertFalse(release.contains("\n"));
    }

    @Test
    void anInterruptedJvmStillResumesTheTarget() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("anon")) {
            String javaBin = ProcessHandle.current().info().command().orElseThrow();
            Process jvm = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), FreezeThenWait.class.getName(), Integer.toString(fx.pid()))
                    .redirectErrorStream(true).start();
            try {
                var out = new java.io.BufferedReader(new java.io.InputStreamReader(jvm.getInputStream()));
                assertEquals("frozen " + fx.pid(), out.readLine());
                assertEquals('T', ProcessControl.state(fx.pid()));
                assertEquals(0, Libc.kill((int) jvm.pid(), 2)); // SIGINT, as Ctrl-C sends it
                assertTrue(jvm.waitFor(10, TimeUnit.SECONDS));
                awaitState(fx.pid(), false);
            } finally {
                jvm.destroyForcibly();
            }
        }
    }

    @Test
    void aZombieIsReportedAsExited() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("fork")) {
            // The fixture never reaps its child, so a killed child stays a zombie.
            int child = fx.childPid();
            assertEquals(0, Libc.kill(child, 9));
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (ProcessControl.state(child) != 'Z' && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            ProcfsException e = assertThrows(ProcfsException.class, () -> PagemapReader.open(child));
            assertEquals("pid " + child + ": process has exited (zombie, no address space left)", e.getMessage());
            assertEquals(ProcfsException.Reason.EXITED, e.reason());
            assertEquals(ProcfsException.Reason.EXITED,
                    assertThrows(ProcfsException.class, () -> ProcMaps.readSmaps(child)).reason());
        }
    }

    @Test
    void permissionDeniedIsOneClearLine() {
        // As root we cannot provoke EACCES, so check the translation of Java's exception.
        ProcfsException e = ProcFiles.translate(1234, "/proc/1234/pagemap",
                new java.nio.file.AccessDeniedException("/proc/1234/pagemap"), false);
        assertEquals(ProcfsException.Reason.PERMISSION_DENIED, e.reason());
        assertEquals("pid 1234: permission denied reading /proc/1234/pagemap (needs root, or ptrace access "
                + "and CAP_SYS_ADMIN for PFNs)", e.getMessage());
        ProcfsException kpf = ProcFiles.translate(-1, "/proc/kpageflags",
                new java.nio.file.AccessDeniedException("/proc/kpageflags"), false);
        assertTrue(kpf.getMessage().startsWith("permission denied reading /proc/kpageflags"), kpf.getMessage());
    }

    @Test
    void ownProcessIsAUserProcess() throws Exception {
        ProcessControl.requireUserProcess((int) ProcessHandle.current().pid());
        assertTrue(ProcessControl.isAlive((int) ProcessHandle.current().pid()));
    }
}
