package io.pagewalk.runtime.procfs;

/**
 * The one exception of the procfs layer. Its message is always a single line that names the
 * pid (when there is one) and what failed, for example
 * {@code pid 1234: process exited while reading /proc/1234/pagemap}, so a command-line tool can
 * print it as is.
 *
 * <p>It is checked on purpose: every call into procfs can fail for reasons outside the program
 * (the target exits, permissions, an older kernel), and a live import has to decide what to do
 * with each of them. {@link #reason()} says which kind of failure it was; {@link #errno()} is
 * the C errno when a system call failed, else 0.
 */
public final class ProcfsException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of failure this is. */
    public enum Reason {
        /** No process has this pid (never existed, or already reaped). */
        NO_SUCH_PROCESS,
        /** The pid is a kernel thread: it has no user address space. */
        KERNEL_THREAD,
        /** The process exited (or became a zombie) while we were reading it. */
        EXITED,
        /** The kernel refused access (not root, ptrace access mode, mode 0400 files). */
        PERMISSION_DENIED,
        /** This kernel lacks the interface (for example no PAGEMAP_SCAN before 6.7). */
        UNSUPPORTED,
        /** A system call failed with {@link #errno()}. */
        SYSCALL_FAILED,
        /** The process did not reach the wanted state in time. */
        TIMEOUT,
        /** A procfs file did not have the expected format. */
        MALFORMED,
        /** Any other I/O error. */
        IO_ERROR
    }

    private final int pid;
    private final Reason reason;
    private final int errno;

    /**
     * @param pid the target process, or -1 when the failure concerns no process (kpageflags)
     * @param what a one-line description; it follows {@code "pid N: "} in the message
     */
    public ProcfsException(int pid, Reason reason, int errno, String what) {
        this(pid, reason, errno, what, null);
    }

    public ProcfsException(int pid, Reason reason, int errno, String what, Throwable cause) {
        super(oneLine(pid >= 0 ? "pid " + pid + ": " + what : what), cause);
        this.pid = pid;
        this.reason = reason;
        this.errno = errno;
    }

    /** The target pid, or -1. */
    public int pid() {
        return pid;
    }

    public Reason reason() {
        return reason;
    }

    /** The errno of the failed system call, or 0 when none applies. */
    public int errno() {
        return errno;
    }

    // Kernel and file names could in theory carry newlines; the message must stay one line.
    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
