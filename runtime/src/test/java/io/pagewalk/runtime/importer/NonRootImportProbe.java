package io.pagewalk.runtime.importer;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.pgtable.Swapops;
import io.pagewalk.runtime.procfs.ProcfsException;

/**
 * Run by {@link LiveImportNonRootTest} in a JVM without root: imports a pid and prints what the
 * test checks, one fact per line.
 */
public final class NonRootImportProbe {
    private NonRootImportProbe() {}

    public static void main(String[] args) {
        int pid = Integer.parseInt(args[0]);
        long thp = Long.parseUnsignedLong(args[1], 16);
        long guard = Long.parseUnsignedLong(args[2], 16);
        try {
            MmStruct mm = LiveImport.importProcess(pid, new ImportOptions(false, w -> System.out.println("warning " + w)));
            System.out.println("facts " + mm.unknownFacts());
            System.out.println("flagsKnown " + mm.memMap().flagsKnown() + " countsKnown " + mm.memMap().countsKnown());
            System.out.println("thpPmdLeaf " + ModelPagemap.at(mm, thp).pmdLeaf());
            System.out.println("thpPfn " + ModelPagemap.at(mm, thp).pfn());
            System.out.println("guardMarker " + Swapops.is_guard_pte_marker(ModelPagemap.at(mm, guard).entry()));
        } catch (ProcfsException e) {
            System.out.println("error " + e.getMessage());
        }
    }
}
