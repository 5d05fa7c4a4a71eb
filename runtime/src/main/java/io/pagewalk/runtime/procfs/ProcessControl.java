package io.pagewalk.runtime.procfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Facts about a target process and freezing it while it is read.
 *
 * <p>A live import reads smaps, then pagemap, then kpageflags/kpagecount; none of these is an
 * atomic snapshot. Stopping the target with SIGSTOP removes the largest source of skew (its
 * own faults and unmaps); the kernel (reclaim, compaction, khugepaged) can still move things.
 */
public final class ProcessControl {
    /** {@code PF_KTHREAD} in the flags field of /proc/PID/stat. */
    private static final long PF_KTHREAD = 0x00200000L;
    private static final Duration DEFAULT_FREEZE_TIMEOUT = Duration.ofSeconds(2);

    private ProcessControl() {
    }

    /** Parsed head of /proc/PID/stat: the state letter and the task flags. */
    record Stat(String comm, char state, long flags) {
    }

    static Stat stat(int pid) throws ProcfsException {
        return parseStat(pid, ProcFiles.readString(pid, "stat"));
    }

    // "pid (comm) S ppid pgrp session tty tpgid flags ...": comm may contain ')' and spaces,
    // so everything is located from the last ')'.
    private static Stat parseStat(int pid, String text) throws ProcfsException {
        int open = text.indexOf('(');
        int close = text.lastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= text.length()) {
            throw new ProcfsException(pid, ProcfsException.Reason.MALFORMED, 0,
                    "cannot parse /proc/" + pid + "/stat");
        }
        String[] rest = text.substring(close + 2).trim().split(" ");
        long flags = rest.length > 6 ? Long.parseUnsignedLong(rest[6]) : 0;
        return new Stat(text.substring(open + 1, close), rest[0].charAt(0), flags);
    }

    /** True if the pid exists and is not a zombie (a zombie has no address space left). */
    public static boolean isAlive(int pid) {
        try {
            char s = stat(pid).state();
            return s != 'Z' && s != 'X' && s != 'x';
        } catch (ProcfsException e) {
            return false;
        }
    }

    /** The scheduler state letter of the main thread (R, S, D, T, t, Z, ...). */
    public static char state(int pid) throws ProcfsException {
        return stat(pid).state();
    }

    /** The task's {@code comm} (at most 15 bytes, as the kernel truncates it). */
    public static String comm(int pid) throws ProcfsException {
        return ProcFiles.readString(pid, "comm").strip();
    }

    /** The command line arguments; empty for kernel threads and zombies. */
    public static List<String> cmdline(int pid) throws ProcfsException {
        byte[] raw = ProcFiles.readAll(pid, "cmdline");
        List<String> args = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                if (i > from || i < raw.length) {
                    args.add(new String(raw, from, i - from, StandardCharsets.UTF_8));
                }
                from = i + 1;
            }
        }
        return args;
    }

    /** {@code uname -r}, read from /proc/sys/kernel/osrelease. */
    public static String kernelRelease() throws ProcfsException {
        try {
            return new String(ProcFiles.readAll(Path.of("/proc/sys/kernel/osrelease")), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw ProcFiles.translate(-1, "/proc/sys/kernel/osrelease", e, false);
        }
    }

    /**
     * Checks that {@code pid} is a live user process whose pagemap we may open, and throws one
     * clear {@link ProcfsException} line otherwise: no such process, zombie (exited), kernel
     * thread, or permission denied.
     */
    public static void requireUserProcess(int pid) throws ProcfsException {
        if (pid <= 0) {
            throw ProcFiles.noSuchProcess(pid, null);
        }
        Stat st = stat(pid);
        if (st.state() == 'Z' || st.state() == 'X' || st.state() == 'x') {
            throw new ProcfsException(pid, ProcfsException.Reason.EXITED, Libc.ESRCH,
                    "process has exited (zombie, no address space left)");
        }
        if (isKernelThread(pid, st)) {
            throw new ProcfsException(pid, ProcfsException.Reason.KERNEL_THREAD, 0,
                    "is a kernel thread (" + st.comm() + "): it has no user address space");
        }
        Path pagemap = ProcFiles.path(pid, "pagemap");
        try {
            // Opening checks PTRACE_MODE_READ: that is what a non-root user runs into.
            java.nio.channels.FileChannel.open(pagemap).close();
        } catch (IOException e) {
            throw ProcFiles.translate(pid, pagemap.toString(), e, false);
        }
    }

    // PF_KTHREAD is definitive; the fallback (no cmdline and no VmSize, i.e. no mm) is what
    // userspace tools use where the flag is hidden.
    private static boolean isKernelThread(int pid, Stat st) throws ProcfsException {
        if ((st.flags() & PF_KTHREAD) != 0) {
            return true;
        }
        return ProcFiles.readAll(pid, "cmdline").length == 0
                && !ProcFiles.readString(pid, "status").contains("\nVmSize:");
    }

    /** {@link #freeze(int, Duration)} with a 2 second bound. */
    public static Frozen freeze(int pid) throws ProcfsException {
        return freeze(pid, DEFAULT_FREEZE_TIMEOUT);
    }

    /**
     * Stops the target with SIGSTOP and waits until all its threads are stopped (state T or t).
     * The returned handle resumes it with SIGCONT on {@link Frozen#close()}, and a JVM shutdown
     * hook does the same while the handle is open, so Ctrl-C never leaves the target stopped.
     *
     * <p>A target that is already stopped (by a shell or a debugger) is left as it is: no
     * SIGSTOP is sent and close sends no SIGCONT, because resuming it is not ours to do.
     *
     * @throws ProcfsException no such process, kernel thread, exited while stopping, permission
     *                         denied (EPERM from kill), or TIMEOUT (the target is then resumed)
     */
    public static Frozen freeze(int pid, Duration timeout) throws ProcfsException {
        requireUserProcess(pid);
        if (allThreadsStopped(pid)) {
            return new Frozen(pid, false);
        }
        Frozen frozen = new Frozen(pid, true); // registers the hook before the signal is sent
        int rc = Libc.kill(pid, Libc.SIGSTOP);
        if (rc < 0) {
            frozen.close();
            throw killFailed(pid, "SIGSTOP", -rc);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!allThreadsStopped(pid)) {
                if (!isAlive(pid)) {
                    throw new ProcfsException(pid, ProcfsException.Reason.EXITED, Libc.ESRCH,
                            "process exited while being stopped");
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new ProcfsException(pid, ProcfsException.Reason.TIMEOUT, 0,
                            "did not stop within " + timeout.toMillis() + " ms after SIGSTOP");
                }
                Thread.sleep(1);
            }
        } catch (ProcfsException | RuntimeException e) {
            frozen.close();
            throw e;
        } catch (InterruptedException e) {
            frozen.close();
            Thread.currentThread().interrupt();
            throw new ProcfsException(pid, ProcfsException.Reason.TIMEOUT, 0,
                    "interrupted while waiting for the process to stop", e);
        }
        return frozen;
    }

    private static ProcfsException killFailed(int pid, String signal, int errno) {
        if (errno == Libc.ESRCH) {
            return ProcFiles.noSuchProcess(pid, null);
        }
        ProcfsException.Reason reason = errno == Libc.EPERM
                ? ProcfsException.Reason.PERMISSION_DENIED : ProcfsException.Reason.SYSCALL_FAILED;
        return new ProcfsException(pid, reason, errno,
                "kill(" + signal + ") failed with " + Libc.errnoName(errno));
    }

    // Group stop reaches each thread on its way back to user space, so the main thread being
    // in T says nothing about the others: check every task.
    private static boolean allThreadsStopped(int pid) throws ProcfsException {
        Path tasks = ProcFiles.path(pid, "task");
        int seen = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path t : dir) {
                String text;
                try {
                    text = new String(ProcFiles.readAll(t.resolve("stat")), StandardCharsets.ISO_8859_1);
                } catch (IOException gone) {
                    continue; // a thread that exited meanwhile does not need stopping
                }
                char s = parseStat(pid, text).state();
                if (s != 'T' && s != 't' && s != 'Z' && s != 'X') {
                    return false;
                }
                seen++;
            }
        } catch (IOException e) {
            throw ProcFiles.translate(pid, tasks.toString(), e, false);
        }
        return seen > 0;
    }

    /**
     * A stopped target. {@link #close()} always resumes it (if we stopped it), never throws,
     * and may be called more than once.
     */
    public static final class Frozen implements AutoCloseable {
        private final int pid;
        private final boolean stoppedByUs;
        private final AtomicBoolean resumed = new AtomicBoolean();
        private final Thread hook;

        private Frozen(int pid, boolean stoppedByUs) {
            this.pid = pid;
            this.stoppedByUs = stoppedByUs;
            if (stoppedByUs) {
                hook = new Thread(this::resume, "pagewalk-resume-" + pid);
                Runtime.getRuntime().addShutdownHook(hook);
            } else {
                hook = null;
            }
        }

        public int pid() {
            return pid;
        }

        /** False when the target was already stopped by someone else; close then does nothing. */
        public boolean stoppedByUs() {
            return stoppedByUs;
        }

        private void resume() {
            if (stoppedByUs && resumed.compareAndSet(false, true)) {
                Libc.kill(pid, Libc.SIGCONT); // ESRCH if it died meanwhile: nothing to resume
            }
        }

        @Override
        public void close() {
            resume();
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The JVM is exiting; the hook runs, and resume() is idempotent.
                }
            }
        }
    }
}
