package io.pagewalk.runtime.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.importer.ImportOptions;
import io.pagewalk.runtime.importer.LiveImport;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.mm.PageTables;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.pgtable.Pgtable;
import io.pagewalk.runtime.testing.FixtureProcess;
import io.pagewalk.runtime.testing.ModelEquality;
import io.pagewalk.runtime.testing.WalkEquality;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live imports of real processes survive a snapshot. */
class SnapshotLiveTest {
    @TempDir
    Path dir;

    @Test
    void anImportedFixtureSurvives() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("all")) {
            MmStruct mm = LiveImport.importProcess(fx.pid(), ImportOptions.defaults());
            // The THP part is PMD-mapped, so the snapshot holds a real PMD leaf.
            assertTrue(Pgtable.pmd_leaf(PageTables.get(mm, fx.region("thp").start(), PagingGeometry.PMD)));
            Path file = dir.resolve("fixture.pwsnap");
            SnapshotFile.write(mm, file);
            MmStruct loaded = SnapshotFile.read(file);
            assertEquals("live", loaded.origin().kind());
            assertEquals(fx.pid(), loaded.origin().pid());
            assertEquals(mm.origin(), loaded.origin());
            assertNotNull(loaded.gateVma(), "[vsyscall]");
            ModelEquality.assertSameModel(mm, loaded);
            WalkEquality.assertSameWalks(mm, loaded);
        }
    }

    @Test
    void anImportOfThisJvmSurvives() throws Exception {
        // A big ordinary process: the test JVM itself (not frozen: it would stop itself). Its
        // size is reported, not asserted: it is not deterministic.
        MmStruct mm = LiveImport.importProcess((int) ProcessHandle.current().pid(), new ImportOptions(false, null));
        Path file = dir.resolve("jvm.pwsnap");
        SnapshotFile.write(mm, file);
        MmStruct loaded = SnapshotFile.read(file);
        long present = presentPages(file);
        System.out.printf("snapshot of this JVM: %d VMAs, %d present pages, %d bytes, %.3f bytes per present page%n",
                mm.mapCount(), present, Files.size(file), (double) Files.size(file) / present);
        ModelEquality.assertSameModel(mm, loaded);
    }

    static long presentPages(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = java.nio.ByteBuffer.wrap(bytes, 8, 4).getInt();
        return com.google.gson.JsonParser.parseString(new String(bytes, 12, headerLength,
                java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonObject("contents")
                .get("presentPages").getAsLong();
    }
}
