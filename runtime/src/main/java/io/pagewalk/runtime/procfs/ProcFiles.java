package io.pagewalk.runtime.procfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading small procfs files and turning Java's I/O exceptions into one-line
 * {@link ProcfsException}s that say what happened to the process.
 */
final class ProcFiles {
    private ProcFiles() {
    }

    static Path path(int pid, String file) {
        return Path.of("/proc", Integer.toString(pid), file);
    }

    /** Whole file, read with large reads (see {@link #readAll(Path)}). */
    static byte[] readAll(int pid, String file) throws ProcfsException {
        Path p = path(pid, file);
        try {
            return readAll(p);
        } catch (IOException e) {
            throw translate(pid, p.toString(), e, false);
        }
    }

    /**
     * Reads a procfs file to EOF with 256 KiB reads. procfs reports size 0, and
     * {@code Files.readAllBytes} then starts with a tiny read: sysctl integer files (pid_max)
     * return EOF for any read at a non-zero offset, so that yields "3" for 32768. Large reads
     * also let seq_file hand over many records (a whole smaps) per system call.
     */
    static byte[] readAll(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p)) {
            ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            while (true) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                out.write(buf.array(), 0, n);
            }
            return out.toByteArray();
        }
    }

    static String readString(int pid, String file) throws ProcfsException {
        return new String(readAll(pid, file), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * Maps an I/O failure on a /proc file to the cause a user cares about.
     *
     * @param opened whether the file had been opened before the failure: a vanished file then
     *               means the process exited in the middle, not that it never existed
     */
    static ProcfsException translate(int pid, String path, IOException e, boolean opened) {
        String msg = String.valueOf(e.getMessage());
        if (e instanceof AccessDeniedException || msg.contains("Permission denied")
                || msg.contains("Operation not permitted")) {
            return new ProcfsException(pid, ProcfsException.Reason.PERMISSION_DENIED, Libc.EACCES,
                    "permission denied reading " + path + " (needs root, or ptrace access and "
                            + "CAP_SYS_ADMIN for PFNs)", e);
        }
        boolean perProcess = pid >= 0 && path.startsWith("/proc/" + pid + "/");
        if (e instanceof NoSuchFileException || msg.contains("No such file")) {
            if (perProcess && (opened || Files.exists(Path.of("/proc", Integer.toString(pid))))) {
                if (opened || !ProcessControl.isAlive(pid)) {
                    return exited(pid, path, e);
                }
                return new ProcfsException(pid, ProcfsException.Reason.UNSUPPORTED, Libc.ENOENT,
                        path + " does not exist on this kernel", e);
            }
            if (perProcess) {
                return noSuchProcess(pid, e);
            }
            return new ProcfsException(pid, ProcfsException.Reason.UNSUPPORTED, Libc.ENOENT,
                    path + " does not exist on this kernel", e);
        }
        if (msg.contains("No such process")) {
            return exited(pid, path, e);
        }
        return new ProcfsException(pid, ProcfsException.Reason.IO_ERROR, 0,
                "reading " + path + " failed: " + msg, e);
    }

    static ProcfsException exited(int pid, String path, Throwable cause) {
        return new ProcfsException(pid, ProcfsException.Reason.EXITED, Libc.ESRCH,
                "process exited while reading " + path, cause);
    }

    static ProcfsException noSuchProcess(int pid, Throwable cause) {
        return new ProcfsException(pid, ProcfsException.Reason.NO_SUCH_PROCESS, Libc.ESRCH,
                "no such process", cause);
    }
}
