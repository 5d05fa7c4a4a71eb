package io.pagewalk.runtime.importer;

import static io.pagewalk.runtime.importer.LiveImport.FACT_THP_SETTINGS;

import io.pagewalk.runtime.importer.LiveImport.Source;
import io.pagewalk.runtime.mm.AddressSpace;
import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmOrigin;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.VmArea;
import io.pagewalk.runtime.mm.VmFlags;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.procfs.KpageReader;
import io.pagewalk.runtime.procfs.MapsEntry;
import io.pagewalk.runtime.procfs.PagemapReader;
import io.pagewalk.runtime.procfs.PagemapScan;
import io.pagewalk.runtime.procfs.ProcMaps;
import io.pagewalk.runtime.procfs.ProcVma;
import io.pagewalk.runtime.procfs.ProcessControl;
import io.pagewalk.runtime.procfs.ProcfsCapabilities;
import io.pagewalk.runtime.procfs.ProcfsException;
import io.pagewalk.runtime.thp.ThpSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** One run of {@link LiveImport}: the order of the reads, freezing, and the final checks. */
final class LiveImporter {
    /** 47-bit user space: a VMA above it means 5-level paging. */
    private static final long FOUR_LEVEL_USER_TOP = 1L << 47;
    private static final int ESRCH = 3;

    private final int pid;
    private final ImportOptions options;
    private final Set<Source> withheld;
    /** Called with the name of each finished phase; tests use it to act mid-import. */
    private final Consumer<String> phaseHook;

    LiveImporter(int pid, ImportOptions options, Set<Source> withheld, Consumer<String> phaseHook) {
        this.pid = pid;
        this.options = options == null ? ImportOptions.defaults() : options;
        this.withheld = withheld == null || withheld.isEmpty() ? EnumSet.noneOf(Source.class) : EnumSet.copyOf(withheld);
        this.phaseHook = phaseHook;
    }

    MmStruct run() throws ProcfsException {
        ProcessControl.requireUserProcess(pid);
        ImportSources src = ImportSources.resolve(ProcfsCapabilities.probe(), withheld);
        try {
            if (options.freeze()) {
                // close() resumes the target on every way out; its shutdown hook covers JVM exit.
                try (ProcessControl.Frozen frozen = ProcessControl.freeze(pid)) {
                    phase(frozen.stoppedByUs() ? "frozen" : "already-stopped");
                    return read(src);
                }
            }
            return read(src);
        } catch (ProcfsException e) {
            if (Thread.currentThread().isInterrupted() && e.reason() == ProcfsException.Reason.IO_ERROR) {
                throw new ProcfsException(pid, ProcfsException.Reason.IO_ERROR, 0, "import interrupted", e);
            }
            if (e.reason() == ProcfsException.Reason.NO_SUCH_PROCESS) {
                // It existed when we started (checked above), so it exited and was reaped meanwhile.
                throw new ProcfsException(pid, ProcfsException.Reason.EXITED, ESRCH, "process exited during the import", e);
            }
            throw e;
        }
    }

    private void phase(String name) {
        if (phaseHook != null) {
            phaseHook.accept(name);
        }
    }

    private MmStruct read(ImportSources src) throws ProcfsException {
        List<String> args = ProcessControl.cmdline(pid);
        String command = args.isEmpty() ? ProcessControl.comm(pid) : String.join(" ", args);
        List<ProcVma> procVmas = ProcMaps.readSmaps(pid);
        phase("smaps");
        MmStruct mm = new MmStruct(geometry(procVmas), new MemMap());
        addVmas(mm, procVmas);

        FolioImport folios;
        try (PagemapReader reader = PagemapReader.open(pid);
             PagemapScan scan = src.pagemapScan() ? PagemapScan.open(pid) : null) {
            PagemapSnapshot snapshot = PagemapSnapshot.read(reader, scan, mm.vmas(), mm.taskSize(), !src.pfns());
            phase("pagemap");
            long[] pfns = src.pfns() ? snapshot.presentPfns() : new long[0];
            if (src.kpageflags() || src.kpagecount()) {
                try (KpageReader kpage = KpageReader.open()) {
                    folios = FolioImport.load(mm.memMap(), pfns, kpage, src.kpageflags(), src.kpagecount());
                }
            } else {
                folios = FolioImport.load(mm.memMap(), pfns, null, false, false);
            }
            phase("kpage");
            new PageTableBuilder(mm, src, scan, folios).build(snapshot.runs);
            phase("pagetables");
        }
        // Every read above may have raced with the exit; a model of a half-torn-down mm is no model.
        if (!ProcessControl.isAlive(pid)) {
            throw new ProcfsException(pid, ProcfsException.Reason.EXITED, ESRCH, "process exited during the import");
        }
        folios.setRefcounts(mm.memMap());
        src.markUnknown(mm);
        String warning = src.warning(pid);
        if (warning != null) {
            options.warn(warning);
        }
        if (folios.orphanTails > 0) {
            options.warn("pid " + pid + ": " + folios.orphanTails
                    + " pages of large folios whose head was not found were imported as small pages (torn read)");
        }
        importThpPolicy(mm, pid, options);
        mm.setOrigin(new MmOrigin("live", pid, command, src.probed().kernelRelease(), System.currentTimeMillis()));
        return mm;
    }

    /** The machine's THP settings and the process's prctl THP switch: what THPeligible rests on. */
    private static void importThpPolicy(MmStruct mm, int pid, ImportOptions options) {
        try {
            mm.setThpSettings(ThpSettings.readSysfs());
        } catch (IOException | RuntimeException e) {
            mm.unknownFacts().add(FACT_THP_SETTINGS);
            options.warn("pid " + pid + ": THP settings unreadable (" + e.getMessage() + "): THPeligible unknown");
        }
        try {
            String status = Files.readString(Path.of("/proc/" + pid + "/status"));
            mm.setThpDisabled(status.contains("\nTHP_enabled:\t0"));
        } catch (IOException e) {
            // Gone or unreadable: the import already succeeded; prctl THP_DISABLE stays off.
        }
    }

    private static PagingGeometry geometry(List<ProcVma> vmas) {
        for (ProcVma v : vmas) {
            if (v.end() > FOUR_LEVEL_USER_TOP) { // signed compare: the kernel half ([vsyscall]) is negative
                return PagingGeometry.X86_64_5LEVEL;
            }
        }
        return PagingGeometry.X86_64_4LEVEL;
    }

    private static void addVmas(MmStruct mm, List<ProcVma> procVmas) {
        Map<String, AddressSpace> files = new HashMap<>();
        for (ProcVma pv : procVmas) {
            MapsEntry m = pv.map();
            long flags = pv.vmFlags();
            if (pv.protectionKey() > 0) {
                flags |= ((long) pv.protectionKey() << Long.numberOfTrailingZeros(VmFlags.VM_PKEY_BIT0))
                        & VmFlags.VM_PKEY_MASK;
            }
            if (Long.compareUnsigned(m.start(), mm.taskSize()) >= 0) {
                mm.setGateVma(m.start(), m.end(), flags, m.name()); // [vsyscall]: not in the VMA tree
                continue;
            }
            AddressSpace file = null;
            if (m.inode() != 0) {
                String key = m.devMajor() + ":" + m.devMinor() + ":" + m.inode();
                file = files.computeIfAbsent(key, k -> new AddressSpace(m.name(),
                        ((long) m.devMajor() << 20) | m.devMinor(), m.inode(), isShmem(m)));
            }
            VmArea vma = mm.insertVma(m.start(), m.end(), flags, m.pgoff() >>> PagingGeometry.PAGE_SHIFT, file, m.name());
            if (pv.hugetlb() && pv.kernelPageSize() > 0) {
                vma.setPageShift(Long.numberOfTrailingZeros(pv.kernelPageSize()));
            }
        }
    }

    /**
     * shmem/tmpfs by name, as maps shows it: shared anonymous memory ({@code /dev/zero (deleted)},
     * {@code [anon_shmem:x]}), memfd, POSIX and SysV shared memory.
     */
    static boolean isShmem(MapsEntry m) {
        String n = m.name();
        return n.startsWith("/dev/zero") || n.startsWith("[anon_shmem:") || n.startsWith("/memfd:")
                || n.startsWith("/dev/shm/") || n.startsWith("/SYSV");
    }
}
