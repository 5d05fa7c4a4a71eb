package io.pagewalk.runtime.builder;

import io.pagewalk.runtime.Errno;

/**
 * A system call of a {@link SyntheticProcess} failed as the kernel would fail it: {@link #errno()}
 * is the positive errno value ({@code EINVAL}, {@code ENOMEM}, ...). A fault the kernel would
 * answer with SIGSEGV or SIGBUS is reported as {@code EFAULT} with the signal in the message.
 */
public final class SyscallException extends RuntimeException {
    private final int errno;

    public SyscallException(int errno, String message) {
        super(Errno.name(errno) + ": " + message);
        this.errno = Math.abs(errno);
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }
}
