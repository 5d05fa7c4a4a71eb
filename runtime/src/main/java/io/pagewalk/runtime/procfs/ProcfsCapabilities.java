package io.pagewalk.runtime.procfs;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What this process may read of live memory state, probed on our own process so no target is
 * needed. A live import degrades by what is missing; {@link #describe()} says what, in one line.
 *
 * @param kpageflagsReadable /proc/kpageflags can be read (root; else no page flags: no THP,
 *                           zero-page, LRU, anon/file classification beyond pagemap bits)
 * @param kpagecountReadable /proc/kpagecount can be read (else no mapcounts: no PSS, no
 *                           private/shared split)
 * @param pagemapScan        the PAGEMAP_SCAN ioctl exists (6.7+; else no PMD-mapped THP
 *                           detection: AnonHugePages and friends cannot be rebuilt)
 * @param pfnsVisible        pagemap PFNs are real (CAP_SYS_ADMIN; else they read as 0 and
 *                           nothing can be joined with kpageflags/kpagecount)
 * @param kernelRelease      {@code uname -r}
 */
public record ProcfsCapabilities(boolean kpageflagsReadable, boolean kpagecountReadable,
                                 boolean pagemapScan, boolean pfnsVisible, String kernelRelease) {

    /** Probes the running kernel. Never throws: whatever cannot be checked counts as missing. */
    public static ProcfsCapabilities probe() {
        String release;
        try {
            release = ProcessControl.kernelRelease();
        } catch (ProcfsException e) {
            release = "unknown";
        }
        return new ProcfsCapabilities(readable(KpageReader.KPAGEFLAGS), readable(KpageReader.KPAGECOUNT),
                probePagemapScan(), probePfnsVisible(), release);
    }

    /** True if every capability is there. */
    public boolean complete() {
        return kpageflagsReadable && kpagecountReadable && pagemapScan && pfnsVisible;
    }

    /**
     * One line: {@code "all procfs sources available (kernel 6.18.44)"} or what is missing and
     * which results become unavailable.
     */
    public String describe() {
        if (complete()) {
            return "all procfs sources available (kernel " + kernelRelease + ")";
        }
        List<String> missing = new ArrayList<>();
        if (!pfnsVisible) {
            missing.add("PFNs hidden in pagemap (needs CAP_SYS_ADMIN): no physical-page join, no page flags or mapcounts");
        }
        if (!kpageflagsReadable) {
            missing.add("/proc/kpageflags unreadable (needs root): no page flags (THP, zero page, anon/file, LRU)");
        }
        if (!kpagecountReadable) {
            missing.add("/proc/kpagecount unreadable (needs root): no mapcounts, so no PSS or private/shared split");
        }
        if (!pagemapScan) {
            missing.add("no PAGEMAP_SCAN ioctl (needs 6.7+): PMD-mapped THPs cannot be told from PTE-mapped ones");
        }
        return "kernel " + kernelRelease + ": " + String.join("; ", missing);
    }

    private static boolean readable(Path p) {
        try (FileChannel ch = FileChannel.open(p)) {
            ByteBuffer b = ByteBuffer.allocate(8);
            return ch.read(b, 0) == 8;
        } catch (IOException e) {
            return false;
        }
    }

    // CRIU's probe: an empty range (start = end = 0) returns 0 where the ioctl exists, and
    // ENOTTY (or EINVAL on odd kernels) where it does not.
    private static boolean probePagemapScan() {
        try (PagemapScan scan = PagemapScan.openSelf()) {
            return scan.scan(new PagemapScan.Request(0, 0, 0, 0, 0, 0, 0, 0, 0)).returnValue() == 0;
        } catch (ProcfsException e) {
            return false;
        }
    }

    // Fault in one page of our own and look at its pagemap entry: present with PFN 0 means the
    // kernel hides PFNs from us.
    private static boolean probePfnsVisible() {
        try (Arena arena = Arena.ofConfined();
             FileChannel ch = FileChannel.open(Path.of("/proc/self/pagemap"))) {
            MemorySegment page = arena.allocate(4096, 4096);
            page.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            if (ch.read(b, (page.address() >>> 12) * 8) != 8) {
                return false;
            }
            long entry = b.getLong(0);
            return PagemapEntry.present(entry) && PagemapEntry.pfn(entry) != 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
