package io.pagewalk.runtime.procfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Batched positional reads of /proc/PID/pagemap: one 8-byte entry per 4 KiB page at offset
 * {@code (address / 4096) * 8}. Each call covers a whole address range (typically one VMA)
 * with reads of up to {@link #MAX_ENTRIES_PER_READ} entries, never one system call per page.
 *
 * <p>The kernel walks each read in 2 MiB steps under separate mmap-lock holds, so a read is not
 * an atomic snapshot; freeze the target for a consistent picture. Entries are decoded with
 * {@link PagemapEntry}. Not thread-safe (one reusable buffer).
 */
public final class PagemapReader implements AutoCloseable {
    public static final int PAGE_SHIFT = 12;
    /** 64 Ki entries (512 KiB, 256 MiB of address space) per read system call. */
    public static final int MAX_ENTRIES_PER_READ = 64 * 1024;

    private final int pid;
    private final Path path;
    private final FileChannel channel;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(0);
    private long reads;

    private PagemapReader(int pid, Path path, FileChannel channel) {
        this.pid = pid;
        this.path = path;
        this.channel = channel;
    }

    /** Opens /proc/PID/pagemap (needs PTRACE_MODE_READ; PFNs need CAP_SYS_ADMIN). */
    public static PagemapReader open(int pid) throws ProcfsException {
        ProcessControl.requireUserProcess(pid);
        Path path = ProcFiles.path(pid, "pagemap");
        try {
            return new PagemapReader(pid, path, FileChannel.open(path));
        } catch (IOException e) {
            throw ProcFiles.translate(pid, path.toString(), e, false);
        }
    }

    public int pid() {
        return pid;
    }

    /** Number of read system calls issued so far (for tests and diagnostics). */
    public long readCalls() {
        return reads;
    }

    /** The entries for the pages of {@code [start, end)} (addresses rounded to pages). */
    public long[] read(long start, long end) throws ProcfsException {
        long first = start >>> PAGE_SHIFT;
        long last = (end + (1L << PAGE_SHIFT) - 1) >>> PAGE_SHIFT;
        long pages = last - first;
        if (pages < 0 || pages > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bad range " + Long.toHexString(start) + "-" + Long.toHexString(end));
        }
        long[] out = new long[(int) pages];
        read(start, out, 0, out.length);
        return out;
    }

    /**
     * Reads {@code pages} entries starting with the page of {@code startAddress} into
     * {@code dst[dstOffset..]}. Entries past the end of the user address space (task_size)
     * read as 0, as the kernel returns no bytes there.
     *
     * @throws ProcfsException EXITED if the process exited after open (the kernel then returns
     *                         no bytes at all, or ESRCH)
     */
    public void read(long startAddress, long[] dst, int dstOffset, int pages) throws ProcfsException {
        if (dstOffset < 0 || pages < 0 || dstOffset + pages > dst.length) {
            throw new IndexOutOfBoundsException("dst[" + dstOffset + ".." + (dstOffset + pages) + ") of " + dst.length);
        }
        long page = startAddress >>> PAGE_SHIFT;
        int done = 0;
        while (done < pages) {
            int n = Math.min(pages - done, MAX_ENTRIES_PER_READ);
            int got = readChunk((page + done) * 8, dst, dstOffset + done, n);
            if (got == 0) {
                // No bytes: past task_size, or the mm is gone (the kernel returns 0, not ESRCH).
                if (!ProcessControl.isAlive(pid)) {
                    throw ProcFiles.exited(pid, path.toString(), null);
                }
                java.util.Arrays.fill(dst, dstOffset + done, dstOffset + pages, 0L);
                return;
            }
            done += got;
        }
    }

    // One positional read of up to n entries; returns the number of whole entries read.
    private int readChunk(long position, long[] dst, int off, int n) throws ProcfsException {
        int bytes = n * 8;
        if (buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(Math.max(bytes, 4096)).order(ByteOrder.nativeOrder());
        }
        buffer.clear().limit(bytes);
        try {
            int total = 0;
            while (buffer.hasRemaining()) {
                reads++;
                int r = channel.read(buffer, position + total);
                if (r <= 0) {
                    break;
                }
                total += r;
            }
            int entries = total / 8;
            LongBuffer longs = buffer.flip().order(ByteOrder.nativeOrder()).asLongBuffer();
            longs.get(dst, off, entries);
            return entries;
        } catch (IOException e) {
            throw ProcFiles.translate(pid, path.toString(), e, true);
        }
    }

    @Override
    public void close() throws ProcfsException {
        try {
            channel.close();
        } catch (IOException e) {
            throw ProcFiles.translate(pid, path.toString(), e, true);
        }
    }
}
