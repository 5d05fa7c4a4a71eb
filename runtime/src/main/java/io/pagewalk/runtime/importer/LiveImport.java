package io.pagewalk.runtime.importer;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.procfs.ProcfsException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads a running process into the model: its VMAs, its page tables rebuilt entry by entry, and
 * the physical pages (folios) it maps.
 *
 * <h2>What is read, in this order</h2>
 * <ol>
 * <li>{@code /proc/PID/smaps}: the VMAs, their names and {@code VmFlags} (as kernel {@code VM_*}
 *     bits), {@code KernelPageSize} and {@code ProtectionKey}. None of its counters (Rss, Pss,
 *     AnonHugePages, THPeligible, ...): those are what plugins compute from the model.</li>
 * <li>{@code /proc/PID/pagemap}, one batched read per VMA range (64 Ki entries per system call;
 *     VMAs over 64 GiB are first narrowed to their populated parts with PAGEMAP_SCAN): present,
 *     swapped, file/shared-anon, exclusive, soft-dirty, uffd-wp, guard, PFN, swap type/offset.</li>
 * <li>{@code /proc/kpageflags} and {@code /proc/kpagecount} for the sorted, distinct present
 *     PFNs, read by runs; for every large folio its whole naturally aligned block too, so that the
 *     head, the order and unmapped subpages are known.</li>
 * <li>The {@code PAGEMAP_SCAN} ioctl only where pagemap cannot tell: on the 2 MiB spans that hold
 *     a whole order-9 folio (is it PMD-mapped? {@code PAGE_IS_HUGE}), and, without kpageflags, on
 *     pages that may be the zero page ({@code PAGE_IS_PFNZERO}).</li>
 * </ol>
 *
 * <h2>What the model gets</h2>
 * See {@code PageTableBuilder} for the page-table entries and the x86 bits chosen (the dirty and
 * accessed bits are not visible to userspace), and {@code FolioImport} for folios (flags in KPF
 * numbering, per-page mapcounts, order, entire mapcount, mapping and index). The origin is
 * {@code MmOrigin("live", pid, cmdline, kernelRelease, now)}.
 *
 * <h2>Consistency</h2>
 * With {@link ImportOptions#freeze()} the target is stopped (SIGSTOP) before smaps is read and
 * resumed after the last read, whatever happens (exception, interrupt, JVM shutdown hook). Even
 * then the kernel can move pages (reclaim, compaction, khugepaged, NUMA balancing). Without
 * freezing, the reads can tear: a VMA mapped or unmapped after smaps was read is missing or
 * empty; pages faulted in, freed or COW-broken between the pagemap read of one 2 MiB chunk and
 * the next; a PFN freed and reused between pagemap and kpageflags (flags of another page);
 * mapcounts that changed because a sharer forked or exited; a THP split or collapsed between
 * pagemap and PAGEMAP_SCAN (the span then stays PTE-mapped in the model).
 *
 * <h2>Without root</h2>
 * Whatever is readable is used; one warning line says what is missing and which results become
 * unavailable, and the facts are marked unknown ({@link MmStruct#unknownFacts()},
 * {@code MemMap.flagsKnown()/countsKnown()}) instead of being zero: {@link #FACT_PFNS} (PFNs
 * hidden without CAP_SYS_ADMIN: entries carry PFN 0 and no folio is imported; swap type and
 * offset are 0 too, {@link #FACT_SWAP_ENTRIES}), {@link #FACT_KPAGEFLAGS}, {@link #FACT_KPAGECOUNT},
 * {@link #FACT_PMD_MAPPED} (no PAGEMAP_SCAN: every large folio is imported PTE-mapped).
 *
 * <p>Failures are one {@link ProcfsException} line naming the pid: no such process, a kernel
 * thread (no mm), a process that exits before or during the import, permission denied.
 */
public final class LiveImport {
    private LiveImport() {}

    /** {@link MmStruct#unknownFacts()} entry: pagemap PFNs were hidden (or withheld). */
    public static final String FACT_PFNS = "pfns";
    /** Swap type and offset of swap entries are unknown (hidden with the PFNs). */
    public static final String FACT_SWAP_ENTRIES = "swap-entries";
    /** Page flags unknown: /proc/kpageflags unreadable (or PFNs hidden). */
    public static final String FACT_KPAGEFLAGS = "kpageflags";
    /** Mapcounts unknown: /proc/kpagecount unreadable (or PFNs hidden). */
    public static final String FACT_KPAGECOUNT = "kpagecount";
    /** Whether large folios are PMD-mapped is unknown: no PAGEMAP_SCAN. */
    public static final String FACT_PMD_MAPPED = "pmd-mapped";
    /** The THP sysfs settings (THPeligible rests on them). */
    public static final String FACT_THP_SETTINGS = "thp-settings";

    /** A source the import can go without (tests and {@code --without} use it to degrade on purpose). */
    public enum Source {
        /** PFNs in pagemap (CAP_SYS_ADMIN). */
        PFNS,
        /** /proc/kpageflags (root). */
        KPAGEFLAGS,
        /** /proc/kpagecount (root). */
        KPAGECOUNT,
        /** The PAGEMAP_SCAN ioctl (6.7+). */
        PAGEMAP_SCAN
    }

    /** Imports process {@code pid} with every source this process may read. */
    public static MmStruct importProcess(int pid, ImportOptions options) throws ProcfsException {
        return importProcess(pid, options, EnumSet.noneOf(Source.class));
    }

    /**
     * Imports process {@code pid} as if {@code withheld} were unreadable: the model and the
     * warning are those a less privileged caller (or an older kernel) would get.
     */
    public static MmStruct importProcess(int pid, ImportOptions options, Set<Source> withheld)
            throws ProcfsException {
        return new LiveImporter(pid, options, withheld, null).run();
    }
}
