package io.pagewalk.runtime.importer;

import io.pagewalk.runtime.importer.LiveImport.Source;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.procfs.ProcfsCapabilities;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which sources an import uses: what this process may read ({@link ProcfsCapabilities#probe()})
 * minus what the caller withheld. Page flags and mapcounts are joined by PFN, so they are usable
 * only when the PFNs are visible.
 */
record ImportSources(boolean pfns, boolean kpageflags, boolean kpagecount, boolean pagemapScan,
                     ProcfsCapabilities probed, Set<Source> withheld) {

    static ImportSources resolve(ProcfsCapabilities probed, Set<Source> withheld) {
        boolean pfns = probed.pfnsVisible() && !withheld.contains(Source.PFNS);
        return new ImportSources(pfns,
                pfns && probed.kpageflagsReadable() && !withheld.contains(Source.KPAGEFLAGS),
                pfns && probed.kpagecountReadable() && !withheld.contains(Source.KPAGECOUNT),
                probed.pagemapScan() && !withheld.contains(Source.PAGEMAP_SCAN), probed, Set.copyOf(withheld));
    }

    boolean complete() {
        return pfns && kpageflags && kpagecount && pagemapScan;
    }

    /** The facts the model will not know, by {@link LiveImport} fact name. */
    Set<String> unknownFacts() {
        Set<String> out = new LinkedHashSet<>();
        if (!pfns) {
            out.add(LiveImport.FACT_PFNS);
            out.add(LiveImport.FACT_SWAP_ENTRIES);
        }
        if (!kpageflags) {
            out.add(LiveImport.FACT_KPAGEFLAGS);
        }
        if (!kpagecount) {
            out.add(LiveImport.FACT_KPAGECOUNT);
        }
        if (!pagemapScan) {
            out.add(LiveImport.FACT_PMD_MAPPED);
        }
        return out;
    }

    void markUnknown(MmStruct mm) {
        mm.unknownFacts().addAll(unknownFacts());
        mm.memMap().setFlagsKnown(kpageflags);
        mm.memMap().setCountsKnown(kpagecount);
    }

    /** One line: what is missing and what becomes unavailable; null when nothing is. */
    String warning(int pid) {
        if (complete()) {
            return null;
        }
        ProcfsCapabilities effective = new ProcfsCapabilities(kpageflags, kpagecount, pagemapScan, pfns,
                probed.kernelRelease());
        return "pid " + pid + ": partial import, unknown facts " + unknownFacts() + ": " + effective.describe()
                + (withheld.isEmpty() ? "" : " (withheld by the caller: " + withheld + ")");
    }
}
