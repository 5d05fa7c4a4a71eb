package io.pagewalk.runtime.procfs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls that Java has no API for (ioctl, kill, and open/close to get a raw file
 * descriptor for the ioctl), through the foreign function API; no JNI.
 *
 * <p>Every call captures errno right after the call (the JVM may clobber it later), and
 * returns {@code -errno} on failure so callers need no thread-local state.
 */
final class Libc {
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int SIGCONT = 18; // x86-64 / generic numbering
    static final int SIGSTOP = 19;

    static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EBADF = 9, EACCES = 13, EFAULT = 14,
            EINVAL = 22, ENOTTY = 25, ENOSPC = 28, ENOSYS = 38;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // int ioctl(int fd, unsigned long request, ...): the struct pointer is the first variadic.
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    // int open(const char *path, int flags, ...): called without the optional mode.
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle KILL = downcall("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);

    private Libc() {
    }

    // Restricted by design: this class is the one place that calls native code.
    @SuppressWarnings("restricted")
    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** {@code ioctl(fd, request, arg)}: the result, or {@code -errno}. */
    static int ioctl(int fd, long request, MemorySegment arg) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) IOCTL.invokeExact(state, fd, request, arg);
            return rc < 0 ? -(int) ERRNO.get(state, 0L) : rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code open(path, O_RDONLY | O_CLOEXEC)}: the fd, or {@code -errno}. */
    static int openReadOnly(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) OPEN.invokeExact(state, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC);
            return rc < 0 ? -(int) ERRNO.get(state, 0L) : rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) CLOSE.invokeExact(state, fd);
            return rc < 0 ? -(int) ERRNO.get(state, 0L) : rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code kill(pid, sig)}: 0, or {@code -errno}. */
    static int kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) KILL.invokeExact(state, pid, signal);
            return rc < 0 ? -(int) ERRNO.get(state, 0L) : rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The symbolic name of an errno value, for one-line messages ("EINVAL"). */
    static String errnoName(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ESRCH -> "ESRCH";
            case EBADF -> "EBADF";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EINVAL -> "EINVAL";
            case ENOTTY -> "ENOTTY";
            case ENOSPC -> "ENOSPC";
            case ENOSYS -> "ENOSYS";
            default -> "errno " + errno;
        };
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
