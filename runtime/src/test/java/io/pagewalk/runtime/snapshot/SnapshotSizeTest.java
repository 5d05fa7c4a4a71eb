package io.pagewalk.runtime.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.pagewalk.runtime.mm.MmStruct;
import io.pagewalk.runtime.testing.ModelEquality;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a snapshot costs on disk. Snapshot bytes are a pure function of the model (no time stamp
 * of the write, a fixed compression level), so the figure is deterministic and can be asserted.
 */
class SnapshotSizeTest {
    @TempDir
    Path dir;

    @Test
    void aRealisticProcessCostsAtMostFourBytesPerPresentPage() throws Exception {
        MmStruct mm = SnapshotModels.realistic();
        Path file = dir.resolve("realistic.pwsnap");
        SnapshotFile.write(mm, file);
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = ByteBuffer.wrap(bytes, 8, 4).getInt();
        long present = JsonParser.parseString(new String(Arrays.copyOfRange(bytes, 12, 12 + headerLength),
                StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonObject("contents").get("presentPages").getAsLong();
        // 256 MiB heap (99% touched) and 2/3 of a 16 MiB library: about 67,000 pages.
        assertTrue(present > 64_000 && present < 68_000, "present pages " + present);
        double perPage = (double) bytes.length / present;
        System.out.printf("snapshot of %d present pages: %d bytes, %.3f bytes per present page%n",
                present, bytes.length, perPage);
        assertTrue(perPage <= 4.0, String.format("%.3f bytes per present page", perPage));
        ModelEquality.assertSameModel(mm, SnapshotFile.read(file));
    }

    @Test
    void theSameModelGivesTheSameBytes() throws Exception {
        Path a = dir.resolve("a.pwsnap");
        Path b = dir.resolve("b.pwsnap");
        SnapshotFile.write(SnapshotModels.realistic(), a);
        SnapshotFile.write(SnapshotModels.realistic(), b);
        assertEquals(Files.size(a), Files.size(b));
        assertTrue(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)));
    }
}
