package io.pagewalk.runtime.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.procfs.ProcessControl;
import io.pagewalk.runtime.testing.FixtureProcess;
import io.pagewalk.runtime.testing.ModelEquality;
import io.pagewalk.runtime.testing.WalkEquality;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models of real processes (see {@link ProcfsModel}) survive a snapshot. */
class SnapshotLiveTest {
    @TempDir
    Path dir;

    @Test
    void theFixtureSurvives() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start()) {
            MmStruct mm;
            try (ProcessControl.Frozen frozen = ProcessControl.freeze(fx.pid())) {
                mm = ProcfsModel.importProcess(fx.pid());
            }
            // The THP part is a PMD leaf in the model, as the kernel maps it.
            long thp = fx.region("thp").start();
            assertTrue(Pgtable.pmd_leaf(io.pagewalk.runtime.mm.PageTables.get(mm, thp, PagingGeometry.PMD)));
            Path file = dir.resolve("fixture.pwsnap");
            SnapshotFile.write(mm, file);
            MmStruct loaded = SnapshotFile.read(file);
            assertEquals("live", loaded.origin().kind());
            assertEquals(fx.pid(), loaded.origin().pid());
            ModelEquality.assertSameModel(mm, loaded);
            WalkEquality.assertSameWalks(mm, loaded);
        }
    }

    @Test
    void thisJvmSurvives() throws Exception {
        // A big ordinary process: the test JVM itself (not frozen, so its model is only
        // approximately one moment). The size is reported, not asserted: it is not deterministic.
        MmStruct mm = ProcfsModel.importProcess((int) ProcessHandle.current().pid());
        Path file = dir.resolve("jvm.pwsnap");
        SnapshotFile.write(mm, file);
        long[] present = {0};
        mm.memMap().forEachPfn(p -> present[0]++);
        System.out.printf("snapshot of this JVM: %d VMAs, %d pages in the memmap, %d bytes, %.3f bytes per page%n",
                mm.mapCount(), present[0], Files.size(file), (double) Files.size(file) / present[0]);
        ModelEquality.assertSameModel(mm, SnapshotFile.read(file));
    }
}
