package io.pagewalk.runtime.procfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pagewalk.runtime.testing.FixtureProcess;
import java.util.Arrays;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class KpageReaderTest {

    @Test
    void runsOfNearbyPfnsCostOneReadPerFile() throws Exception {
        try (FixtureProcess fx = FixtureProcess.start("thp", "anon=64");
             PagemapReader pm = PagemapReader.open(fx.pid());
             KpageReader kp = KpageReader.open()) {
            FixtureProcess.Region thp = fx.region("thp");
            long[] e = pm.read(thp.start(), thp.end());
            long[] pfns = PagemapEntry.presentPfns(e, 0, e.length);
            assertEquals(512, pfns.length);
            // Every other PFN: still one run, because gaps up to MAX_GAP are read over.
            long[] sparse = LongStream.range(0, 256).map(i -> pfns[(int) (2 * i)]).toArray();
            long before = kp.readCalls();
            KpageReader.Result r = kp.read(sparse);
            assertEquals(2, kp.readCalls() - before, "one read of kpageflags and one of kpagecount");
            // Same answers as reading each PFN alone.
            for (int i = 0; i < sparse.length; i += 37) {
                assertEquals(kp.readFlags(new long[] {sparse[i]})[0], r.flags()[i]);
                assertEquals(kp.readCounts(new long[] {sparse[i]})[0], r.counts()[i]);
            }
            assertArrayEquals(sparse, r.pfns());
        }
    }

    @Test
    void farApartPfnsAreReadSeparatelyAndLongRunsAreChunked() throws Exception {
        try (KpageReader kp = KpageReader.open()) {
            long before = kp.readCalls();
            kp.readFlags(new long[] {0x1000, 0x100000});
            assertEquals(2, kp.readCalls() - before);

            long[] many = LongStream.range(0x100000, 0x100000 + KpageReader.MAX_RUN + 10).toArray();
            before = kp.readCalls();
            kp.readCounts(many);
            assertEquals(2, kp.readCalls() - before);
        }
    }

    @Test
    void pfnsBeyondTheEndOfMemoryReadAsZero() throws Exception {
        try (KpageReader kp = KpageReader.open()) {
            long huge = 1L << 50;
            assertArrayEquals(new long[] {0, 0}, kp.readFlags(new long[] {huge, huge + 1}));
        }
    }

    @Test
    void unsortedOrDuplicatePfnsAreRejected() throws Exception {
        try (KpageReader kp = KpageReader.open()) {
            assertThrows(IllegalArgumentException.class, () -> kp.readFlags(new long[] {5, 3}));
            assertThrows(IllegalArgumentException.class, () -> kp.readFlags(new long[] {3, 3}));
            assertEquals(0, kp.readFlags(new long[0]).length);
        }
    }

    @Test
    void flagNamesFollowPageTypes() {
        long anon = KPageFlags.mask(KPageFlags.UPTODATE) | KPageFlags.mask(KPageFlags.LRU)
                | KPageFlags.mask(KPageFlags.MMAP) | KPageFlags.mask(KPageFlags.ANON)
                | KPageFlags.mask(KPageFlags.SWAPBACKED) | KPageFlags.mask(KPageFlags.OWNER_2);
        assertEquals("uptodate,lru,mmap,anonymous,swapbacked,owner_2", KPageFlags.longNames(anon));
        assertEquals("zero_page,reserved", KPageFlags.longNames(0x101000000L));
        assertEquals('z', KPageFlags.letter(KPageFlags.ZERO_PAGE));
        assertEquals("thp", KPageFlags.name(KPageFlags.THP));
        String letters = KPageFlags.letters(anon);
        assertTrue(letters.startsWith("___U_l_____Ma_b"), letters);
        assertTrue(Arrays.stream(new int[] {0, 26, 32, 41}).allMatch(b -> KPageFlags.name(b) != null));
    }
}
