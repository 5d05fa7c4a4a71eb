package io.pagewalk.runtime.snapshot;

import com.google.gson.JsonObject;
import io.pagewalk.runtime.mm.MmStruct;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * Snapshot files: everything a model holds, in one versioned, self-describing file, so that a
 * loaded model walks exactly as the one written.
 *
 * <pre>
 * offset 0         magic  89 'P' 'W' 'S' 'N' 'A' 'P' 0a
 * offset 8         header length H, 4 bytes big-endian
 * offset 12        header, H bytes of UTF-8 JSON ({@link SnapshotHeader}); its formatVersion
 *                  is the only field whose place is fixed for all versions
 * offset 12+H      body, zlib-compressed ({@link BodyWriter}), body.length bytes
 * last 4 bytes     CRC32C of every byte before them, big-endian
 * </pre>
 *
 * <p>{@link #read} checks the framing, the version, the length and the checksum before it decodes
 * anything, decodes the body as a stream, and returns a model only when all of it was consistent:
 * every problem is a {@link SnapshotException} with one line naming the file and the problem.
 */
public final class SnapshotFile {
    private SnapshotFile() {}

    /** The newest format this pagewalk writes and reads. */
    public static final int FORMAT_VERSION = 1;
    static final byte[] MAGIC = {(byte) 0x89, 'P', 'W', 'S', 'N', 'A', 'P', '\n'};
    static final int PREFIX = MAGIC.length + 4;
    static final int TRAILER = 4;
    static final int MAX_HEADER = 16 << 20;
    /** zlib cannot inflate one byte to more than about 1032. */
    private static final long MAX_INFLATION = 1032;

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code mm} to {@code file} atomically: into a temporary file in the same directory,
     * synced, then renamed over {@code file}. On any error the temporary file is removed and
     * {@code file} is as it was.
     */
    public static void write(MmStruct mm, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();

        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        Contents contents;
        long rawLength;
        try {
            OutputStream zip = new DeflaterOutputStream(compressed, deflater, 1 << 16);
            BodyOutput body = new BodyOutput(new BufferedOutputStream(zip, 1 << 16));
            contents = BodyWriter.write(mm, body);
            rawLength = body.written();
            body.close();
        } finally {
            deflater.end();
        }
        byte[] bodyBytes = compressed.toByteArray();
        CRC32C bodyCrc = new CRC32C();
        bodyCrc.update(bodyBytes);

        SnapshotHeader header = new SnapshotHeader(FORMAT_VERSION, mm.geometry(), mm.origin(),
                new ArrayList<>(mm.unknownFacts()), mm.memMap().flagsKnown(), mm.memMap().countsKnown(),
                mm.thpSettings(), mm.thpDisabled(), contents,
                bodyBytes.length, rawLength, (int) bodyCrc.getValue());
        byte[] headerBytes = header.toJson().getBytes(StandardCharsets.UTF_8);

        ByteBuffer prefix = ByteBuffer.allocate(PREFIX).put(MAGIC).putInt(headerBytes.length).flip();
        CRC32C crc = new CRC32C();
        crc.update(prefix.duplicate());
        crc.update(headerBytes);
        crc.update(bodyBytes);
        ByteBuffer trailer = ByteBuffer.allocate(TRAILER).putInt((int) crc.getValue()).flip();

        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeFully(ch, prefix);
                writeFully(ch, ByteBuffer.wrap(headerBytes));
                writeFully(ch, ByteBuffer.wrap(bodyBytes));
                writeFully(ch, trailer);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Makes the rename durable; some file systems cannot sync a directory, which is no error. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // The file's data is synced; only the rename's durability is left to the file system.
        }
    }

    // ------------------------------------------------------------------ reading

    /**
     * Loads the model in {@code file}. Its origin is the one recorded at capture ({@code "live"}
     * with the same pid, command and kernel, say); {@link MmStruct#loadedFrom()} names the file.
     */
    public static MmStruct read(Path file) throws SnapshotException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Reading(file, ch).read();
        } catch (NoSuchFileException e) {
            throw new SnapshotException(file, "no such file");
        } catch (AccessDeniedException e) {
            throw new SnapshotException(file, "permission denied");
        } catch (IOException e) {
            throw new SnapshotException(file, "cannot read: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new SnapshotException(file, "the model does not fit this JVM's heap (raise -Xmx)");
        }
    }

    /** One read of one file. */
    private static final class Reading {
        private final Path file;
        private final FileChannel ch;
        private final long size;

        Reading(Path file, FileChannel ch) throws IOException {
            this.file = file;
            this.ch = ch;
            this.size = ch.size();
        }

        private SnapshotException fail(String what) {
            return new SnapshotException(file, what);
        }

        MmStruct read() throws IOException, SnapshotException {
            byte[] magic = bytesAt(0, (int) Math.min(MAGIC.length, size));
            for (int i = 0; i < magic.length; i++) {
                if (magic[i] != MAGIC[i]) {
                    throw fail("not a pagewalk snapshot (bad magic number)");
                }
            }
            if (size < MAGIC.length) {
                throw fail("truncated: " + size + " bytes, ends inside the magic number");
            }
            if (size < PREFIX) {
                throw fail("truncated: " + size + " bytes, ends inside the header length (bytes 8-11)");
            }
            long headerLength = Integer.toUnsignedLong(ByteBuffer.wrap(bytesAt(MAGIC.length, 4)).getInt());
            if (headerLength > MAX_HEADER) {
                throw corruptedOr("header length " + headerLength + " exceeds " + MAX_HEADER);
            }
            if (PREFIX + headerLength > size) {
                throw fail("truncated at byte " + size + ": ends inside the header (bytes " + PREFIX + "-"
                        + (PREFIX + headerLength - 1) + ")");
            }
            String json;
            try {
                json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytesAt(PREFIX, (int) headerLength))).toString();
            } catch (CharacterCodingException e) {
                throw corruptedOr("the header is not UTF-8");
            }

            SnapshotHeader header;
            try {
                JsonObject o = SnapshotHeader.parseObject(json);
                int version = SnapshotHeader.formatVersion(o);
                if (version > FORMAT_VERSION) {
                    throw fail("newer version: file version " + version + ", this pagewalk reads up to "
                            + FORMAT_VERSION);
                }
                header = SnapshotHeader.parse(o);
            } catch (SnapshotHeader.Malformed e) {
                throw corruptedOr(e.getMessage());
            } catch (StackOverflowError e) {
                throw corruptedOr("the header nests too deeply");
            }

            long bodyStart = PREFIX + headerLength;
            if (header.bodyLength() > size) {
                throw fail("truncated at byte " + size + ": the header announces a body of "
                        + header.bodyLength() + " bytes");
            }
            long expected = bodyStart + header.bodyLength() + TRAILER;
            if (size < expected) {
                String where = size < bodyStart + header.bodyLength() ? "the body" : "the checksum";
                throw fail("truncated at byte " + size + " of " + expected + ": ends inside " + where);
            }
            if (size > expected) {
                throw corruptedOr((size - expected) + " bytes follow the checksum at byte " + expected);
            }
            int stored = ByteBuffer.wrap(bytesAt(size - TRAILER, TRAILER)).getInt();
            Checksums sums = checksums(bodyStart, bodyStart + header.bodyLength());
            if (sums.file != stored) {
                throw fail(String.format("corrupted: checksum mismatch (CRC32C stored %08x, computed %08x)",
                        stored, sums.file));
            }
            if (sums.body != header.bodyCrc32c()) {
                throw fail(String.format("malformed header: body crc32c %08x, the body's is %08x",
                        header.bodyCrc32c(), sums.body));
            }
            checkPlausible(header);
            MmStruct mm = decode(header, bodyStart);
            mm.setOrigin(header.origin());
            mm.unknownFacts().addAll(header.unknownFacts());
            mm.memMap().setFlagsKnown(header.pageFlagsKnown());
            mm.memMap().setCountsKnown(header.pageCountsKnown());
            mm.setThpSettings(header.thp());
            mm.setThpDisabled(header.thpDisabled());
            mm.setLoadedFrom(file);
            return mm;
        }

        /** Refuses a header whose promises the body cannot keep or the heap cannot hold. */
        private void checkPlausible(SnapshotHeader h) throws SnapshotException {
            if (h.bodyRawLength() > h.bodyLength() * MAX_INFLATION + 64) {
                throw fail("malformed header: body rawLength " + h.bodyRawLength() + " cannot come from "
                        + h.bodyLength() + " compressed bytes");
            }
            Contents c = h.contents();
            // Each item takes a minimum number of raw body bytes (see BodyWriter).
            double minimum = c.files() * 4.0 + c.vmas() * 7.0 + c.pageTables() * 4.0 + c.memMapSections() * 3.0;
            if (minimum > h.bodyRawLength()) {
                throw fail("malformed header: contents cannot fit a body of " + h.bodyRawLength() + " bytes");
            }
            Runtime rt = Runtime.getRuntime();
            long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            long need = c.estimatedHeapBytes();
            if (need > free) {
                throw fail("the model needs about " + (need >> 20) + " MiB of heap, this JVM has "
                        + (free >> 20) + " MiB free (raise -Xmx)");
            }
        }

        private MmStruct decode(SnapshotHeader h, long bodyStart) throws IOException, SnapshotException {
            ch.position(bodyStart);
            BoundedInput compressed = new BoundedInput(Channels.newInputStream(ch), h.bodyLength());
            Inflater inflater = new Inflater();
            try {
                InflaterInputStream inflating = new InflaterInputStream(compressed, inflater, 1 << 16);
                InputStream raw = new BufferedInputStream(inflating, 1 << 16);
                BodyInput in = new BodyInput(raw, h.bodyRawLength());
                MmStruct mm = BodyReader.read(in, h.geometry(), h.contents());
                if (in.remaining() != 0) {
                    throw in.malformed(in.remaining() + " bytes left over");
                }
                if (raw.read() >= 0 || !inflater.finished() || inflater.getRemaining() != 0
                        || compressed.remaining() != 0) {
                    throw in.malformed("compressed data goes on past the declared raw length");
                }
                return mm;
            } catch (BodyInput.Malformed e) {
                throw fail(e.getMessage());
            } catch (ZipException | EOFException e) {
                throw fail("malformed body: not valid zlib data (" + e.getMessage() + ")");
            } catch (RuntimeException e) {
                throw fail("malformed body: " + e);
            } finally {
                inflater.end();
            }
        }

        /**
         * For a header that cannot be read: if the checksum still matches, the writer made it so
         * (malformed); if not, the file was damaged (corrupted).
         */
        private SnapshotException corruptedOr(String what) throws IOException {
            if (size >= PREFIX + TRAILER) {
                int stored = ByteBuffer.wrap(bytesAt(size - TRAILER, TRAILER)).getInt();
                if (checksums(0, 0).file == stored) {
                    return fail("malformed header: " + what);
                }
            }
            return fail("corrupted: checksum mismatch (" + what + ")");
        }

        private record Checksums(int file, int body) {}

        /** CRC32C of everything before the trailer, and of {@code [bodyFrom, bodyTo)}, in one pass. */
        private Checksums checksums(long bodyFrom, long bodyTo) throws IOException {
            CRC32C all = new CRC32C();
            CRC32C body = new CRC32C();
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long end = size - TRAILER;
            long pos = 0;
            while (pos < end) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new EOFException("file shrank while being read");
                }
                buf.flip();
                all.update(buf.duplicate());
                long from = Math.max(pos, bodyFrom);
                long to = Math.min(pos + n, bodyTo);
                if (from < to) {
                    body.update(buf.duplicate().position((int) (from - pos)).limit((int) (to - pos)));
                }
                pos += n;
            }
            return new Checksums((int) all.getValue(), (int) body.getValue());
        }

        private byte[] bytesAt(long offset, int length) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) {
                    throw new EOFException("file shrank while being read");
                }
            }
            return b.array();
        }
    }

    /** The compressed body: at most its declared length, whatever follows in the file. */
    private static final class BoundedInput extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInput(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        long remaining() {
            return remaining;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
