package io.pagewalk.runtime.procfs;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The PAGEMAP_SCAN ioctl (Linux 6.7+) on /proc/PID/pagemap, through the foreign function API.
 *
 * <p>It reports page ranges by category (present, swapped, file, zero PFN, PMD-mapped huge,
 * guard, ...) in one system call per buffer-full, which is the only user-visible way to tell a
 * PMD-mapped THP from a PTE-mapped large folio ({@link #PAGE_IS_HUGE}).
 *
 * <p>Layouts (include/uapi/linux/fs.h): {@code struct pm_scan_arg} is twelve u64 fields, 96
 * bytes: size, flags, start, end, walk_end, vec, vec_len, max_pages, category_inverted,
 * category_mask, category_anyof_mask, return_mask. {@code struct page_region} is start, end,
 * categories: 24 bytes.
 *
 * <p>Matching, as the kernel does it: {@code c = categories ^ inverted}; a page is reported iff
 * {@code (c & mask) == mask} and ({@code anyof == 0} or {@code c & anyof != 0}); the region
 * carries {@code categories & return_mask} (un-inverted). Note that on 6.18 {@link
 * #PAGE_IS_WRITTEN} is set for every page when no userfaultfd write-protection is registered.
 */
public final class PagemapScan implements AutoCloseable {
    /** {@code _IOWR('f', 16, struct pm_scan_arg)}. */
    public static final long PAGEMAP_SCAN = 0xC0606610L;
    public static final int ARG_SIZE = 96;
    public static final int REGION_SIZE = 24;

    public static final long PM_SCAN_WP_MATCHING = 1L << 0;
    public static final long PM_SCAN_CHECK_WPASYNC = 1L << 1;

    public static final long PAGE_IS_WPALLOWED = 1L << 0;
    public static final long PAGE_IS_WRITTEN = 1L << 1;
    public static final long PAGE_IS_FILE = 1L << 2;
    public static final long PAGE_IS_PRESENT = 1L << 3;
    public static final long PAGE_IS_SWAPPED = 1L << 4;
    public static final long PAGE_IS_PFNZERO = 1L << 5;
    public static final long PAGE_IS_HUGE = 1L << 6;
    public static final long PAGE_IS_SOFT_DIRTY = 1L << 7;
    public static final long PAGE_IS_GUARD = 1L << 8;
    /** Every category this class knows; the kernel rejects bits beyond its own set (EINVAL). */
    public static final long ALL_CATEGORIES = (1L << 9) - 1;

    private static final String[] CATEGORY_NAMES = {
        "wpallowed", "written", "file", "present", "swapped", "pfnzero", "huge", "soft-dirty", "guard"};
    /** Largest output buffer one call may ask for (24 MiB). */
    public static final int MAX_VEC_LEN = 1 << 20;

    private final int pid;
    private final String path;
    private int fd;

    /**
     * One scan request. {@code vecLen} is the number of {@code page_region} slots (0 means no
     * output, which makes the kernel ignore {@code maxPages}); {@code maxPages} 0 means no limit.
     */
    public record Request(long start, long end, long flags, long categoryInverted, long categoryMask,
                          long categoryAnyofMask, long returnMask, long maxPages, int vecLen) {
        public Request {
            if (vecLen < 0 || vecLen > MAX_VEC_LEN) {
                throw new IllegalArgumentException("vecLen out of range: " + vecLen);
            }
        }

        /** All pages in {@code [start, end)} that match nothing in particular, reporting every category. */
        public static Request of(long start, long end) {
            return new Request(start, end, 0, 0, 0, 0, ALL_CATEGORIES, 0, 1024);
        }

        public Request withRange(long newStart, long newEnd) {
            return new Request(newStart, newEnd, flags, categoryInverted, categoryMask, categoryAnyofMask,
                    returnMask, maxPages, vecLen);
        }

        public Request withFlags(long newFlags) {
            return new Request(start, end, newFlags, categoryInverted, categoryMask, categoryAnyofMask,
                    returnMask, maxPages, vecLen);
        }

        /** Sets inverted, mask, anyof and return masks together. */
        public Request withCategories(long inverted, long mask, long anyof, long ret) {
            return new Request(start, end, flags, inverted, mask, anyof, ret, maxPages, vecLen);
        }

        public Request withMaxPages(long newMaxPages) {
            return new Request(start, end, flags, categoryInverted, categoryMask, categoryAnyofMask,
                    returnMask, newMaxPages, vecLen);
        }

        public Request withVecLen(int newVecLen) {
            return new Request(start, end, flags, categoryInverted, categoryMask, categoryAnyofMask,
                    returnMask, maxPages, newVecLen);
        }
    }

    /** One reported range and its categories (masked by the request's return mask). */
    public record Region(long start, long end, long categories) {
        public long pages() {
            return (end - start) >>> 12;
        }

        @Override
        public String toString() {
            return "0x" + Long.toHexString(start) + "-0x" + Long.toHexString(end) + " " + categoryNames(categories);
        }
    }

    /**
     * The outcome of one ioctl: the regions, where the walk stopped ({@code walkEnd == end}
     * when the whole range was done), and the ioctl's return value (the region count).
     */
    public record Result(List<Region> regions, long walkEnd, int returnValue) {
    }

    private PagemapScan(int pid, String path, int fd) {
        this.pid = pid;
        this.path = path;
        this.fd = fd;
    }

    /** Opens /proc/PID/pagemap for the ioctl. */
    public static PagemapScan open(int pid) throws ProcfsException {
        ProcessControl.requireUserProcess(pid);
        return openPath(pid, "/proc/" + pid + "/pagemap");
    }

    /** Opens /proc/self/pagemap (used by the capability probe). */
    static PagemapScan openSelf() throws ProcfsException {
        return openPath((int) ProcessHandle.current().pid(), "/proc/self/pagemap");
    }

    private static PagemapScan openPath(int pid, String path) throws ProcfsException {
        int fd = Libc.openReadOnly(path);
        if (fd < 0) {
            int errno = -fd;
            if (errno == Libc.ENOENT || errno == Libc.ESRCH) {
                throw ProcessControl.isAlive(pid) ? new ProcfsException(pid, ProcfsException.Reason.UNSUPPORTED,
                        errno, path + " does not exist on this kernel") : ProcFiles.noSuchProcess(pid, null);
            }
            ProcfsException.Reason reason = errno == Libc.EACCES || errno == Libc.EPERM
                    ? ProcfsException.Reason.PERMISSION_DENIED : ProcfsException.Reason.SYSCALL_FAILED;
            throw new ProcfsException(pid, reason, errno, "cannot open " + path + ": " + Libc.errnoName(errno));
        }
        return new PagemapScan(pid, path, fd);
    }

    public int pid() {
        return pid;
    }

    /**
     * One PAGEMAP_SCAN call.
     *
     * @throws ProcfsException with {@link ProcfsException#errno()} set when the ioctl fails:
     *                         EINVAL (bad flags, categories, alignment), EFAULT (bad range),
     *                         EPERM (CHECK_WPASYNC without async uffd-wp); UNSUPPORTED for
     *                         ENOTTY (kernel before 6.7); EXITED when the process is gone
     */
    public Result scan(Request r) throws ProcfsException {
        if (fd < 0) {
            throw new IllegalStateException("closed");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vec = r.vecLen() == 0 ? MemorySegment.NULL
                    : arena.allocate((long) r.vecLen() * REGION_SIZE, 8);
            MemorySegment arg = arena.allocate(ARG_SIZE, 8);
            long[] fields = {ARG_SIZE, r.flags(), r.start(), r.end(), 0, vec.address(), r.vecLen(),
                r.maxPages(), r.categoryInverted(), r.categoryMask(), r.categoryAnyofMask(), r.returnMask()};
            for (int i = 0; i < fields.length; i++) {
                arg.setAtIndex(JAVA_LONG, i, fields[i]);
            }
            int rc = Libc.ioctl(fd, PAGEMAP_SCAN, arg);
            if (rc < 0) {
                throw failure(-rc, r);
            }
            // The fd pins the mm_struct but not its VMAs: after the target exits the ioctl
            // succeeds and reports nothing (observed on 6.18). Tell that apart from "no match".
            if (!ProcessControl.isAlive(pid)) {
                throw ProcFiles.exited(pid, path, null);
            }
            List<Region> regions = new ArrayList<>(rc);
            for (int i = 0; i < rc; i++) {
                long base = (long) i * 3;
                regions.add(new Region(vec.getAtIndex(JAVA_LONG, base), vec.getAtIndex(JAVA_LONG, base + 1),
                        vec.getAtIndex(JAVA_LONG, base + 2)));
            }
            return new Result(List.copyOf(regions), arg.getAtIndex(JAVA_LONG, 4), rc);
        }
    }

    /**
     * Scans all of {@code [r.start, r.end)}, calling again from {@code walk_end} whenever the
     * output buffer filled up, and merges regions that touch and have equal categories across
     * calls (the kernel merges them within a call), so the result does not depend on
     * {@code vecLen}. {@code maxPages} limits each call, not the total.
     */
    public List<Region> scanAll(Request r) throws ProcfsException {
        List<Region> out = new ArrayList<>();
        long cursor = r.start();
        while (Long.compareUnsigned(cursor, r.end()) < 0) {
            Result res = scan(r.withRange(cursor, r.end()));
            for (Region g : res.regions()) {
                Region last = out.isEmpty() ? null : out.getLast();
                if (last != null && last.end() == g.start() && last.categories() == g.categories()) {
                    out.set(out.size() - 1, new Region(last.start(), g.end(), g.categories()));
                } else {
                    out.add(g);
                }
            }
            if (Long.compareUnsigned(res.walkEnd(), cursor) <= 0) {
                break; // no progress (for example vecLen == 0): the kernel is done with what it can do
            }
            cursor = res.walkEnd();
        }
        return out;
    }

    private ProcfsException failure(int errno, Request r) {
        if (errno == Libc.ENOTTY) {
            return new ProcfsException(pid, ProcfsException.Reason.UNSUPPORTED, errno,
                    "PAGEMAP_SCAN is not supported by this kernel (needs 6.7+)");
        }
        if (errno == Libc.ESRCH || (errno == Libc.ENOENT && !ProcessControl.isAlive(pid))) {
            return ProcFiles.exited(pid, path, null);
        }
        ProcfsException.Reason reason = errno == Libc.EPERM || errno == Libc.EACCES
                ? ProcfsException.Reason.PERMISSION_DENIED : ProcfsException.Reason.SYSCALL_FAILED;
        return new ProcfsException(pid, reason, errno, "PAGEMAP_SCAN on " + path + " failed with "
                + Libc.errnoName(errno) + " (range 0x" + Long.toHexString(r.start()) + "-0x"
                + Long.toHexString(r.end()) + ", flags 0x" + Long.toHexString(r.flags()) + ")");
    }

    /** The category names of a mask: {@code "written|present|huge"}. */
    public static String categoryNames(long categories) {
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < 64; bit++) {
            if ((categories & (1L << bit)) != 0) {
                if (!sb.isEmpty()) {
                    sb.append('|');
                }
                sb.append(bit < CATEGORY_NAMES.length ? CATEGORY_NAMES[bit] : "bit" + bit);
            }
        }
        return sb.isEmpty() ? "0" : sb.toString();
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Libc.close(fd);
            fd = -1;
        }
    }
}
