package io.pagewalk.plugins.more;

import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.procfs.ProcfsException;
import java.io.IOException;

/** What the live tests share: a quiet page cache and imports without warnings. */
final class Live {
    private Live() {}

    /**
     * Writes dirty page cache back first, so that the fixture's fresh files do not turn clean
     * (writeback after 30 s) between an import and the kernel's own report.
     */
    static void syncPageCache() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sync").inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("sync failed");
        }
    }

    static MmStruct importProcess(int pid) throws ProcfsException {
        return LiveImport.importProcess(pid, new ImportOptions(false, w -> { }));
    }
}
