package io.pagewalk.runtime.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.mm.MemMap;
import io.pagewalk.runtime.mm.MmOrigin;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.pgtable.PagingGeometry;
import io.pagewalk.runtime.testing.ModelEquality;
import io.pagewalk.runtime.testing.WalkEquality;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A model written and read back is the same model and walks the same. */
class SnapshotRoundTripTest {
    @TempDir
    Path dir;

    private MmStruct roundTrip(MmStruct mm) throws Exception {
        Path file = dir.resolve("model.pwsnap");
        SnapshotFile.write(mm, file);
        MmStruct loaded = SnapshotFile.read(file);
        assertEquals(file, loaded.loadedFrom());
        return loaded;
    }

    @ParameterizedTest
    @EnumSource(PagingGeometry.class)
    void everyKindOfEntryAndPageSurvives(PagingGeometry g) throws Exception {
        MmStruct mm = SnapshotModels.full(g);
        MmStruct loaded = roundTrip(mm);
        ModelEquality.assertSameModel(mm, loaded);
        assertEquals("live", loaded.origin().kind());
        assertEquals(4242, loaded.origin().pid());
        assertEquals(List.of("pmd-mapped", "kpagecount"), List.copyOf(loaded.unknownFacts()));
        assertFalse(loaded.memMap().countsKnown());
        assertNull(mm.loadedFrom());
        WalkEquality.assertSameWalks(mm, loaded);
    }

    @ParameterizedTest
    @EnumSource(PagingGeometry.class)
    void theWalksCompareSomethingOfEveryKind(PagingGeometry g) {
        // The walk comparison above is only as good as what the walks visit.
        List<String> calls = WalkEquality.walks(SnapshotModels.full(g));
        for (String kind : new String[] {"pgd ", "pud ", "pmd ", "pte ", "hole ", "hugetlb ", "test_walk ",
            "pre_vma ", "post_vma ", "walk_page_mapping file[0] = 0"}) {
            assertTrue(calls.stream().anyMatch(c -> c.startsWith(kind)), "no call starting with '" + kind + "'");
        }
        if (g == PagingGeometry.X86_64_5LEVEL) {
            assertTrue(calls.stream().anyMatch(c -> c.startsWith("p4d ")));
        }
        assertTrue(calls.size() > 1000, calls.size() + " calls");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void randomModelsSurvive(long seed) throws Exception {
        MmStruct mm = SnapshotModels.random(seed);
        MmStruct loaded = roundTrip(mm);
        ModelEquality.assertSameModel(mm, loaded);
        WalkEquality.assertSameWalks(mm, loaded);
    }

    @Test
    void anEmptyModelSurvives() throws Exception {
        MmStruct mm = new MmStruct(PagingGeometry.X86_64_4LEVEL, new MemMap());
        MmStruct loaded = roundTrip(mm);
        ModelEquality.assertSameModel(mm, loaded);
        assertEquals(MmOrigin.SYNTHETIC, loaded.origin());
        assertTrue(loaded.vmas().isEmpty());
    }

    @Test
    void theCheckerSeesADifference() throws Exception {
        // The equality checker is what the other tests stand on: it must notice small changes.
        MmStruct mm = SnapshotModels.full(PagingGeometry.X86_64_4LEVEL);
        MmStruct loaded = roundTrip(mm);
        long pfn = loaded.vmas().getFirst().start();
        loaded.memMap().setMapcount(0x100003, 7);
        assertFalse(ModelEquality.differences(mm, loaded).isEmpty());
        MmStruct again = roundTrip(mm);
        again.vmas().get(1).setName("other");
        assertFalse(ModelEquality.differences(mm, again).isEmpty());
        MmStruct third = roundTrip(mm);
        third.pgd().entries()[0] ^= 1L << 62;
        assertFalse(ModelEquality.differences(mm, third).isEmpty());
        assertTrue(pfn != 0);
    }

    @Test
    void writingIsDeterministicAndReadingLosesNothing() throws Exception {
        MmStruct mm = SnapshotModels.full(PagingGeometry.X86_64_5LEVEL);
        Path first = dir.resolve("first.pwsnap");
        Path second = dir.resolve("second.pwsnap");
        SnapshotFile.write(mm, first);
        SnapshotFile.write(SnapshotFile.read(first), second);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void theHeaderIsReadableJson() throws Exception {
        MmStruct mm = SnapshotModels.full(PagingGeometry.X86_64_4LEVEL);
        Path file = dir.resolve("h.pwsnap");
        SnapshotFile.write(mm, file);
        String text = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("\"formatVersion\": 1"), text.substring(0, 400));
        assertTrue(text.contains("\"kernelRelease\": \"6.18.0-pagewalk\""));
        assertTrue(text.contains("\"pid\": 4242"));
        assertTrue(text.contains("\"pageCountsKnown\": false"));
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("m.pwsnap");
        Files.writeString(file, "old");
        SnapshotFile.write(SnapshotModels.full(PagingGeometry.X86_64_4LEVEL), file);
        ModelEquality.assertSameModel(SnapshotModels.full(PagingGeometry.X86_64_4LEVEL), SnapshotFile.read(file));
        assertEquals(List.of(file), listDir());
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path file = dir.resolve("m.pwsnap");
        Files.writeString(file, "old");
        MmStruct broken = SnapshotModels.full(PagingGeometry.X86_64_4LEVEL);
        // A page naming a file the memmap does not know: the writer refuses the model.
        MemMap.RawSection s = broken.memMap().rawSections().getFirst();
        int[] mapping = new int[MemMap.RAW_SECTION_PAGES];
        mapping[5] = 999_999;
        broken.memMap().restoreRawSection(new MemMap.RawSection(s.number(), s.flags(), s.mapcount(), s.refcount(),
                s.headOffset(), s.order(), s.entireMapcount(), mapping, new long[MemMap.RAW_SECTION_PAGES]));
        IOException e = assertThrows(IOException.class, () -> SnapshotFile.write(broken, file));
        assertTrue(e.getMessage().contains("999999"), e.getMessage());
        assertEquals("old", Files.readString(file));
        assertEquals(List.of(file), listDir());

        Path aDirectory = Files.createDirectory(dir.resolve("sub"));
        Files.writeString(aDirectory.resolve("keep"), "x");
        assertThrows(IOException.class, () -> SnapshotFile.write(SnapshotModels.full(PagingGeometry.X86_64_4LEVEL),
                aDirectory));
        assertEquals(List.of(file, aDirectory), listDir());
        assertThrows(IOException.class, () -> SnapshotFile.write(SnapshotModels.full(PagingGeometry.X86_64_4LEVEL),
                dir.resolve("missing/dir/m.pwsnap")));
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
