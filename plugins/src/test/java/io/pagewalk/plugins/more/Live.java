package io.pagewalk.plugins.more;

import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.procfs.ProcfsException;
import io.pagewalk.runtime.testing.FixtureProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the live tests share: one fixture with every part, imported once, for the read-only
 * plugins (the fixture holds still, so one import serves them all).
 */
final class Live {
    private Live() {}

    /** The fixture, its import, and the kernel's numa_maps read right after the import. */
    record Shared(FixtureProcess fx, MmStruct mm, List<String> numaMaps) {}

    private static Shared shared;

    static synchronized Shared shared() throws Exception {
        if (shared == null) {
            FixtureProcess fx = FixtureProcess.start("all");
            Runtime.getRuntime().addShutdownHook(new Thread(fx::close));
            syncPageCache();
            MmStruct mm = importProcess(fx.pid());
            shared = new Shared(fx, mm, Files.readAllLines(Path.of("/proc/" + fx.pid() + "/numa_maps")));
        }
        return shared;
    }

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

    /** Runs plugin {@code name} on {@code mm}. */
    static String run(String name, MmStruct mm, boolean allowWrite, String... args) throws Exception {
        return io.pagewalk.plugins.PluginHarness.run(io.pagewalk.plugins.PluginHarness.plugin(name).resolve(name + ".js"),
                mm, allowWrite, args);
    }
}
