package io.pagewalk.runtime.procfs;

/**
 * One line of /proc/PID/maps (also the header line of each smaps block):
 * {@code start-end perms pgoff major:minor inode name}.
 *
 * @param start   first address (inclusive); compare addresses with {@link Long#compareUnsigned}
 * @param end     end address (exclusive); [vsyscall] lies above 2^63
 * @param perms   the four permission characters, for example {@code "rw-p"}
 * @param pgoff   file offset in bytes (the kernel prints vm_pgoff shifted by PAGE_SHIFT)
 * @param inode   0 for anonymous mappings
 * @param name    the path or pseudo name ({@code [heap]}, {@code [stack]}, {@code [vdso]},
 *                {@code [vvar]}, {@code [anon:x]}, {@code [anon_shmem:x]}, {@code /dev/zero
 *                (deleted)} for shared anonymous memory), with a {@code " (deleted)"} suffix kept
 *                as the kernel prints it; empty for a nameless anonymous mapping
 */
public record MapsEntry(long start, long end, String perms, long pgoff, int devMajor, int devMinor,
                        long inode, String name) {
    static final String DELETED = " (deleted)";

    public MapsEntry {
        if (perms.length() != 4) {
            throw new IllegalArgumentException("perms must have 4 characters: " + perms);
        }
    }

    public long size() {
        return end - start;
    }

    public boolean readable() {
        return perms.charAt(0) == 'r';
    }

    public boolean writable() {
        return perms.charAt(1) == 'w';
    }

    public boolean executable() {
        return perms.charAt(2) == 'x';
    }

    /** {@code s} in the fourth column: VM_MAYSHARE (MAP_SHARED), not "currently shared". */
    public boolean shared() {
        return perms.charAt(3) == 's';
    }

    /** True if the name is a bracketed pseudo name such as {@code [heap]} or {@code [anon:x]}. */
    public boolean pseudoName() {
        return name.startsWith("[") && name.endsWith("]");
    }

    /** True if the backing file was unlinked (the name ends in {@code " (deleted)"}). */
    public boolean deleted() {
        return name.endsWith(DELETED);
    }

    /** True if this maps a file or shared memory object (inode != 0). */
    public boolean fileBacked() {
        return inode != 0;
    }

    /** The maps line, formatted as the kernel does (name column padded to 73 characters). */
    public String toMapsLine() {
        String head = String.format("%08x-%08x %s %08x %02x:%02x %d ",
                start, end, perms, pgoff, devMajor, devMinor, inode);
        if (name.isEmpty()) {
            return head;
        }
        return head + " ".repeat(Math.max(0, 73 - head.length())) + name;
    }
}
